import type { TokenEndpointAuthMethod } from "../clients/auth-methods.js";
import type { GrantType } from "../clients/grant-types.js";
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
 * A client application of one tenant, whatever way it gets tokens: the
 * session API's API keys belong to one (spec 001), the token API's machine
 * identities are one (spec 004), and so are OAuth clients. It is
 * identified by `(tenantId, id)`: ids are unique within a tenant, as
 * Keycloak's client ids are within a realm.
 */
export interface ClientRecord {
  /** Generated (26 lowercase letters and digits) or chosen by the operator (`ci-bot`). */
  readonly id: ClientId;
  readonly tenantId: TenantId;
  readonly name: string;
  /** The grants it may use, in the RFC's names. */
  readonly grantTypes: readonly GrantType[];
  /** How it authenticates at a token endpoint; `none` is a public client. */
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /**
   * SHA-256 of its secret: set exactly when the auth method is
   * `client_secret_basic` or `client_secret_post`, null otherwise (a
   * public client, one that only holds API keys, a `private_key_jwt` one).
   */
  readonly secretHash: TokenHash | null;
  /** The first characters of the secret, enough for an operator to recognise it; null with no secret. */
  readonly secretPrefix: string | null;
  /**
   * SHA-256 of the secret a rotation with an overlap replaced: it is
   * accepted beside the new one until `previousSecretExpiresAt`, so the
   * client's deployments can move to the new secret without an outage.
   * Null when no such overlap was asked for.
   */
  readonly previousSecretHash: TokenHash | null;
  /** When the previous secret stops working; null without one. */
  readonly previousSecretExpiresAt: EpochMs | null;
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
  /**
   * One of Tessera's own applications (the CLI's `tessera-cli`), made by
   * bootstrap and never by an operator: a public client that may use the
   * password grant at the token endpoint by its id alone, whatever the
   * tenant's `oauthPasswordGrant`, as Keycloak's `admin-cli` does.
   */
  readonly firstParty: boolean;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}
