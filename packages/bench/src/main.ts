/**
 * `npm run bench [-- --quick] [--only <id,…>] [--profile <id>|none] [--out <dir>]`
 *
 * `--only` runs some scenarios (and `growth`, the refresh over 10^3 to 10^6
 * sessions) instead of all; the budget is judged only on a full run.
 *
 * Measures every token path of a Tessera server run as a user runs it,
 * against the floor of a bare fastify server measured in the same run, and
 * writes `bench/results/<timestamp>.json` and a Markdown table.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { judgeBudget } from "./budget.js";
import { Deployment, type StoreKind } from "./deployment.js";
import { dropSchema, postgresSeeder, sqliteSeeder } from "./growth.js";
import { measureHashCapacity, measureHashTime } from "./hash-time.js";
import { type LoadPlan, measureLoad } from "./load.js";
import { type ServerProcess, startServer } from "./processes.js";
import { summariseProfile } from "./profile.js";
import { renderMarkdown } from "./report.js";
import type { BenchResults, GrowthResult, Run, ScenarioResult, StoreResult } from "./results.js";
import { SCENARIO_IDS, SCENARIOS, type ScenarioId } from "./scenarios.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** How long and how hard each run drives the server. */
interface Settings {
  readonly quick: boolean;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  readonly concurrencies: readonly number[];
  readonly growthSizes: readonly number[];
  readonly hashSamples: number;
}

const FULL: Settings = {
  quick: false,
  warmupSeconds: 3,
  durationSeconds: 10,
  concurrencies: [1, 32],
  growthSizes: [1_000, 100_000, 1_000_000],
  hashSamples: 20,
};

/** Every scenario, briefly: to keep the harness working, not to judge by. */
const QUICK: Settings = {
  quick: true,
  warmupSeconds: 0.5,
  durationSeconds: 1,
  concurrencies: [1, 32],
  growthSizes: [1_000, 10_000],
  hashSamples: 5,
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      profile: { type: "string" },
      out: { type: "string", default: join(ROOT, "bench", "results") },
      only: { type: "string" },
    },
  });
  const only = selection(values.only);
  const settings = values.quick ? QUICK : FULL;
  const profile = profileScenario(values.profile, settings.quick);
  const startedAt = new Date().toISOString();
  const log = (line: string) => process.stderr.write(`${line}\n`);

  log("argon2id hash time…");
  const hashTimeMs = await measureHashTime(settings.hashSamples);
  const hashCapacityPerSecond = await measureHashCapacity(cpus().length, settings.hashSamples * 5);
  log("floor: bare fastify…");
  const floorBefore = await measureFloor(settings);

  const stores: StoreKind[] = [{ kind: "sqlite" }];
  const postgresUrl = process.env.TESSERA_DATABASE_URL;
  if (postgresUrl !== undefined && postgresUrl !== "") {
    stores.push({ kind: "postgres", url: postgresUrl, redisUrl: process.env.TESSERA_REDIS_URL });
  }
  const storeResults: StoreResult[] = [];
  for (const store of stores) {
    storeResults.push(await measureStore(store, settings, only, log));
  }

  // The floor again at the end: on a shared machine it drifts, and the
  // ratios are taken against the mean of both.
  log("floor again…");
  const floorAfter = await measureFloor(settings);
  const floor = meanOf(floorBefore, floorAfter);

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node,
  };
  const sqlite = storeResults[0];
  const results: BenchResults = {
    startedAt,
    quick: settings.quick,
    machine,
    settings: {
      warmupSeconds: settings.warmupSeconds,
      durationSeconds: settings.durationSeconds,
      concurrencies: settings.concurrencies,
      growthSizes: settings.growthSizes,
    },
    hashTimeMs,
    hashCapacityPerSecond,
    floor,
    floorSamples: [floorBefore, floorAfter],
    stores: storeResults,
    budget:
      sqlite === undefined || only !== undefined
        ? []
        : judgeBudget({ floor, hashTimeMs, hashCapacityPerSecond, machine }, sqlite),
    ...(profile === undefined
      ? {}
      : { profile: await profileRun(profile, join(values.out, "profiles"), log) }),
  };

  mkdirSync(values.out, { recursive: true });
  const file = join(values.out, `${startedAt.replaceAll(":", "-")}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${renderMarkdown(results)}\n`);
  if (results.profile !== undefined) {
    process.stdout.write(
      `### CPU profile: ${results.profile.scenario}, concurrency 32\n\n${results.profile.summary}\n\n`,
    );
  }
  log(`results: ${file}`);
}

