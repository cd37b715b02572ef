import type { ClientId, TenantId, TokenHash } from "../ids.js";
import type { EpochMs, JsonObject } from "./common.js";

export type ClientStatus = "active" | "disabled";

/** A public key registered for JWT assertions (RFC 7523), as a JWK with `kid` and `alg`. */
export interface ClientPublicKey {
  readonly kid: string;
  readonly alg: "RS256" | "ES256" | "EdDSA";
  readonly jwk: JsonObject;
}

/**
 * A client application of the token API (spec 004): a machine identity
 * that proves itself with its secret, a TOTP code or a signed assertion.
 */
export interface ClientRecord {
  readonly id: ClientId;
  readonly tenantId: TenantId;
  readonly name: string;
  readonly secretHash: TokenHash;
  /** The first characters of the secret, enough for an operator to recognise it. */
  readonly secretPrefix: string;
  /** The RFC 6238 seed, sealed with the master key; null when OTP is not enrolled. */
  readonly totpSeedSealed: string | null;
  readonly publicKeys: readonly ClientPublicKey[];
  /** The scopes the client may hold. */
  readonly scopes: readonly string[];
  /**
   * The audiences its short-term tokens may be minted for besides the
   * tenant's issuer (which is always allowed), in the operator's order.
   */
  readonly audiences: readonly string[];
  /** The longest long-term token lifetime it may get, in days. */
  readonly maxTokenTtlDays: number;
  readonly status: ClientStatus;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}
