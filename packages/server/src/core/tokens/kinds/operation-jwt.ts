import type { JWTPayload } from "jose";
import type { CoreContext } from "../../context.js";
import type { SessionId, TenantId } from "../../ids.js";
import { hashSecret } from "../../opaque-token.js";
import { OPERATIONS_CLIENT_ID } from "../../operation-tokens/operation-tokens.js";
import type { DecodedJwt } from "../identify.js";
import { audienceOf, checkTenantJwt } from "../jwt.js";
import { ID_TOKEN_TYP } from "../session-tokens.js";
import {
  NOTHING_REVOKED,
  type TokenExpectations,
  type TokenFailure,
  type VerifiedSessionToken,
} from "../types.js";
import { existingClaimedTenant, fail, failed, jwtOf, type TokenKindModule } from "./kind.js";
import { liveSession, revokeSessionOf } from "./session.js";
import { introspectSessionToken } from "./session-jwt.js";

type OperationKind = "operation_token" | "operation_refresh_token";

/** `sub` of each kind: HarperDB tells its two tokens apart by it (spec 002). */
const SUBJECT: Readonly<Record<OperationKind, string>> = {
  operation_token: "operation",
  operation_refresh_token: "refresh",
};

interface CheckedOperationJwt {
  readonly tenantId: TenantId;
  readonly payload: JWTPayload & { readonly sid: string; readonly jti: string };
}

/**
 * The signature and claims of an operations API token: the tenant's RS256
 * key (its own algorithm only), `typ`, `iss`, `aud` the operations client
 * (and the caller's expected audience, which it must then be),
 * `exp`, and `sub` naming the kind, so an operation token is never taken
 * for a refresh token nor the reverse. A refresh token lives as long as its
 * session and is also checked against its stored `jti`: only it may use a
 * key retired past the JWKS window.
 */
async function checkOperationJwt(
  ctx: CoreContext,
  kind: OperationKind,
  text: string,
  options: {
    readonly tenantId?: TenantId;
    /** An `aud` the caller expects: a token that is not the operations client's is `wrong_audience`. */
    readonly audience?: string;
    readonly allowExpired?: boolean;
    /** Accept a key retired within the long verification window (revocation: the session decides). */
    readonly longLived?: boolean;
  },
  decoded: DecodedJwt | undefined,
): Promise<CheckedOperationJwt | TokenFailure> {
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
    typ: ID_TOKEN_TYP,
    // `aud` is always the operations client (identify.ts); another expected one cannot match.
    audience: options.audience ?? OPERATIONS_CLIENT_ID,
    requiredClaims: ["sub", "sid", "jti", "exp", "iat", "username"],
    allowExpired: options.allowExpired === true,
    longLived: options.longLived === true || kind === "operation_refresh_token",
  });
  if (!check.valid) {
    return check;
  }
  const { payload } = check;
  // Judged again on what was verified, not on the decoded parts: a session
  // API token (`token_use`) signed with the same RS256 key is not one of these.
  if (
    payload.sub !== SUBJECT[kind] ||
    payload.token_use !== undefined ||
    typeof payload.sid !== "string" ||
    typeof payload.jti !== "string" ||
    typeof payload.username !== "string"
  ) {
    return fail("malformed", "not an operations API token");
  }
  return { tenantId, payload: payload as CheckedOperationJwt["payload"] };
}

/**
 * An operation or refresh token of the operations API that may be used now.
 * Beyond the JWT, its session is read, so a token of a revoked session, a
 * disabled or deleted user, or an ended parent session is refused at once,
 * whatever its `exp` says (HarperDB checks only signature and expiry). A
 * refresh token's `jti` must still be its session's stored refresh token.
 */
async function verifyOperationJwt(
  ctx: CoreContext,
  kind: OperationKind,
  text: string,
  expectations: Pick<TokenExpectations, "tenantId" | "audience">,
  decoded: DecodedJwt | undefined,
): Promise<VerifiedSessionToken | TokenFailure> {
  const checked = await checkOperationJwt(ctx, kind, text, expectations, decoded);
  if (failed(checked)) {
    return checked;
  }
  const { tenantId, payload } = checked;
  const now = ctx.clock.now();
  if (kind === "operation_refresh_token") {
    const record = await ctx.store.refreshTokens.getByHash(hashSecret(payload.jti));
    if (record === undefined || record.tenantId !== tenantId || record.sessionId !== payload.sid) {
      return fail("unknown", "unknown refresh token");
    }
    if (record.expiresAt <= now) {
      return fail("expired");
    }
  }
  const live = await liveSession(
    ctx,
    payload.sid as SessionId,
    { tenantId, clientId: OPERATIONS_CLIENT_ID },
    now,
  );
  if (failed(live)) {
    return live;
  }
  return {
    valid: true,
    kind,
    tenantId,
    subject: live.user.id,
    clientId: OPERATIONS_CLIENT_ID,
    issuedAt: (payload.iat as number) * 1000,
    expiresAt: (payload.exp as number) * 1000,
    session: live.session,
    user: live.user,
    jti: payload.jti,
    scopes: [],
    audience: audienceOf(payload.aud),
    act: undefined,
  };
}

/** The operations API's two kinds: each revoked by ending its session. */
export function operationJwtModule<K extends OperationKind>(kind: K): TokenKindModule<K> {
  return {
    kind,
    verify: (ctx, text, expectations, jwt) =>
      verifyOperationJwt(ctx, kind, text, expectations, jwt) as ReturnType<
        TokenKindModule<K>["verify"]
      >,
    introspect: async (ctx, text, scope, jwt) =>
      introspectSessionToken(ctx, await verifyOperationJwt(ctx, kind, text, scope, jwt), scope),
    async revoke(ctx, text, by, jwt) {
      const checked = await checkOperationJwt(
        ctx,
        kind,
        text,
        {
          ...(by.tenantId === undefined ? {} : { tenantId: by.tenantId }),
          allowExpired: true,
          // Its session, not the JWKS window, decides whether there is anything to end.
          longLived: true,
        },
        jwt,
      );
      if (failed(checked)) {
        return NOTHING_REVOKED;
      }
      return revokeSessionOf(
        ctx,
        kind,
        checked.payload.sid as SessionId,
        { tenantId: checked.tenantId },
        by,
      );
    },
  };
}