/** The scenarios `--only` names, or undefined for all of them. */
function selection(option: string | undefined): ReadonlySet<string> | undefined {
  if (option === undefined) {
    return undefined;
  }
  const names = option.split(",").map((name) => name.trim());
  const known = [...SCENARIO_IDS, "growth"];
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new Error(`--only takes a list of ${known.join(", ")}; not ${unknown.join(", ")}`);
  }
  return new Set(names);
}

function profileScenario(option: string | undefined, quick: boolean): ScenarioId | undefined {
  if (option === "none" || (option === undefined && quick)) {
    return undefined;
  }
  const id = option ?? "session-refresh-none";
  if (!(SCENARIO_IDS as readonly string[]).includes(id)) {
    throw new Error(`--profile takes one of ${SCENARIO_IDS.join(", ")}, or none`);
  }
  return id as ScenarioId;
}

/** One run at `concurrency`, with the server's peak memory during it. */
async function measureRun(
  server: ServerProcess,
  plan: LoadPlan,
  concurrency: number,
  settings: Settings,
): Promise<Run> {
  server.resetPeakRss();
  const result = await measureLoad(server.url, plan, { concurrency, ...settings });
  return { ...result, peakRssBytes: server.peakRssBytes() };
}

async function measureFloor(settings: Settings): Promise<ScenarioResult> {
  const server = await startServer({
    args: [fileURLToPath(new URL("./floor-server.js", import.meta.url))],
    env: {},
    logFile: "/dev/null",
  });
  try {
    const runs: Run[] = [];
    for (const concurrency of settings.concurrencies) {
      const plan: LoadPlan = {
        method: "POST",
        path: "/",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ session: { refreshToken: "tsr_rt_floor" } }),
      };
      runs.push(await measureRun(server, plan, concurrency, settings));
    }
    return { id: "floor", title: "floor: bare fastify JSON POST", runs };
  } finally {
    await server.stop();
  }
}

/** Two measurements of the same runs as one: mean rates and latencies, the larger memory. */
function meanOf(first: ScenarioResult, second: ScenarioResult): ScenarioResult {
  const runs = first.runs.map((a) => {
    const b = second.runs.find((run) => run.concurrency === a.concurrency) ?? a;
    const mean = (x: number, y: number) => (x + y) / 2;
    return {
      ...a,
      durationSeconds: a.durationSeconds + b.durationSeconds,
      ok: a.ok + b.ok,
      failed: a.failed + b.failed,
      throughput: mean(a.throughput, b.throughput),
      p50Ms: mean(a.p50Ms, b.p50Ms),
      p99Ms: mean(a.p99Ms, b.p99Ms),
      peakRssBytes: Math.max(a.peakRssBytes, b.peakRssBytes),
      statuses: {},
    };
  });
  return { ...first, runs };
}

async function measureStore(
  store: StoreKind,
  settings: Settings,
  only: ReadonlySet<string> | undefined,
  log: (line: string) => void,
): Promise<StoreResult> {
  const name =
    store.kind === "sqlite"
      ? "sqlite"
      : `postgres${store.redisUrl === undefined ? "" : " + redis"}`;
  const scenarios: ScenarioResult[] = [];
  const selected = SCENARIOS.filter((s) => only === undefined || only.has(s.id));
  if (selected.length === 0) {
    return { store: name, scenarios, growth: await measureGrowth(store, settings, name, log) };
  }
  await withDeployment(store, async (deployment) => {
    const provisioned = deployment.provision();
    const server = await deployment.serve();
    try {
      const target = { url: server.url, deployment, provisioned };
      for (const scenario of selected) {
        const runs: Run[] = [];
        for (const concurrency of settings.concurrencies) {
          log(`${name}: ${scenario.title}, concurrency ${concurrency}…`);
          const plan = await scenario.prepare(target, concurrency);
          runs.push(await measureRun(server, plan, concurrency, settings));
        }
        scenarios.push({ id: scenario.id, title: scenario.title, runs });
      }
    } finally {
      await server.stop();
    }
  });
  const growth =
    only === undefined || only.has("growth") ? await measureGrowth(store, settings, name, log) : [];
  return { store: name, scenarios, growth };
}

