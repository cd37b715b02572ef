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
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}
