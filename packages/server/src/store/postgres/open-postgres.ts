import { CamelCasePlugin, Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import {
  hasTesseraTables,
  migrateToLatest,
  NoTesseraDatabaseError,
  type StoreCreation,
} from "../sql/migrate.js";
import type { Database } from "../sql/schema.js";
import { SqlStore } from "../sql/sql-store.js";
import {
  isPostgresInvalidText,
  isPostgresUnavailable,
  UnavailableMappingDialect,
} from "../sql/unavailable.js";

/** Options for {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** Apply pending migrations before returning (the server and `tessera migrate` do). */
  readonly migrate?: boolean;
  /** Connections in this process's pool (default 10). */
  readonly poolSize?: number;
  /** A schema to work in (created if missing) instead of `public`: tests keep apart this way. */
  readonly schema?: string;
  /**
   * What may be created when missing (default `database`: the schema and the
   * tables). With `nothing`, a database (or schema) without Tessera's tables
   * fails with {@link NoTesseraDatabaseError} and nothing is written.
   */
  readonly create?: StoreCreation;
}

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens the PostgreSQL database at `url` as a {@link SqlStore}: the same
 * store, queries and migrations as SQLite, over a pool of connections.
 *
 * - Connecting gives up after 2 s, so an outage answers 503 quickly instead
 *   of queueing requests; the pool reconnects by itself when the server is
 *   back, with no restart.
 * - Migrations take a PostgreSQL advisory lock (Kysely's migrator does), so
 *   instances starting at once apply each version exactly once.
 * - An idle connection the server drops (a restart, `pg_terminate_backend`)
 *   is discarded by the pool, never fatal to the process.
 */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<SqlStore> {
  if (options.schema !== undefined && !SCHEMA_PATTERN.test(options.schema)) {
    throw new Error(`Not a schema name: ${options.schema}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 30_000,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // Without a listener, a client's error (the server went away, or ended the
  // connection with pg_terminate_backend) would crash the process. Idle
  // clients report through the pool; a client in use reports on itself, and
  // its query fails too, which the store turns into `unavailable`.
  pool.on("error", () => {});
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });
  const create = options.create ?? "database";
  if (options.schema !== undefined && create !== "nothing") {
    // Instances starting together race even on "if not exists"; the loser's
    // duplicate means the schema is there, which is all that was asked.
    await pool.query(`create schema if not exists ${options.schema}`).catch((error: unknown) => {
      const code = (error as { code?: unknown }).code;
      if (code !== "23505" && code !== "42P06") {
        throw error;
      }
    });
  }
  const db = new Kysely<Database>({
    dialect: new UnavailableMappingDialect(
      new PostgresDialect({ pool }),
      isPostgresUnavailable,
      isPostgresInvalidText,
    ),
    plugins: [new CamelCasePlugin()],
  });
  if (
    create === "nothing" &&
    !(await hasTesseraTables(db as Kysely<unknown>, "postgres", options.schema))
  ) {
    await db.destroy();
    throw new NoTesseraDatabaseError("tables");
  }
  const applied =
    options.migrate === false
      ? []
      : await migrateToLatest(db as Kysely<unknown>, "postgres", {
          ...(options.schema === undefined ? {} : { schema: options.schema }),
        });
  return new SqlStore(db, "postgres", applied);
}
