import type { JWTPayload } from "jose";
import type { AccessTokenKind, AccessTokenType } from "./options.js";

/**
 * Who acts (RFC 8693 §4.1): in an impersonation's or a delegated token, the
 * user or client acting for `sub`; nested when an impersonation's token was
 * delegated, so the whole chain shows.
 *
 * @example
 * const actor: ActorClaim = { sub: "bob-id", act: { sub: "admin-id" } };
 */
export interface ActorClaim {
  readonly sub: string;
  readonly act?: ActorClaim;
}

/**
 * The claims of a verified Tessera access token (RFC 9068 §2.2 and Tessera's
 * own). Every member is checked for its type; the registered ones are
 * always there.
 *
 * @example
 * const { claims } = await verifyAccessToken(token, { issuer, audience });
 * console.log(claims.sub, claims.client_id, claims.username ?? "(a client)");
 */
export interface AccessTokenClaims extends JWTPayload {
  readonly iss: string;
  /** The user's id, or for a client's own or short-term token, the client id. */
  readonly sub: string;
  readonly aud: string | string[];
  readonly exp: number;
  readonly iat: number;
  readonly jti: string;
  /** The client the token was issued to. */
  readonly client_id: string;
  /** Its scopes, space-separated. */
  readonly scope?: string;
  readonly scopes?: string[];
  /** The session a user's or delegated token lives and dies by. */
  readonly sid?: string;
  /** The user's username (session API tokens). */
  readonly username?: string;
  /** `access` (a user's), `delegated`, `automation` (short-term); absent on a client's own token. */
  readonly token_use?: "access" | "delegated" | "automation";
  /** When the user signed in (seconds). */
  readonly auth_time?: number;
  /** Who acts for `sub`: an impersonator or a delegate. */
  readonly act?: ActorClaim;
  /** Who `sub` allows to act for them (RFC 8693 §4.4). */
  readonly may_act?: ActorClaim;
  /** A short-term token's long-term parent. */
  readonly parent_token_id?: string;
}

/** Why the claims do not make an access token, or the kind they make. */
export type Classification =
  | { readonly kind: AccessTokenKind; readonly claims: AccessTokenClaims }
  | { readonly kind: undefined; readonly detail: string };

const MAX_ACT_DEPTH = 8;

/** The actor claim if it is well formed (`{sub}`, nested at most 8 deep). */
export function actorOf(value: unknown, depth = 0): ActorClaim | undefined {
  if (typeof value !== "object" || value === null || depth > MAX_ACT_DEPTH) {
    return undefined;
  }
  const { sub, act } = value as { sub?: unknown; act?: unknown };
  if (typeof sub !== "string") {
    return undefined;
  }
  if (act === undefined) {
    return { sub };
  }
  const inner = actorOf(act, depth + 1);
  return inner === undefined ? undefined : { sub, act: inner };
}

/** The kind a signed token's `typ` and claims make, among Tessera's access tokens. */
export function classifyClaims(typ: AccessTokenType, payload: JWTPayload): Classification {
  const wrongType = wronglyTyped(payload);
  if (wrongType !== undefined) {
    return { kind: undefined, detail: `${wrongType} has the wrong type` };
  }
  const claims = payload as AccessTokenClaims;
  const sessionBound = typeof claims.sid === "string";
  let kind: AccessTokenKind | undefined;
  if (typ === "automation+jwt") {
    kind = claims.token_use === "automation" && !sessionBound ? "short_term_token" : undefined;
  } else if (claims.token_use === "access") {
    kind = sessionBound ? "access_token" : undefined;
  } else if (claims.token_use === "delegated") {
    kind = sessionBound && claims.act !== undefined ? "delegated_access_token" : undefined;
  } else if (claims.token_use === undefined) {
    kind = !sessionBound && claims.sub === claims.client_id ? "client_access_token" : undefined;
  }
  // An ID token (`token_use: "id"`), or any use Tessera does not give an access token.
  return kind === undefined
    ? { kind: undefined, detail: "not an access token (token_use, sid or sub)" }
    : { kind, claims };
}

/** The first claim whose value is not of its type, if any. */
function wronglyTyped(payload: JWTPayload): string | undefined {
  const strings = ["iss", "sub", "jti", "client_id", "scope", "sid", "username", "parent_token_id"];
  for (const name of strings) {
    const value = payload[name];
    if (value !== undefined && typeof value !== "string") {
      return name;
    }
  }
  for (const name of ["exp", "iat", "auth_time"]) {
    const value = payload[name];
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) {
      return name;
    }
  }
  const { scopes, token_use: use } = payload;
  if (
    scopes !== undefined &&
    !(Array.isArray(scopes) && scopes.every((s) => typeof s === "string"))
  ) {
    return "scopes";
  }
  if (use !== undefined && typeof use !== "string") {
    return "token_use";
  }
  for (const name of ["act", "may_act"]) {
    if (payload[name] !== undefined && actorOf(payload[name]) === undefined) {
      return name;
    }
  }
  return undefined;
}

/** The token's scopes: its `scope` (space-separated, RFC 9068 §2.2.3), else its `scopes`. */
export function scopesOf(claims: AccessTokenClaims): readonly string[] {
  if (claims.scope !== undefined) {
    return claims.scope.split(" ").filter((scope) => scope.length > 0);
  }
  return claims.scopes ?? [];
}
