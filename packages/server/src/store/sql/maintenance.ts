import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/index.js";
import type { LockOutcome, MaintenanceStore, PurgeOptions } from "../../core/ports/index.js";
import type { SqlDialectName } from "./dialect.js";
import { tryWithLock } from "./locks.js";
import type { Database } from "./schema.js";

/** Rows one purge statement deletes at most, unless told otherwise. */
export const DEFAULT_PURGE_BATCH_SIZE = 1000;

/**
 * Runs `deleteBatch` (one statement deleting at most `limit` rows) until a
 * statement deletes fewer than `limit`, or the signal aborts. Returns the
 * rows deleted in all.
 */
async function deleteInBatches(
  options: PurgeOptions,
  deleteBatch: (limit: number) => Promise<bigint>,
): Promise<number> {
  const limit = options.batchSize ?? DEFAULT_PURGE_BATCH_SIZE;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`batchSize must be a positive whole number, not ${limit}`);
  }
  let total = 0;
  while (options.signal?.aborted !== true) {
    const deleted = Number(await deleteBatch(limit));
    total += deleted;
    if (deleted < limit) {
      break;
    }
  }
  return total;
}

/**
 * {@link MaintenanceStore} over SQL. Every statement is
 * `DELETE … WHERE key IN (SELECT key … LIMIT n)`, which SQLite and
 * PostgreSQL both run; "ended before" is `expires_at < t OR revoked_at < t`,
 * served by an index on each column. Only the lock differs by engine
 * (`locks.ts`).
 */
export class SqlMaintenanceStore implements MaintenanceStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialectName,
  ) {}

  async purgeEndedSessions(
    before: EpochMs,
    options: PurgeOptions = {},
  ): Promise<{ sessions: number; refreshTokens: number }> {
    // Tokens first: they reference their session.
    const refreshTokens = await deleteInBatches(options, async (limit) => {
      const result = await this.db
        .deleteFrom("refreshTokens")
        .where((eb) =>
          eb(
            "hash",
            "in",
            eb
              .selectFrom("refreshTokens as rt")
              .innerJoin("sessions as s", "s.id", "rt.sessionId")
              .select("rt.hash")
              .where((w) => w.or([w("s.expiresAt", "<", before), w("s.revokedAt", "<", before)]))
              .limit(limit),
          ),
        )
        .executeTakeFirst();
      return result.numDeletedRows;
    });
    // Only sessions left without tokens: one that gained a token since (a
    // rotation racing its end) waits for the next purge instead of failing
    // the foreign key.
    const sessions = await deleteInBatches(options, async (limit) => {
      const result = await this.db
        .deleteFrom("sessions")
        .where((eb) =>
          eb(
            "id",
            "in",
            eb
              .selectFrom("sessions as s")
              .select("s.id")
              .where((w) => w.or([w("s.expiresAt", "<", before), w("s.revokedAt", "<", before)]))
              .where((w) =>
                w.not(
                  w.exists(
                    w
                      .selectFrom("refreshTokens as rt")
                      .select("rt.hash")
                      .whereRef("rt.sessionId", "=", "s.id"),
                  ),
                ),
              )
              .limit(limit),
          ),
        )
        .executeTakeFirst();
      return result.numDeletedRows;
    });
    return { sessions, refreshTokens };
  }

  async purgeEndedAutomationTokens(before: EpochMs, options: PurgeOptions = {}): Promise<number> {
    // 1. Short-term tokens that ended themselves: nearly all of them, as
    //    they live minutes.
    const endedChildren = await deleteInBatches(options, async (limit) => {
      const result = await this.db
        .deleteFrom("automationTokens")
        .where((eb) =>
          eb(
            "id",
            "in",
            eb
              .selectFrom("automationTokens as c")
              .select("c.id")
              .where("c.parentId", "is not", null)
              .where((w) => w.or([w("c.expiresAt", "<", before), w("c.revokedAt", "<", before)]))
              .limit(limit),
          ),
        )
        .executeTakeFirst();
      return result.numDeletedRows;
    });
    // 2. Short-term tokens whose parent ended: they stopped working with it,
    //    and go before it.
    const orphanedChildren = await deleteInBatches(options, async (limit) => {
      const result = await this.db
        .deleteFrom("automationTokens")
        .where((eb) =>
          eb(
            "id",
            "in",
            eb
              .selectFrom("automationTokens as c")
              .innerJoin("automationTokens as p", "p.id", "c.parentId")
              .select("c.id")
              .where((w) => w.or([w("p.expiresAt", "<", before), w("p.revokedAt", "<", before)]))
              .limit(limit),
          ),
        )
        .executeTakeFirst();
      return result.numDeletedRows;
    });
    // 3. Ended tokens without a parent (long-term ones) that have no child
    //    left: one issued a child since step 2 keeps it until the next purge.
    const parents = await deleteInBatches(options, async (limit) => {
      const result = await this.db
        .deleteFrom("automationTokens")
        .where((eb) =>
          eb(
            "id",
            "in",
            eb
              .selectFrom("automationTokens as p")
              .select("p.id")
              .where("p.parentId", "is", null)
              .where((w) => w.or([w("p.expiresAt", "<", before), w("p.revokedAt", "<", before)]))
              .where((w) =>
                w.not(
                  w.exists(
                    w
                      .selectFrom("automationTokens as c")
                      .select("c.id")
                      .whereRef("c.parentId", "=", "p.id"),
                  ),
                ),
              )
              .limit(limit),
          ),
        )
        .executeTakeFirst();
      return result.numDeletedRows;
    });
    return endedChildren + orphanedChildren + parents;
  }

  async purgeExpiredClaims(before: EpochMs, options: PurgeOptions = {}): Promise<number> {
    return deleteInBatches(options, async (limit) => {
      const result = await this.db
        .deleteFrom("oneTimeClaims")
        .where((eb) =>
          eb(
            "key",
            "in",
            eb
              .selectFrom("oneTimeClaims as o")
              .select("o.key")
              .where("o.expiresAt", "<", before)
              .limit(limit),
          ),
        )
        .executeTakeFirst();
      return result.numDeletedRows;
    });
  }

  tryLock<T>(
    name: string,
    work: (locked: MaintenanceStore) => Promise<T>,
  ): Promise<LockOutcome<T>> {
    return tryWithLock(this.db, this.dialect, name, (connection) =>
      work(new SqlMaintenanceStore(connection, this.dialect)),
    );
  }
}
