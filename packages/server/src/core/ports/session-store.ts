import type { ClientId, SessionId, TenantId, TokenHash, UserId } from "../ids.js";
import type { EpochMs } from "../model/common.js";
import type { RefreshTokenRecord, SessionRecord } from "../model/session.js";

export interface SessionStore {
  /** Inserts a session and its first refresh token in one transaction. */
  create(session: SessionRecord, firstRefreshToken: RefreshTokenRecord): Promise<void>;
  get(id: SessionId): Promise<SessionRecord | undefined>;
  /**
   * A tenant's sessions, newest first (by `createdAt`, then `id`); live ones
   * only unless `includeEnded`; with `after`, only those that come after
   * that session in this order, so a reader paging on never skips one.
   */
  list(
    tenantId: TenantId,
    filter: {
      readonly userId?: UserId;
      readonly clientId?: ClientId;
      readonly includeEnded?: boolean;
      readonly after?: { readonly createdAt: EpochMs; readonly id: SessionId };
      readonly now: EpochMs;
      readonly limit: number;
    },
  ): Promise<SessionRecord[]>;
  /**
   * Revokes a session and every session whose parent it is (impersonation).
   * Idempotent: returns the ids this call revoked (empty if already revoked).
   */
  revoke(id: SessionId, at: EpochMs, reason: string): Promise<SessionId[]>;
  /** Revokes every live session of a user, and their children. Returns the ids revoked. */
  revokeAllForUser(
    tenantId: TenantId,
    userId: UserId,
    at: EpochMs,
    reason: string,
  ): Promise<SessionId[]>;
  markRefreshed(id: SessionId, at: EpochMs): Promise<void>;
}

/** What {@link RefreshTokenStore.rotate} reports. */
export type RotateResult =
  | { readonly rotated: true }
  | { readonly rotated: false; readonly current: RefreshTokenRecord | undefined };

export interface RefreshTokenStore {
  getByHash(hash: TokenHash): Promise<RefreshTokenRecord | undefined>;
  /**
   * Marks `oldHash` rotated (recording `successorSealed`) and inserts
   * `successor`, in one transaction, only if `oldHash` is not yet rotated.
   *
   * Concurrency: a compare-and-swap on `rotated_at IS NULL`. Of any number of
   * concurrent calls for one `oldHash`, across processes, exactly one returns
   * `{ rotated: true }`. Every other returns `{ rotated: false, current }`
   * with the row as the winner committed it, so a caller inside the grace
   * window can hand out the winner's sealed pair.
   */
  rotate(input: {
    readonly oldHash: TokenHash;
    readonly successor: RefreshTokenRecord;
    readonly successorSealed: string;
    readonly at: EpochMs;
  }): Promise<RotateResult>;
}
