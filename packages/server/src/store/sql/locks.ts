import { type Kysely, sql } from "kysely";
import { TesseraError } from "../../core/errors.js";
import type { LockOutcome } from "../../core/ports/index.js";
import type { SqlDialectName } from "./dialect.js";
import type { Database } from "./schema.js";

/**
 * The first half of every Tessera advisory lock key (the second is the
 * lock's name hashed with the schema), so that no other application's
 * advisory locks, nor Kysely's migration lock (a single bigint key, a
 * separate key space), collide with ours.
 */
const TESSERA_LOCK_SPACE = 0x7e55e7a;

/** The lock names held on each SQLite store, by its handle; a name is freed when its work settles. */
const heldOnSqlite = new WeakMap<Kysely<Database>, Set<string>>();

/**
 * Runs `work` only if this call gets the lock `name`; see
 * {@link MaintenanceStore.tryLock} for the contract.
 *
 * PostgreSQL: a session-level `pg_try_advisory_lock` taken, used and
 * released on one pinned connection, which `work` receives, so the lock can
 * never be released from (or leak onto) another connection of the pool.
 * The key includes `current_schema()`, so deployments sharing a database in
 * separate schemas do not exclude each other.
 *
 * SQLite: held in this process, per store: of the callers sharing one
 * store (a server's scheduled purges, its start-up), one at a time gets it;
 * `work` gets the store's own handle. Another process on the same file (a
 * `tessera purge` beside the server) is not excluded; SQLite's one writer
 * at a time makes such purges take turns statement by statement.
 */
export async function tryWithLock<T>(
  db: Kysely<Database>,
  dialect: SqlDialectName,
  name: string,
  work: (connection: Kysely<Database>) => Promise<T>,
): Promise<LockOutcome<T>> {
  if (dialect === "sqlite") {
    return tryWithProcessLock(db, name, work);
  }
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{ key: number; locked: boolean }>`
      select k.key, pg_try_advisory_lock(${TESSERA_LOCK_SPACE}::int4, k.key) as locked
      from (select hashtext(current_schema() || '/' || ${name}::text) as key) as k
    `.execute(connection);
    const row = rows[0];
    if (row === undefined || !row.locked) {
      return { acquired: false };
    }
    const unlock = async () => {
      try {
        await sql`select pg_advisory_unlock(${TESSERA_LOCK_SPACE}::int4, ${row.key}::int4)`.execute(
          connection,
        );
      } catch (error) {
        // A dead connection took its session, and the lock, with it.
        if (!(error instanceof TesseraError && error.code === "unavailable")) {
          throw error;
        }
      }
    };
    let result: T;
    try {
      result = await work(connection);
    } catch (error) {
      await unlock().catch(() => {
        // work's failure is the one to report.
      });
      throw error;
    }
    await unlock();
    return { acquired: true, result };
  });
}

async function tryWithProcessLock<T>(
  db: Kysely<Database>,
  name: string,
  work: (connection: Kysely<Database>) => Promise<T>,
): Promise<LockOutcome<T>> {
  let held = heldOnSqlite.get(db);
  if (held === undefined) {
    held = new Set();
    heldOnSqlite.set(db, held);
  }
  // Checked and taken in one synchronous step, so two callers cannot both see it free.
  if (held.has(name)) {
    return { acquired: false };
  }
  held.add(name);
  try {
    return { acquired: true, result: await work(db) };
  } finally {
    held.delete(name);
  }
}
