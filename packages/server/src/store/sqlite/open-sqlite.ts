import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { CamelCasePlugin, Kysely } from "kysely";
import { migrateToLatest, NoTesseraDatabaseError, type StoreCreation } from "../sql/migrate.js";
import type { Database } from "../sql/schema.js";
import { SqlStore } from "../sql/sql-store.js";
import { isSqliteUnavailable, UnavailableMappingDialect } from "../sql/unavailable.js";
import { GroupCommitSqliteDialect } from "./group-commit.js";
import { CachingSqliteDatabase } from "./statement-cache.js";

/** Options for {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Apply pending migrations before returning (the server and `tessera migrate` do). */
  readonly migrate?: boolean;
  /**
   * What may be created when missing (default `database`: the file, its
   * directory and the tables). Otherwise a missing file, and with `nothing`
   * a file without Tessera's tables, fail with {@link NoTesseraDatabaseError}
   * and nothing is written.
   */
  readonly create?: StoreCreation;
}

/**
 * Opens (creating it if `options.create` allows) the SQLite database at `path` as a {@link SqlStore}.
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
  const create = options.create ?? "database";
  if (path !== ":memory:") {
    if (create === "database") {
      mkdirSync(dirname(path), { recursive: true });
    } else if (!existsSync(path)) {
      throw new NoTesseraDatabaseError("database");
    }
  }
  const database = new BetterSqlite3(path, { fileMustExist: create !== "database" });
  // Looked at before any pragma, which would write to a file that is not Tessera's.
  if (create === "nothing" && !hasMigrationTable(database)) {
    database.close();
    throw new NoTesseraDatabaseError("tables");
  }
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

/** Whether the file holds Tessera's record of migrations. */
function hasMigrationTable(database: BetterSqlite3.Database): boolean {
  return (
    database
      .prepare("select 1 from sqlite_master where type = 'table' and name = 'tessera_migrations'")
      .get() !== undefined
  );
}
