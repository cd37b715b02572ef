import type { EpochMs } from "../model/common.js";

/**
 * Keys that may be used once until they expire: a TOTP time step of a
 * client, an assertion's `jti`, a revoked access token's `jti` (kept until
 * the token's own `exp`). Kept in the store, so a claim holds across
 * restarts and across every instance sharing the store.
 */
export interface OneTimeClaimStore {
  /**
   * Claims `key` until `expiresAt`. True for the first claim; false while an
   * earlier claim is unexpired at `now`. An expired claim may be claimed
   * again.
   *
   * Concurrency: one statement (an insert, or an update of an expired row).
   * Of any number of concurrent claims of one key, across processes,
   * exactly one returns true.
   */
  claim(key: string, expiresAt: EpochMs, now: EpochMs): Promise<boolean>;
  /**
   * True while a claim of `key` is held at `now` (claimed, and not expired).
   * Reads only: asking never claims.
   *
   * Concurrency: one read; a claim committed before the call is seen.
   */
  isClaimed(key: string, now: EpochMs): Promise<boolean>;
  /** Deletes claims expired before `before`. Returns how many. */
  purgeExpired(before: EpochMs): Promise<number>;
}
