import type { ClientId, TenantId, TokenHash, TokenId } from "../ids.js";
import type { EpochMs } from "./common.js";

export type AutomationTokenKind = "long_term" | "short_term";

/**
 * A long- or short-term token of a client. A long-term token is opaque and
 * stored as its hash; a short-term token is a JWT whose row records its
 * parent, so it can be listed and revoked by id and dies with its parent.
 */
export interface AutomationTokenRecord {
  readonly id: TokenId;
  readonly tenantId: TenantId;
  readonly clientId: ClientId;
  readonly kind: AutomationTokenKind;
  readonly name: string;
  /** SHA-256 of a long-term token; null for a short-term token. */
  readonly hash: TokenHash | null;
  /** The first characters of a long-term token; null for a short-term token. */
  readonly prefix: string | null;
  readonly scopes: readonly string[];
  /** A short-term token's `aud`. */
  readonly audience: string | null;
  /** A short-term token's long-term parent. */
  readonly parentId: TokenId | null;
  readonly createdAt: EpochMs;
  readonly expiresAt: EpochMs;
  readonly lastUsedAt: EpochMs | null;
  /** When the token stops working. It may lie ahead: a rotated token keeps working through an overlap. */
  readonly revokedAt: EpochMs | null;
  readonly revokedReason: string | null;
  /** The token that replaced this one by rotation. */
  readonly replacedById: TokenId | null;
}
