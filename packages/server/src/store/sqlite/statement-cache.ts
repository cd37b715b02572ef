import type BetterSqlite3 from "better-sqlite3";
import type { SqliteDatabase } from "kysely";

/** How many distinct statements stay prepared; Tessera issues far fewer shapes than this. */
const DEFAULT_CAPACITY = 512;

/**
 * Gives Kysely's SQLite driver one prepared statement per SQL text instead of
 * preparing the text anew on every query: SQLite's parse and plan was the
 * single largest cost of a refresh. Least recently used statements are
 * dropped past `capacity` (an `IN (…)` list of a new length is a new text).
 *
 * A statement still being iterated is busy and cannot run again, so a busy
 * one is never handed out: that caller gets a fresh, uncached statement.
 */
export class CachingSqliteDatabase implements SqliteDatabase {
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  constructor(
    private readonly database: BetterSqlite3.Database,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  prepare(sql: string): BetterSqlite3.Statement {
    const cached = this.#statements.get(sql);
    if (cached !== undefined) {
      if (cached.busy) {
        return this.database.prepare(sql);
      }
      // Re-inserting moves it to the end: the Map's order is the recency order.
      this.#statements.delete(sql);
      this.#statements.set(sql, cached);
      return cached;
    }
    const statement = this.database.prepare(sql);
    this.#statements.set(sql, statement);
    if (this.#statements.size > this.capacity) {
      const oldest = this.#statements.keys().next();
      if (oldest.done !== true) {
        this.#statements.delete(oldest.value);
      }
    }
    return statement;
  }

  /** Runs SQL without results (transaction control). */
  exec(sql: string): void {
    this.database.exec(sql);
  }

  /** Whether a transaction is open on the connection (SQLite ends one itself on some errors). */
  get inTransaction(): boolean {
    return this.database.inTransaction;
  }

  /** How many statements are prepared and kept. */
  get size(): number {
    return this.#statements.size;
  }

  close(): void {
    this.#statements.clear();
    this.database.close();
  }
}
