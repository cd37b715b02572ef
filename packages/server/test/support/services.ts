import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { describe, it } from "vitest";

/** The PostgreSQL the suites use: this machine's, database `test`, unless overridden. */
export const POSTGRES_URL =
  process.env.TESSERA_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
/** The Redis the suites use. */
export const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const START = {
  PostgreSQL:
    "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (or set TESSERA_TEST_POSTGRES_URL)",
  Redis:
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no (or set TESSERA_TEST_REDIS_URL)',
} as const;

/** True when PostgreSQL answers at {@link POSTGRES_URL} within two seconds. */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** This test run's id (set by the global setup), so a run drops only its own schemas. */
function runId(): string {
  return process.env.TESSERA_TEST_RUN ?? "adhoc";
}

/** A fresh schema name, so suites sharing the database never see each other's rows. */
export function newTestSchema(): string {
  return `tessera_test_${runId()}_${randomBytes(6).toString("hex")}`;
}

/**
 * A fresh `TESSERA_REDIS_PREFIX`, so runs and suites sharing one Redis never
 * see each other's counters.
 */
export function newRedisPrefix(): string {
  return `tessera-test:${runId()}:${randomBytes(6).toString("hex")}`;
}

/**
 * Lets go of a schema made by {@link newTestSchema}. It is not dropped now:
 * a `DROP SCHEMA` while another worker's migrator reads the catalog makes
 * that read fail (42P01), so the run's schemas are dropped together when it
 * ends ({@link dropAllTestSchemas}, from the global setup).
 */
export async function dropTestSchema(_schema: string): Promise<void> {}

/** Drops every schema {@link newTestSchema} made in this run. Run once, when its tests are done. */
export async function dropAllTestSchemas(): Promise<number> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2_000 });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch {
    return 0;
  }
  try {
    const { rows } = await client.query<{ nspname: string }>(
      "select nspname from pg_namespace where nspname like $1",
      [`tessera\\_test\\_${runId()}\\_%`],
    );
    for (const { nspname } of rows) {
      await client.query(`drop schema if exists ${nspname} cascade`);
    }
    return rows.length;
  } finally {
    await client.end();
  }
}

/**
 * Declares suites that need a service. When the service is not reachable
 * they are skipped with a loud message naming what to start, except under
 * `CI=true`, where they are required: a test fails in their place.
 */
export function describeWithService(
  service: keyof typeof START,
  available: boolean,
  title: string,
  suites: () => void,
): void {
  if (available) {
    describe(title, suites);
    return;
  }
  const message = `${service} is not reachable, so "${title}" cannot run. Start it: ${START[service]}`;
  if (process.env.CI === "true") {
    describe(title, () => {
      it(`needs ${service}`, () => {
        throw new Error(message);
      });
    });
    return;
  }
  process.stderr.write(`\n  SKIPPED: ${message}\n\n`);
  describe.skip(title, suites);
}

/** True when Redis answers PING at {@link REDIS_URL} within two seconds. */
export async function redisAvailable(): Promise<boolean> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
