import type { EpochMs } from "../model/common.js";
import type { PurgeOptions } from "./store.js";

/** What {@link MaintenanceStore.tryLock} reports. */
export type LockOutcome<T> =
  | { readonly acquired: true; readonly result: T }
  | { readonly acquired: false };

/**
 * Background maintenance: deleting rows nothing can use any more. Audit
 * events are never deleted here; they are the record.
 *
 * Every purge deletes in statements of at most `batchSize` rows, each its
 * own transaction, so no purge holds a lock on many rows for long and the
 * requests running beside it barely notice. A purge is therefore not atomic:
 * one interrupted (an outage, an abort) has deleted some rows and leaves the
 * rest, consistent, for the next run.
 */
export interface MaintenanceStore {
  /**
   * Deletes sessions that ended (expired, or were revoked) before `before`,
   * with their refresh tokens: the tokens first (they reference the
   * session), then the sessions left without any. A session that is live, or
   * ended at or after `before`, is kept with every one of its tokens.
   *
   * Concurrency: safe beside logins, refreshes and revocations. A session
   * that gains a refresh token between the two steps (a rotation racing its
   * end) keeps it and is deleted by a later purge.
   */
  purgeEndedSessions(
    before: EpochMs,
    options?: PurgeOptions,
  ): Promise<{ readonly sessions: number; readonly refreshTokens: number }>;
  /**
   * Deletes automation tokens, long- and short-term, that ended (expired, or
   * were revoked, a rotation's overlap included) before `before`. A
   * short-term token goes before or with its parent: first those ended
   * themselves, then every one whose parent ended before `before`, then the
   * ended tokens left without children. Returns how many rows it deleted.
   */
  purgeEndedAutomationTokens(before: EpochMs, options?: PurgeOptions): Promise<number>;
  /**
   * Deletes one-time claims expired before `before`, in batches (an expired
   * claim may be claimed again, so deleting it changes no outcome). Returns
   * how many.
   */
  purgeExpiredClaims(before: EpochMs, options?: PurgeOptions): Promise<number>;
  /**
   * Runs `work` only if this call gets the lock `name`, and releases it when
   * `work` settles (resolved or thrown). `{ acquired: false }` without running
   * `work` when another holder has it.
   *
   * `work` gets a {@link MaintenanceStore} on the lock's own connection; run
   * the locked work through it, not through the outer store, so a pool of one
   * connection cannot wait on itself.
   *
   * Concurrency: on PostgreSQL a session advisory lock
   * (`pg_try_advisory_lock`) scoped to the schema, held by one connection for
   * the whole of `work`: of any number of holders across processes, one at a
   * time gets it. If that connection dies, PostgreSQL releases the lock. On
   * SQLite the lock is held in the process, per store: of the callers
   * sharing the store one at a time gets it; another process on the same
   * file is not excluded (its statements take turns with these, one writer
   * at a time).
   */
  tryLock<T>(name: string, work: (locked: MaintenanceStore) => Promise<T>): Promise<LockOutcome<T>>;
}
