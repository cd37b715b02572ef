import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BenchResults } from "./results.js";
import { SCENARIO_IDS } from "./scenarios.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const POSTGRES_URL =
  process.env.TESSERA_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Keeps the harness working: `--quick` runs every scenario for a second on
 * SQLite, and on PostgreSQL + Redis when they answer (under CI they must).
 * It asserts what was measured and reported, never how fast.
 */
describe("npm run bench -- --quick", () => {
  let out: string;
  let results: BenchResults;
  let printed: string;

  beforeAll(async () => {
    const services = (await postgresAnswers()) && (await redisAnswers());
    if (!services && process.env.CI === "true") {
      throw new Error("PostgreSQL and Redis must run under CI (see .ci/run)");
    }
    out = mkdtempSync(join(tmpdir(), "tessera-bench-test-"));
    const run = spawnSync(process.execPath, [MAIN, "--quick", "--out", out], {
      env: {
        ...process.env,
        ...(services ? { TESSERA_DATABASE_URL: POSTGRES_URL, TESSERA_REDIS_URL: REDIS_URL } : {}),
      },
      encoding: "utf8",
      timeout: 540_000,
    });
    expect(run.stderr).not.toContain("bench failed");
    expect(run.status).toBe(0);
    printed = run.stdout;
    const [file] = readdirSync(out).filter((f) => f.endsWith(".json"));
    expect(file).toBeDefined();
    results = JSON.parse(readFileSync(join(out, file ?? ""), "utf8")) as BenchResults;
  }, 600_000);

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it("measures the floor and every scenario at concurrency 1 and 32, with no failed request", () => {
    expect(results.quick).toBe(true);
    expect(results.floor.runs.map((r) => r.concurrency)).toEqual([1, 32]);
    expect(results.floorSamples).toHaveLength(2);
    for (const store of results.stores) {
      expect(store.scenarios.map((s) => s.id)).toEqual([...SCENARIO_IDS]);
      for (const run of [...store.scenarios, results.floor].flatMap((s) => s.runs)) {
        expect(run.ok).toBeGreaterThan(0);
        expect(run.failed).toBe(0);
        expect(run.throughput).toBeGreaterThan(0);
        expect(run.p99Ms).toBeGreaterThanOrEqual(run.p50Ms);
        expect(run.peakRssBytes).toBeGreaterThan(10_000_000);
      }
    }
  });

  it("grows the store to each size before refreshing over it", () => {
    for (const store of results.stores) {
      expect(store.growth.map((g) => g.sessions)).toEqual(results.settings.growthSizes);
      for (const run of store.growth.flatMap((g) => g.runs)) {
        expect(run.ok).toBeGreaterThan(0);
        expect(run.failed).toBe(0);
      }
    }
  });

  it("measures PostgreSQL + Redis beside SQLite when they are given", async () => {
    const stores = results.stores.map((s) => s.store);
    if ((await postgresAnswers()) && (await redisAnswers())) {
      expect(stores).toEqual(["sqlite", "postgres + redis"]);
    } else {
      expect(stores).toEqual(["sqlite"]);
    }
  });

  it("judges every line of the budget and prints the tables", () => {
    expect(results.budget.map((b) => b.path)).toEqual([
      "session API refresh (`none`)",
      "session API refresh (`none`)",
      "session API refresh (`rotate`)",
      "session API refresh (`rotate`)",
      "operations API `refresh_operation_token`",
      "token API short-term exchange",
      "JWKS",
      "password login, concurrency 1",
      "password login, concurrency 32",
      "refresh with 10^4 live sessions",
      "server RSS, any scenario",
    ]);
    expect(results.hashTimeMs).toBeGreaterThan(0);
    expect(results.hashCapacityPerSecond).toBeGreaterThan(0);
    expect(printed).toContain("| **floor**: bare fastify JSON POST | 32 |");
    expect(printed).toContain("| session API: refresh (policy rotate) | 32 |");
    expect(printed).toContain("| OAuth: client_credentials (client_secret_basic) | 32 |");
    expect(printed).toContain("| OAuth: introspect a session access token | 32 |");
    expect(printed).toContain("| OAuth: introspect a client_credentials token | 32 |");
    expect(printed).toContain("### Budget");
  });
});

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function redisAnswers(): Promise<boolean> {
  const url = new URL(REDIS_URL);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port || 6379), url.hostname);
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
  });
}
