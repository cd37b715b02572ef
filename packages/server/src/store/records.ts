import type {
  ApiKeyId,
  ClientId,
  KeyId,
  RoleId,
  SessionId,
  TenantId,
  TokenHash,
  TokenId,
  UserId,
} from "../core/ids.js";

/** Times are milliseconds since the Unix epoch throughout. */
export type EpochMs = number;

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

export type UserStatus = "active" | "disabled";

export interface UserRecord {
  readonly id: UserId;
  readonly tenantId: TenantId;
  readonly username: string;
  readonly passwordHash: string;
  readonly status: UserStatus;
  /** Permissions granted to this user directly. */
  readonly permissions: readonly string[];
  readonly roleId: RoleId | null;
  /**
   * Permissions granted through the user's role, read with the user so a
   * change to the role applies to its members at once. Ignored on write.
   */
  readonly rolePermissions: readonly string[];
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

/** A JSON value, as a role's permission object holds. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };

/**
 * A named set of permissions users can be given (the operations API's roles).
 * `permission` is the object the operator wrote, kept verbatim for clients
 * that read it; `permissions` is what it grants in Tessera's own terms.
 */
export interface RoleRecord {
  readonly id: RoleId;
  readonly tenantId: TenantId;
  readonly name: string;
  readonly permission: JsonObject;
  readonly permissions: readonly string[];
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

export interface ApiKeyRecord {
  readonly id: ApiKeyId;
  readonly tenantId: TenantId;
  readonly clientId: ClientId;
  readonly name: string;
  readonly keyHash: TokenHash;
  /** The first characters of the key, enough for an operator to recognise it. */
  readonly keyPrefix: string;
  readonly createdAt: EpochMs;
  readonly lastUsedAt: EpochMs | null;
  readonly revokedAt: EpochMs | null;
}

export type SigningKeyStatus = "next" | "active" | "retired";

export interface SigningKeyRecord {
  readonly kid: KeyId;
  readonly tenantId: TenantId;
  readonly algorithm: SigningAlgorithm;
  readonly status: SigningKeyStatus;
  /** The public JWK as JSON (with `kid`, `alg`, `use`). */
  readonly publicJwk: string;
  /** The private JWK as JSON, sealed with the master key. */
  readonly privateKeySealed: string;
  readonly createdAt: EpochMs;
  readonly activatedAt: EpochMs | null;
  readonly retiredAt: EpochMs | null;
}

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

export type AuditDetail = Readonly<Record<string, string | number | boolean | null>>;

export interface AuditEventInput {
  readonly tenantId: TenantId;
  readonly at: EpochMs;
  readonly type: string;
  readonly actorUserId?: UserId | null;
  readonly subjectUserId?: UserId | null;
  readonly sessionId?: SessionId | null;
  readonly ip?: string | null;
  readonly detail?: AuditDetail;
}

export interface AuditEventRecord {
  readonly id: number;
  readonly tenantId: TenantId;
  readonly at: EpochMs;
  readonly type: string;
  readonly actorUserId: UserId | null;
  readonly subjectUserId: UserId | null;
  readonly sessionId: SessionId | null;
  readonly ip: string | null;
  readonly detail: AuditDetail;
}

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
