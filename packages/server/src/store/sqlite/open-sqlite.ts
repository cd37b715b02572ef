import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { CamelCasePlugin, Kysely } from "kysely";
import { migrateToLatest } from "../sql/migrate.js";
import type { Database } from "../sql/schema.js";
import { SqlStore } from "../sql/sql-store.js";
import { isSqliteUnavailable, UnavailableMappingDialect } from "../sql/unavailable.js";
import { GroupCommitSqliteDialect } from "./group-commit.js";
import { CachingSqliteDatabase } from "./statement-cache.js";

/** Options for {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Apply pending migrations before returning (the server and `tessera migrate` do). */
  readonly migrate?: boolean;
}

/**
 * Opens (creating if needed) the SQLite database at `path` as a {@link SqlStore}.
 *
 * Pragmas, and why:
 * - `journal_mode=WAL`: readers never block the writer, and the CLI can work
 *   on the file while the server runs;
 * - `synchronous=NORMAL`: in WAL mode a committed transaction survives a crash
 *   of the process; after a power loss or OS crash the last transactions
 *   before the loss may roll back (the database stays consistent). Set
 *   `TESSERA_SQLITE_SYNCHRONOUS=FULL` to also survive power loss, at the cost
 *   of an fsync per commit;
 * - `busy_timeout` (5 s unless `TESSERA_SQLITE_BUSY_TIMEOUT_MS` says otherwise):
 *   a writer waits for another process's write instead of failing at once;
 *   past it, the request answers 503 with `Retry-After`;
 * - `foreign_keys=ON`: the schema's references are enforced.
 */
export async function openSqliteStore(
  path: string,
  options: SqliteStoreOptions & {
    readonly synchronous?: "NORMAL" | "FULL";
    readonly busyTimeoutMs?: number;
  } = {},
): Promise<SqlStore> {
  if (path !== ":memory:") {
    mkdirSync(dirname(path), { recursive: true });
  }
  const database = new BetterSqlite3(path);
  database.pragma("journal_mode = WAL");
  database.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
  database.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  database.pragma("foreign_keys = ON");
  const db = new Kysely<Database>({
    dialect: new UnavailableMappingDialect(
      new GroupCommitSqliteDialect(new CachingSqliteDatabase(database)),
      isSqliteUnavailable,
    ),
    plugins: [new CamelCasePlugin()],
  });
  const applied =
    options.migrate === false ? [] : await migrateToLatest(db as Kysely<unknown>, "sqlite");
  return new SqlStore(db, "sqlite", applied);
}
