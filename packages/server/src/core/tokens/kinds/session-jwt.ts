import type { JWTPayload } from "jose";
import type { CoreContext } from "../../context.js";
import type { SessionId, TenantId, UserId } from "../../ids.js";
import type { DecodedJwt } from "../identify.js";
import { tenantIssuer } from "../issuer.js";
import { audienceOf, checkTenantJwt } from "../jwt.js";
import { ACCESS_TOKEN_TYP, ID_TOKEN_TYP } from "../session-tokens.js";
import {
  type ActiveIntrospection,
  type ActorClaim,
  type Introspection,
  NOTHING_REVOKED,
  type RevocationResult,
  type Revoker,
  type TokenExpectations,
  type TokenFailure,
  type TokenScope,
  type VerifiedSessionToken,
} from "../types.js";
import {
  existingClaimedTenant,
  fail,
  failed,
  INACTIVE,
  inScope,
  jwtOf,
  scopesOf,
  type TokenKindModule,
} from "./kind.js";
import { liveSession, revokeSessionOf } from "./session.js";

/** The session API's two JWT kinds. */
export type SessionJwtKind = "access_token" | "id_token";

const SHAPES = {
  access_token: { typ: ACCESS_TOKEN_TYP, use: "access" },
  id_token: { typ: ID_TOKEN_TYP, use: "id" },
} as const;

/** The actor claim of a token (RFC 8693 §4.1), nested as delegation nests it, if well formed. */
export function actorOf(act: unknown, depth = 0): ActorClaim | undefined {
  if (typeof act !== "object" || act === null || depth > 8) {
    return undefined;
  }
  const { sub, act: inner } = act as { sub?: unknown; act?: unknown };
  if (typeof sub !== "string") {
    return undefined;
  }
  const nested = actorOf(inner, depth + 1);
  return nested === undefined ? { sub } : { sub, act: nested };
}

/** RFC 8693 §4.4 `may_act` of a verified token, as a member to spread, when it carries one. */
function mayActOf(payload: JWTPayload): { readonly mayAct?: ActorClaim } {
  const mayAct = actorOf(payload.may_act);
  return mayAct === undefined ? {} : { mayAct };
}

/** A session API JWT whose signature and claims hold; its session not yet judged. */
export interface CheckedSessionJwt {
  readonly kind: SessionJwtKind;
  readonly tenantId: TenantId;
  readonly payload: JWTPayload & { readonly sub: string; readonly sid: string };
}

/**
 * The signature and claims of a session API access or ID token, without its
 * session: the tenant's key and its algorithm only, the kind's `typ` and
 * `token_use`, `iss` the tenant's issuer, `aud` when asked, and `exp` with
 * the configured leeway unless `allowExpired`.
 */
export async function checkSessionJwt(
  ctx: CoreContext,
  kind: SessionJwtKind,
  text: string,
  options: {
    readonly tenantId?: TenantId;
    readonly audience?: string;
    readonly allowExpired?: boolean;
    readonly longLived?: boolean;
  },
  decoded: DecodedJwt | undefined,
): Promise<CheckedSessionJwt | TokenFailure> {
  const jwt = jwtOf(text, kind, decoded);
  if (jwt === undefined) {
    return fail("malformed");
  }
  const tenantId = await existingClaimedTenant(ctx, jwt, options.tenantId);
  if (typeof tenantId !== "string") {
    return tenantId;
  }
  const check = await checkTenantJwt(ctx, {
    tenantId,
    token: text,
    kid: jwt.kid,
    iat: jwt.claims.iat,
    typ: SHAPES[kind].typ,
    requiredClaims: ["sub", "sid", "jti", "exp", "iat", "token_use"],
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    allowExpired: options.allowExpired === true,
    longLived: options.longLived === true,
  });
  if (!check.valid) {
    return check;
  }
  const { payload } = check;
  if (
    payload.token_use !== SHAPES[kind].use ||
    typeof payload.sid !== "string" ||
    typeof payload.sub !== "string"
  ) {
    return fail("malformed", "wrong token_use");
  }
  if (payload.may_act !== undefined && actorOf(payload.may_act) === undefined) {
    // A restriction that cannot be read is not ignored: the token is refused.
    return fail("malformed", "unreadable may_act");
  }
  return { kind, tenantId, payload: payload as CheckedSessionJwt["payload"] };
}

/**
 * A checked session API JWT whose session may be used now (so a revoked
 * session's tokens are refused at once, whatever their `exp`), as a
 * verified token.
 */
