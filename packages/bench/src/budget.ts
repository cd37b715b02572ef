import {
  type BenchResults,
  type BudgetCheck,
  type Run,
  runOf,
  type StoreResult,
} from "./results.js";
import type { ScenarioId } from "./scenarios.js";

const MB = 1_000_000;

/** The concurrency every budget but the password login's latency is judged at. */
export const BUDGET_CONCURRENCY = 32;

/**
 * Judges a store's results against Tessera's performance budget, each
 * throughput as a share of the floor measured in the same run. A path that
 * was not measured fails its line.
 */
export function judgeBudget(
  results: Pick<BenchResults, "floor" | "hashTimeMs" | "hashCapacityPerSecond" | "machine">,
  store: StoreResult,
): BudgetCheck[] {
  const c = BUDGET_CONCURRENCY;
  const floor = runOf(results.floor, c)?.throughput ?? Number.NaN;
  const run = (id: ScenarioId, concurrency = c) =>
    runOf(
      store.scenarios.find((s) => s.id === id),
      concurrency,
    );
  const share = (id: ScenarioId, minimum: number, path: string): BudgetCheck => {
    const measured = run(id)?.throughput ?? Number.NaN;
    const ratio = measured / floor;
    return {
      path,
      budget: `≥ ${pct(minimum)} of floor throughput`,
      measured: `${pct(ratio)} (${rate(measured)} of ${rate(floor)})`,
      met: ratio >= minimum,
    };
  };
  const p99 = (id: ScenarioId, path: string): BudgetCheck => {
    const measured = run(id)?.p99Ms ?? Number.NaN;
    return { path, budget: "p99 ≤ 20 ms", measured: ms(measured), met: measured <= 20 };
  };

  const hash = results.hashTimeMs;
  const loginP50 = run("session-login", 1)?.p50Ms ?? Number.NaN;
  const loginRate = run("session-login")?.throughput ?? Number.NaN;
  const hashCapacity = results.machine.cpus / (hash / 1000);

  const growth = store.growth;
  const smallest = runOf(growth[0], c)?.p50Ms ?? Number.NaN;
  const largestSize = growth.at(-1)?.sessions ?? 0;
  const largest = runOf(growth.at(-1), c)?.p50Ms ?? Number.NaN;

  const runs: Run[] = [...store.scenarios.flatMap((s) => s.runs), ...growth.flatMap((g) => g.runs)];
  const peak = Math.max(...runs.map((r) => r.peakRssBytes));

  return [
    share("session-refresh-none", 0.15, "session API refresh (`none`)"),
    p99("session-refresh-none", "session API refresh (`none`)"),
    share("session-refresh-rotate", 0.15, "session API refresh (`rotate`)"),
    p99("session-refresh-rotate", "session API refresh (`rotate`)"),
    share("operations-refresh", 0.15, "operations API `refresh_operation_token`"),
    share("token-api-short", 0.2, "token API short-term exchange"),
    share("jwks", 0.6, "JWKS"),
    {
      path: "password login, concurrency 1",
      budget: `p50 ≤ hash time + 3 ms (${ms(hash + 3)})`,
      measured: `p50 ${ms(loginP50)}`,
      met: loginP50 <= hash + 3,
    },
    {
      path: "password login, concurrency 32",
      budget: `≥ 80% of cores ÷ hash time (${rate(0.8 * hashCapacity)})`,
      measured:
        `${rate(loginRate)} (${pct(loginRate / hashCapacity)} of ${rate(hashCapacity)}; ` +
        `${pct(loginRate / results.hashCapacityPerSecond)} of the ${rate(results.hashCapacityPerSecond)} measured hashing alone)`,
      met: loginRate >= 0.8 * hashCapacity,
    },
    {
      path: `refresh with ${sessions(largestSize)} live sessions`,
      budget: `p50 ≤ 1.3 × p50 with ${sessions(growth[0]?.sessions ?? 0)}`,
      measured: `${(largest / smallest).toFixed(2)} × (${ms(largest)} vs ${ms(smallest)})`,
      met: largest <= 1.3 * smallest,
    },
    {
      path: "server RSS, any scenario",
      budget: "≤ 250 MB",
      measured: `${(peak / MB).toFixed(0)} MB at most`,
      met: peak <= 250 * MB,
    },
  ];
}

export function pct(ratio: number): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)}%` : "n/a";
}

export function rate(perSecond: number): string {
  return Number.isFinite(perSecond) ? `${Math.round(perSecond).toLocaleString("en-US")}/s` : "n/a";
}

export function ms(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)} ms` : "n/a";
}

export function sessions(count: number): string {
  const exponent = Math.log10(count);
  return Number.isInteger(exponent) ? `10^${exponent}` : count.toLocaleString("en-US");
}