/**
 * The refresh path (policy `none`) over ever more live sessions, on a fresh
 * deployment: seeded straight into the database between runs.
 */
async function measureGrowth(
  store: StoreKind,
  settings: Settings,
  name: string,
  log: (line: string) => void,
): Promise<GrowthResult[]> {
  const growth: GrowthResult[] = [];
  await withDeployment(store, async (deployment) => {
    const provisioned = deployment.provision();
    const server = await deployment.serve();
    const { database } = deployment;
    const seeder =
      "sqlitePath" in database
        ? sqliteSeeder(database.sqlitePath, "default")
        : await postgresSeeder(
            store.kind === "postgres" ? store.url : "",
            database.schema,
            "default",
          );
    try {
      const target = { url: server.url, deployment, provisioned };
      const refresh = SCENARIOS.find((s) => s.id === "session-refresh-none");
      if (refresh === undefined) {
        throw new Error("no refresh scenario");
      }
      // The sessions the runs refresh come first, so they count among the live ones.
      const plans = new Map<number, Awaited<ReturnType<typeof refresh.prepare>>>();
      for (const concurrency of settings.concurrencies) {
        plans.set(concurrency, await refresh.prepare(target, concurrency));
      }
      for (const size of settings.growthSizes) {
        log(`${name}: seeding ${size} live sessions…`);
        await seeder.seedTo(size);
        const runs: Run[] = [];
        for (const [concurrency, plan] of plans) {
          log(`${name}: refresh with ${size} live sessions, concurrency ${concurrency}…`);
          runs.push(await measureRun(server, plan, concurrency, settings));
        }
        growth.push({ sessions: await seeder.countLive(), runs });
      }
    } finally {
      await seeder.close();
      await server.stop();
    }
  });
  return growth;
}

/** Runs `scenario` at concurrency 32 on a server under `--cpu-prof` and summarises the profile. */
async function profileRun(
  scenario: ScenarioId,
  dir: string,
  log: (line: string) => void,
): Promise<{ scenario: ScenarioId; file: string; summary: string }> {
  log(`profiling ${scenario}…`);
  const found = SCENARIOS.find((s) => s.id === scenario);
  if (found === undefined) {
    throw new Error(`no scenario ${scenario}`);
  }
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  await withDeployment({ kind: "sqlite" }, async (deployment) => {
    const provisioned = deployment.provision();
    const server = await deployment.serve(["--cpu-prof", "--cpu-prof-dir", dir]);
    try {
      const plan = await found.prepare({ url: server.url, deployment, provisioned }, 32);
      await measureLoad(server.url, plan, {
        concurrency: 32,
        warmupSeconds: 3,
        durationSeconds: 10,
      });
    } finally {
      await server.stop();
    }
  });
  const written = readdirSync(dir).find((f) => !before.has(f) && f.endsWith(".cpuprofile"));
  if (written === undefined) {
    throw new Error("the server wrote no CPU profile");
  }
  const file = join(dir, written);
  return { scenario, file, summary: summariseProfile(file) };
}

async function withDeployment(
  store: StoreKind,
  body: (deployment: Deployment) => Promise<void>,
): Promise<void> {
  const deployment = new Deployment(store);
  try {
    await body(deployment);
  } finally {
    deployment.remove();
    const { database } = deployment;
    if (store.kind === "postgres" && "schema" in database) {
      await dropSchema(store.url, database.schema);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