export async function judgeSessionJwt(
  ctx: CoreContext,
  checked: CheckedSessionJwt,
): Promise<VerifiedSessionToken | TokenFailure> {
  const { kind, tenantId, payload } = checked;
  const live = await liveSession(
    ctx,
    payload.sid as SessionId,
    { tenantId, userId: payload.sub },
    ctx.clock.now(),
  );
  if (failed(live)) {
    return live;
  }
  return {
    valid: true,
    kind,
    tenantId,
    subject: live.user.id,
    clientId: live.session.clientId,
    issuedAt: (payload.iat as number) * 1000,
    expiresAt: (payload.exp as number) * 1000,
    session: live.session,
    user: live.user,
    jti: payload.jti as string,
    scopes: scopesOf(payload.scope),
    audience: audienceOf(payload.aud),
    act: actorOf(payload.act),
    ...mayActOf(payload),
  };
}

/** A session API access or ID token, verified: {@link checkSessionJwt}, then its session. */
async function verifySessionJwt(
  ctx: CoreContext,
  kind: SessionJwtKind,
  text: string,
  expectations: Pick<TokenExpectations, "tenantId" | "audience">,
  decoded: DecodedJwt | undefined,
): Promise<VerifiedSessionToken | TokenFailure> {
  const checked = await checkSessionJwt(ctx, kind, text, expectations, decoded);
  return failed(checked) ? checked : judgeSessionJwt(ctx, checked);
}

/** The neutral description of a verified session token (access, ID, refresh, operation). */
export function describeSessionToken(
  ctx: Pick<CoreContext, "settings">,
  token: VerifiedSessionToken,
): ActiveIntrospection {
  return {
    active: true,
    kind: token.kind,
    tenantId: token.tenantId,
    subject: token.subject,
    username: token.user.username,
    clientId: token.clientId,
    scopes: token.scopes,
    audience: token.audience,
    sessionId: token.session.id,
    ...(token.act === undefined ? {} : { act: token.act }),
    issuedAt: token.issuedAt,
    expiresAt: token.expiresAt,
    ...(token.jti === undefined ? {} : { jti: token.jti }),
    issuer: tenantIssuer(ctx, token.tenantId),
  };
}

/** Introspection of any kind that verifies to a session token. */
export async function introspectSessionToken(
  ctx: CoreContext,
  verified: VerifiedSessionToken | TokenFailure,
  scope: TokenScope,
): Promise<Introspection> {
  if (!verified.valid || !inScope(scope, verified.kind, verified)) {
    return INACTIVE;
  }
  return describeSessionToken(ctx, verified);
}

/**
 * Ends the session of a session API access or ID token: its signature must
 * hold (under a key retired within the long verification window too, as
 * long as a session may live), its expiry does not matter (RFC 7009 §2.1),
 * and its `aud` must be the revoker's client unless the revoker is an admin.
 */
async function revokeSessionJwt(
  ctx: CoreContext,
  kind: SessionJwtKind,
  text: string,
  by: Revoker,
  decoded: DecodedJwt | undefined,
): Promise<RevocationResult> {
  const checked = await checkSessionJwt(
    ctx,
    kind,
    text,
    {
      ...(by.tenantId === undefined ? {} : { tenantId: by.tenantId }),
      ...(by.clientId === undefined || by.admin === true ? {} : { audience: by.clientId }),
      allowExpired: true,
      // Its session, not the JWKS window, decides: a session may outlive a retired key's 31 days.
      longLived: true,
    },
    decoded,
  );
  if (failed(checked)) {
    return NOTHING_REVOKED;
  }
  return revokeSessionOf(
    ctx,
    kind,
    checked.payload.sid as SessionId,
    { tenantId: checked.tenantId, userId: checked.payload.sub as UserId },
    by,
  );
}

/** A session API JWT kind: verified against its session, revoked by ending it. */
export function sessionJwtModule<K extends SessionJwtKind>(kind: K): TokenKindModule<K> {
  return {
    kind,
    verify: (ctx, text, expectations, jwt) =>
      verifySessionJwt(ctx, kind, text, expectations, jwt) as ReturnType<
        TokenKindModule<K>["verify"]
      >,
    introspect: async (ctx, text, scope, jwt) =>
      introspectSessionToken(
        ctx,
        await verifySessionJwt(ctx, kind, text, { ...scope }, jwt),
        scope,
      ),
    revoke: (ctx, text, by, jwt) => revokeSessionJwt(ctx, kind, text, by, jwt),
  };
}
