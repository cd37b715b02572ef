import type { LoadResult } from "./load.js";
import type { ScenarioId } from "./scenarios.js";

/** One run of one scenario at one concurrency, with the server's memory. */
export interface Run extends LoadResult {
  /** The server's peak resident set during the run, in bytes. */
  readonly peakRssBytes: number;
}

export interface ScenarioResult {
  readonly id: ScenarioId | "floor";
  readonly title: string;
  readonly runs: readonly Run[];
}

/** The refresh path over a store holding `sessions` live sessions. */
export interface GrowthResult {
  readonly sessions: number;
  readonly runs: readonly Run[];
}

/** Everything measured on one store. */
export interface StoreResult {
  /** `sqlite`, or `postgres` (with Redis when one was given). */
  readonly store: string;
  readonly scenarios: readonly ScenarioResult[];
  readonly growth: readonly GrowthResult[];
}

/** One line of the budget: what it asks, what was measured, and whether it holds. */
export interface BudgetCheck {
  readonly path: string;
  readonly budget: string;
  readonly measured: string;
  readonly met: boolean;
}

/** A `bench/results/<timestamp>.json` file. */
export interface BenchResults {
  readonly startedAt: string;
  readonly quick: boolean;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryGiB: number;
    readonly node: string;
  };
  readonly settings: {
    readonly warmupSeconds: number;
    readonly durationSeconds: number;
    readonly concurrencies: readonly number[];
    readonly growthSizes: readonly number[];
  };
  /** Median argon2id hash at the server's default cost, in ms. */
  readonly hashTimeMs: number;
  /** argon2id hashes a second with one running per core at once. */
  readonly hashCapacityPerSecond: number;
  /** The floor: the mean of {@link BenchResults.floorSamples}. */
  readonly floor: ScenarioResult;
  /** The floor measured before and after everything else. */
  readonly floorSamples: readonly [ScenarioResult, ScenarioResult];
  readonly stores: readonly StoreResult[];
  /** Judged on SQLite, as ratios to the floor of the same run. */
  readonly budget: readonly BudgetCheck[];
  readonly profile?: {
    readonly scenario: ScenarioId;
    readonly file: string;
    readonly summary: string;
  };
}

/** The run of `scenario` at `concurrency`, if it was measured. */
export function runOf(
  scenario: { readonly runs: readonly Run[] } | undefined,
  concurrency: number,
): Run | undefined {
  return scenario?.runs.find((run) => run.concurrency === concurrency);
}
