import type { TenantId } from "../ids.js";
import type { EpochMs } from "./common.js";

export type RefreshPolicy = "none" | "rotate";
export type SigningAlgorithm = "ES256" | "RS256" | "EdDSA";

/** A tenant is a user pool: its users, keys and tokens never cross to another. */
export interface TenantRecord {
  readonly id: TenantId;
  readonly displayName: string;
  readonly accessTokenTtlSeconds: number;
  readonly idTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly refreshPolicy: RefreshPolicy;
  readonly refreshGraceSeconds: number;
  readonly signingAlgorithm: SigningAlgorithm;
  /** Lifetime of the operations API's operation token (its refresh token lives `refreshTokenTtlSeconds`). */
  readonly operationTokenTtlSeconds: number;
  /**
   * Whether OAuth's token endpoint serves the resource owner password grant
   * (RFC 6749 §4.3) for this tenant. Off unless an operator turns it on:
   * the grant hands a user's password to a client (RFC 9700 §2.4 says it
   * must not be used), and is kept for clients that cannot do otherwise.
   */
  readonly oauthPasswordGrant: boolean;
  /**
   * Days an active signing key signs before the server's key rotation
   * schedule rotates it; 0 rotates only by hand (`tessera keys rotate`).
   */
  readonly signingKeyRotationDays: number;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}
