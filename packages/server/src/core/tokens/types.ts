import type { Actor } from "../actor.js";
import type { ClientId, SessionId, TenantId, TokenId, UserId } from "../ids.js";
import type {
  AutomationTokenRecord,
  ClientRecord,
  EpochMs,
  SessionRecord,
  TenantRecord,
  UserRecord,
} from "../model/index.js";

/**
 * Every kind of bearer token Tessera issues. Each has one module in
 * `kinds/` that verifies, introspects and revokes it.
 */
export const TOKEN_KINDS = [
  // The session API's RFC 9068 access token (`token_use: "access"`, `sid`).
  "access_token",
  // The session API's ID token (`token_use: "id"`).
  "id_token",
  // The session API's opaque refresh token (`tsr_rt_…`).
  "refresh_token",
  // The operations API's RS256 operation token (`sub: "operation"`).
  "operation_token",
  // The operations API's RS256 refresh token (`sub: "refresh"`).
  "operation_refresh_token",
  // The token API's opaque long-term token (`tsr_lt_…`).
  "long_term_token",
  // The token API's short-term JWT (`typ: automation+jwt`).
  "short_term_token",
  // An RFC 9068 access token issued to a client without a session (client_credentials).
  "client_access_token",
  // An RFC 9068 access token by which an actor acts for a user (token exchange,
  // delegation): `token_use: "delegated"`, the user's `sid`, and `act`.
  "delegated_access_token",
] as const;

/** A kind of bearer token Tessera issues. */
export type TokenKind = (typeof TOKEN_KINDS)[number];

/**
 * Tessera credentials that are not bearer tokens: a client's secret and an
 * API key prove a client, and are refused wherever a token is expected.
 */
export type ClientCredentialKind = "client_secret" | "api_key";

/** What {@link identifyToken} says a string is. */
export type IdentifiedKind = TokenKind | ClientCredentialKind | "unknown";

/**
 * Why a token was refused. Neutral: each dialect words them (a core error
 * for them comes from `tokenError`).
 *
 * - `malformed`: not a token of the kind it claims to be: undecodable, bad
 *   checksum, bad signature, an algorithm off the allow-list, missing or
 *   wrong claims;
 * - `unknown`: well formed, but Tessera holds no such token (no row, no
 *   session);
 * - `expired`, `revoked`: itself, or what it lives by (its session, its
 *   parent, its user);
 * - `rotated`: a refresh token already exchanged for its successor;
 * - `client_disabled`: its client is disabled;
 * - `wrong_tenant`, `wrong_kind`, `wrong_audience`: a good token, sent
 *   where it does not belong;
 * - `mismatched`: two good tokens sent together as one caller's (an ID
 *   token and its access token) that are not of one session and user.
 */
export type TokenFailureReason =
  | "malformed"
  | "unknown"
  | "expired"
  | "revoked"
  | "rotated"
  | "client_disabled"
  | "wrong_tenant"
  | "wrong_kind"
  | "wrong_audience"
  | "mismatched";

/** A refused token: a value, not an exception (refusal is an expected outcome). */
export interface TokenFailure {
  readonly valid: false;
  readonly reason: TokenFailureReason;
  /** For logs only; never sent to a client. */
  readonly detail?: string;
}

/** What a caller requires of a token beyond its being valid. */
export interface TokenExpectations<K extends TokenKind = TokenKind> {
  /** The kinds accepted here; any other is `wrong_kind`. */
  readonly kinds: readonly K[];
  /** The tenant the token must belong to; when absent the token's own tenant (found by its record). */
  readonly tenantId?: TenantId;
  /**
   * An `aud` the token must carry, always as a literal value (for session
   * tokens: the client they were issued to). When absent, the kinds minted
   * for others' audiences (client access and short-term tokens) must carry
   * the tenant's issuer.
   */
  readonly audience?: string;
}

/** An actor claim (RFC 8693 §4.1): who acts, and nested, on whose behalf they in turn act. */
export interface ActorClaim {
  readonly sub: string;
  readonly act?: ActorClaim;
}

interface VerifiedBase {
  readonly valid: true;
  readonly tenantId: TenantId;
  /** `sub`: a user id for session kinds, a client id for client kinds. */
  readonly subject: string;
  readonly clientId: ClientId;
  readonly issuedAt: EpochMs;
  readonly expiresAt: EpochMs;
}

/** A verified token that lives by a session: its session is live and its user active. */
export interface VerifiedSessionToken extends VerifiedBase {
  readonly kind:
    | "access_token"
    | "id_token"
    | "refresh_token"
    | "operation_token"
    | "operation_refresh_token";
  readonly subject: UserId;
  readonly session: SessionRecord;
  readonly user: UserRecord;
  readonly jti: string | undefined;
  readonly scopes: readonly string[];
  readonly audience: readonly string[];
  readonly act: ActorClaim | undefined;
  /** RFC 8693 §4.4 `may_act`: who alone may act for its subject, when the token names one. */
  readonly mayAct?: ActorClaim;
}

/** A verified long- or short-term token: it, its parent and its client are live. */
export interface VerifiedAutomationToken extends VerifiedBase {
  readonly kind: "long_term_token" | "short_term_token";
  readonly tenant: TenantRecord;
  readonly client: ClientRecord;
  readonly token: AutomationTokenRecord;
  /** The token's scopes that its client still holds. */
  readonly scopes: readonly string[];
  readonly audience: readonly string[];
}

