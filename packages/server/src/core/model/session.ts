import type { ApiKeyId, ClientId, SessionId, TenantId, TokenHash, UserId } from "../ids.js";
import type { EpochMs } from "./common.js";

export interface SessionRecord {
  readonly id: SessionId;
  readonly tenantId: TenantId;
  readonly userId: UserId;
  readonly clientId: ClientId;
  readonly apiKeyId: ApiKeyId | null;
  readonly authTime: EpochMs;
  readonly createdAt: EpochMs;
  /** Absolute end of the refresh family; rotation does not extend it. */
  readonly expiresAt: EpochMs;
  readonly lastRefreshedAt: EpochMs | null;
  readonly revokedAt: EpochMs | null;
  readonly revokedReason: string | null;
  /** For an impersonation session: the user acting as `userId`. */
  readonly impersonatorUserId: UserId | null;
  /** For an impersonation session: the caller's session, which it dies with. */
  readonly parentSessionId: SessionId | null;
}

export interface RefreshTokenRecord {
  readonly hash: TokenHash;
  readonly sessionId: SessionId;
  readonly tenantId: TenantId;
  readonly createdAt: EpochMs;
  readonly expiresAt: EpochMs;
  /** Set once the token has been exchanged for a successor (policy `rotate`). */
  readonly rotatedAt: EpochMs | null;
  /** The successor's token pair, sealed, so callers inside the grace window get the same pair. */
  readonly successorSealed: string | null;
}
