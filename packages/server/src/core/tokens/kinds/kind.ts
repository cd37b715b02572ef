import type { CoreContext } from "../../context.js";
import type { TenantId } from "../../ids.js";
import { type DecodedJwt, inspectToken } from "../identify.js";
import { tenantIssuer, tenantOfIssuer } from "../issuer.js";
import type {
  InactiveIntrospection,
  Introspection,
  RevocationResult,
  Revoker,
  TokenExpectations,
  TokenFailure,
  TokenFailureReason,
  TokenKind,
  TokenScope,
  VerifiedOf,
} from "../types.js";

/**
 * One kind of token: how it is verified, described and revoked. Each kind
 * has one module in this folder; `registry.ts` dispatches to it by
 * `identifyToken`. `jwt` is the token's header and claims when the
 * registry has already decoded them (unverified), so nothing decodes twice.
 */
export interface TokenKindModule<K extends TokenKind> {
  readonly kind: K;
  /**
   * Verifies `text` as a token of this kind that may be used now, with
   * what proves it (its session, its record, its client). A refusal is a
   * value, never an exception; only a failing store throws.
   */
  verify(
    ctx: CoreContext,
    text: string,
    expectations: TokenExpectations,
    jwt?: DecodedJwt,
  ): Promise<VerifiedOf<K> | TokenFailure>;
  /** Describes the token if it is active and in `scope`; `{active: false}` otherwise. */
  introspect(
    ctx: CoreContext,
    text: string,
    scope: TokenScope,
    jwt?: DecodedJwt,
  ): Promise<Introspection>;
  /**
   * Ends the token with the cascade its kind needs, if `by` may; an expired
   * token is still revoked (RFC 7009 §2.1: a client revokes what it holds).
   * Idempotent, and quiet about tokens it does not match (RFC 7009 §2.2).
   */
  revoke(ctx: CoreContext, text: string, by: Revoker, jwt?: DecodedJwt): Promise<RevocationResult>;
}

/** A refusal. */
export function fail(reason: TokenFailureReason, detail?: string): TokenFailure {
  return detail === undefined ? { valid: false, reason } : { valid: false, reason, detail };
}

/** True when `value` is a refusal. */
export function failed(value: object): value is TokenFailure {
  return "valid" in value && value.valid === false;
}

/**
 * What every inactive token answers: nothing more (RFC 7662 §2.2). One
 * object for every such answer, so frozen: no caller can change it for the next.
 */
export const INACTIVE: InactiveIntrospection = Object.freeze({ active: false });

/**
 * True when `scope` names its tenant, or says it is for every tenant: a
 * scope that says neither (a caller that forgot it) matches nothing.
 */
export function namesTenants(scope: TokenScope | undefined): boolean {
  return scope !== undefined && (scope.tenantId !== undefined || scope.allTenants === true);
}

/**
 * Whether a token of `tenantId` issued to `clientId` is within `scope`: of
 * its tenant (or every tenant, said explicitly), of its kinds, and issued
 * to its client unless it is an admin.
 */
export function inScope(
  scope: TokenScope,
  kind: TokenKind,
  token: { readonly tenantId: TenantId; readonly clientId: string },
): boolean {
  return (
    (scope.allTenants === true || scope.tenantId === token.tenantId) &&
    (scope.kinds === undefined || scope.kinds.includes(kind)) &&
    (scope.clientId === undefined || scope.admin === true || scope.clientId === token.clientId)
  );
}

/** The decoded JWT of `text` if it is one of `kind` (decoding it unless the registry did). */
export function jwtOf(text: string, kind: TokenKind, jwt?: DecodedJwt): DecodedJwt | undefined {
  if (jwt !== undefined) {
    return jwt;
  }
  const inspected = inspectToken(text);
  return inspected.kind === kind && "jwt" in inspected ? inspected.jwt : undefined;
}

/**
 * The tenant a JWT claims by its `iss`, if the caller accepts it: the
 * expected tenant when there is one (`wrong_tenant` otherwise, before any
 * key is looked up).
 */
export function claimedTenant(
  ctx: Pick<CoreContext, "settings">,
  jwt: DecodedJwt,
  expected: TenantId | undefined,
): TenantId | TokenFailure {
  const tenantId = tenantOfIssuer(ctx, jwt.claims.iss);
  if (tenantId === undefined) {
    return fail("malformed", "not a tenant's issuer");
  }
  if (expected !== undefined && expected !== tenantId) {
    return fail("wrong_tenant");
  }
  return tenantId;
}

/**
 * {@link claimedTenant}, and when no tenant is expected, that the tenant
 * exists: a tenant's keyring is only ever loaded for a tenant the store has,
 * so made-up issuers cannot fill the keyring's cache.
 */
export async function existingClaimedTenant(
  ctx: Pick<CoreContext, "settings" | "store">,
  jwt: DecodedJwt,
  expected: TenantId | undefined,
): Promise<TenantId | TokenFailure> {
  const tenantId = claimedTenant(ctx, jwt, expected);
  if (typeof tenantId !== "string" || expected !== undefined) {
    return tenantId;
  }
  return (await ctx.store.tenants.get(tenantId)) === undefined
    ? fail("unknown", "no such tenant")
    : tenantId;
}

/**
 * Which `aud` a JWT kind is checked for. Tagged, so that no audience value
 * a client may be given (not even one spelled `any` or `issuer`) turns the
 * check off: `audience` is always a literal value (RFC 7519 §4.1.3).
 *
 * - `{ audience }`: that value;
 * - `{ issuerAudience: true }`: the tenant's issuer, for Tessera's own endpoints;
 * - `{ anyAudience: true }`: none (introspection and revocation, where the
 *   token's holder, not its audience, asks).
 */
export type AudienceCheck =
  | { readonly audience: string }
  | { readonly issuerAudience: true }
  | { readonly anyAudience: true };

/**
 * The audience check for a caller's expectations: the `audience` it names,
 * else the tenant's issuer.
 */
export function expectedAudience(expectations: { readonly audience?: string }): AudienceCheck {
  return expectations.audience === undefined
    ? { issuerAudience: true }
    : { audience: expectations.audience };
}

/** The `aud` value `check` requires of a token of `tenantId`, or undefined when any will do. */
export function requiredAudience(
  ctx: Pick<CoreContext, "settings">,
  check: AudienceCheck,
  tenantId: TenantId,
): string | undefined {
  if ("audience" in check) {
    return check.audience;
  }
  return "issuerAudience" in check ? tenantIssuer(ctx, tenantId) : undefined;
}

/** A space-separated `scope` claim as a list (RFC 8693 §4.2, RFC 9068 §2.2.3). */
export function scopesOf(scope: unknown): string[] {
  return typeof scope === "string" ? scope.split(" ").filter((s) => s !== "") : [];
}

/** The result of a revocation that matched a token. */
export function revoked(parts: Partial<Omit<RevocationResult, "matched">>): RevocationResult {
  return {
    matched: true,
    ...(parts.sessionId === undefined ? {} : { sessionId: parts.sessionId }),
    sessionsEnded: parts.sessionsEnded ?? [],
    tokensEnded: parts.tokensEnded ?? [],
    jtisRevoked: parts.jtisRevoked ?? [],
  };
}