/** A verified client access token (client_credentials): its client is active, its `jti` not revoked. */
export interface VerifiedClientAccessToken extends VerifiedBase {
  readonly kind: "client_access_token";
  readonly client: ClientRecord;
  readonly jti: string;
  readonly scopes: readonly string[];
  readonly audience: readonly string[];
  readonly act: ActorClaim | undefined;
}

/**
 * A verified delegated access token: its subject's session is live, its
 * client active, its `jti` not revoked. `subject` is the user acted for;
 * `act` names who acts (RFC 8693 §4.1), nested when they act in turn for another.
 */
export interface VerifiedDelegatedToken extends VerifiedBase {
  readonly kind: "delegated_access_token";
  readonly subject: UserId;
  readonly session: SessionRecord;
  readonly user: UserRecord;
  readonly client: ClientRecord;
  readonly jti: string;
  readonly scopes: readonly string[];
  readonly audience: readonly string[];
  readonly act: ActorClaim;
}

/** A token that passed verification, with what each kind is proven by. */
export type VerifiedToken =
  | VerifiedSessionToken
  | VerifiedAutomationToken
  | VerifiedClientAccessToken
  | VerifiedDelegatedToken;

/** The verified form of a kind (of each kind, for a union). */
export type VerifiedOf<K extends TokenKind> = K extends VerifiedSessionToken["kind"]
  ? VerifiedSessionToken
  : K extends VerifiedAutomationToken["kind"]
    ? VerifiedAutomationToken
    : K extends VerifiedDelegatedToken["kind"]
      ? VerifiedDelegatedToken
      : VerifiedClientAccessToken;

/**
 * A neutral description of an active token, for introspection (RFC 7662
 * §2.2 is one rendering of it). Times are ms since the epoch.
 */
export interface ActiveIntrospection {
  readonly active: true;
  readonly kind: TokenKind;
  readonly tenantId: TenantId;
  readonly subject: string;
  readonly username?: string;
  readonly clientId: ClientId;
  readonly scopes: readonly string[];
  readonly audience: readonly string[];
  readonly sessionId?: SessionId;
  readonly parentId?: TokenId;
  readonly act?: ActorClaim;
  readonly issuedAt: EpochMs;
  readonly expiresAt: EpochMs;
  readonly notBefore?: EpochMs;
  readonly jti?: string;
  readonly issuer: string;
}

/** An inactive token says nothing more (RFC 7662 §2.2): unknown, expired, revoked, another tenant's. */
export interface InactiveIntrospection {
  readonly active: false;
}

export type Introspection = ActiveIntrospection | InactiveIntrospection;

/**
 * Which tenants' tokens a caller may see or end: one tenant's, always named
 * (nothing crosses tenants), or, said explicitly, every tenant's (an
 * operator's tool). A scope that says neither matches nothing.
 */
export type TenantChoice =
  | { readonly tenantId: TenantId; readonly allTenants?: never }
  | { readonly allTenants: true; readonly tenantId?: never };

/** Whose tokens a caller may see (introspection) or end (revocation). */
export type TokenScope = TenantChoice & {
  /** Only these kinds (a dialect revokes only the kinds it issues). */
  readonly kinds?: readonly TokenKind[];
  /** Only tokens issued to this client, unless `admin`. */
  readonly clientId?: ClientId;
  /** Any token of the tenant, whatever its client. */
  readonly admin?: boolean;
};

/** Who revokes, and why: what the audit trail records. */
export type Revoker = TokenScope &
  Actor & {
    readonly reason: string;
  };

/**
 * The actor a revocation's audit event records: a revoker limited to one
 * client's tokens (`clientId`) is that client revoking, unless it names
 * another actor client.
 */
export function revokerActor(by: Revoker): Actor {
  return {
    actorUserId: by.actorUserId ?? null,
    actorClientId: by.actorClientId ?? by.clientId ?? null,
    ip: by.ip ?? null,
  };
}

/**
 * What a revocation did. A token that is unknown, another's, or already
 * revoked is not an error (RFC 7009 §2.2): `matched` is then false, or the
 * lists are empty.
 */
export interface RevocationResult {
  /** True when the token was one this revoker may end (whether or not it was still live). */
  readonly matched: boolean;
  /** The session a matched token lives by, for the kinds that live by one (ended now or before). */
  readonly sessionId?: SessionId;
  /** Sessions this call ended (a session's impersonation children included). */
  readonly sessionsEnded: readonly SessionId[];
  /** Long- and short-term tokens this call ended. */
  readonly tokensEnded: readonly TokenId[];
  /** `jti`s of client and delegated access tokens this call revoked. */
  readonly jtisRevoked: readonly string[];
}

/**
 * The {@link RevocationResult} of a call that matched nothing: one object
 * every such call returns, so frozen to the last list, and no caller can
 * change what the next one is told.
 */
export const NOTHING_REVOKED: RevocationResult = Object.freeze({
  matched: false,
  sessionsEnded: Object.freeze([]),
  tokensEnded: Object.freeze([]),
  jtisRevoked: Object.freeze([]),
});
