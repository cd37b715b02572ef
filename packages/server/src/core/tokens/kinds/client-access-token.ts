import type { JWTPayload } from "jose";
import { isClientIdShaped } from "../../clients/client-ids.js";
import type { CoreContext } from "../../context.js";
import type { TenantId } from "../../ids.js";
import type { ClientRecord } from "../../model/index.js";
import type { DecodedJwt } from "../identify.js";
import { tenantIssuer } from "../issuer.js";
import { audienceOf, checkTenantJwt } from "../jwt.js";
import { ACCESS_TOKEN_TYP } from "../session-tokens.js";
import {
  NOTHING_REVOKED,
  type TokenFailure,
  type TokenScope,
  type VerifiedClientAccessToken,
} from "../types.js";
import {
  type AudienceCheck,
  claimedTenant,
  expectedAudience,
  fail,
  failed,
  INACTIVE,
  inScope,
  jwtOf,
  requiredAudience,
  scopesOf,
  type TokenKindModule,
} from "./kind.js";
import { isJtiRevoked, revokeByJti } from "./revoked-jti.js";
import { actorOf } from "./session-jwt.js";

/** The claims RFC 9068 §2.2 requires of an access token. */
const REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "jti", "client_id"];

interface CheckedClientJwt {
  readonly tenantId: TenantId;
  readonly client: ClientRecord;
  readonly payload: JWTPayload & { readonly jti: string };
}

/**
 * The signature and claims of a client access token (RFC 9068): the tenant's
 * key and its algorithm only, `typ: at+jwt`, `iss` the tenant's issuer, the
 * required claims, `aud` as asked, `exp` with the configured leeway; no
 * `sid` nor `token_use` (a session's access token has both), and `sub` the
 * client it was issued to. The client is read first, by `client_id`, so
 * that only a tenant that has the client has its keys looked up.
 */
async function checkClientJwt(
  ctx: CoreContext,
  text: string,
  options: {
    readonly tenantId?: TenantId;
    readonly audience: AudienceCheck;
    readonly allowExpired?: boolean;
    /** Accept a key retired within the long verification window (revocation: `exp` decides). */
    readonly longLived?: boolean;
  },
  decoded: DecodedJwt | undefined,
): Promise<CheckedClientJwt | TokenFailure> {
  const jwt = jwtOf(text, "client_access_token", decoded);
  if (jwt === undefined) {
    return fail("malformed");
  }
  const tenantId = claimedTenant(ctx, jwt, options.tenantId);
  if (typeof tenantId !== "string") {
    return tenantId;
  }
  const clientId = jwt.claims.client_id;
  if (typeof clientId !== "string" || !isClientIdShaped(clientId)) {
    return fail("malformed", "not a client id");
  }
  const client = await ctx.store.clients.get(tenantId, clientId);
  if (client === undefined || client.tenantId !== tenantId) {
    return fail("unknown", "unknown client");
  }
  const audience = requiredAudience(ctx, options.audience, tenantId);
  const check = await checkTenantJwt(ctx, {
    tenantId,
    token: text,
    kid: jwt.kid,
    iat: jwt.claims.iat,
    typ: ACCESS_TOKEN_TYP,
    requiredClaims: REQUIRED_CLAIMS,
    ...(audience === undefined ? {} : { audience }),
    allowExpired: options.allowExpired === true,
    longLived: options.longLived === true,
  });
  if (!check.valid) {
    return check;
  }
  const { payload } = check;
  if (
    payload.client_id !== client.id ||
    payload.sub !== client.id ||
    payload.sid !== undefined ||
    payload.token_use !== undefined ||
    typeof payload.jti !== "string"
  ) {
    return fail("malformed", "not a client access token");
  }
  return { tenantId, client, payload: payload as CheckedClientJwt["payload"] };
}

/**
 * A client access token that may be used now: {@link checkClientJwt}, its
 * `jti` not revoked, and its client active. Its scopes are those it was
 * issued with that the client still holds.
 */
async function verifyClientAccessToken(
  ctx: CoreContext,
  text: string,
  options: Parameters<typeof checkClientJwt>[2],
  decoded: DecodedJwt | undefined,
): Promise<VerifiedClientAccessToken | TokenFailure> {
  const checked = await checkClientJwt(ctx, text, options, decoded);
  if (failed(checked)) {
    return checked;
  }
  const { tenantId, client, payload } = checked;
  if (await isJtiRevoked(ctx, tenantId, payload.jti)) {
    return fail("revoked");
  }
  if (client.status !== "active") {
    return fail("client_disabled", client.id);
  }
  return {
    valid: true,
    kind: "client_access_token",
    tenantId,
    subject: client.id,
    clientId: client.id,
    issuedAt: (payload.iat as number) * 1000,
    expiresAt: (payload.exp as number) * 1000,
    client,
    jti: payload.jti,
    scopes: scopesOf(payload.scope).filter((scope) => client.scopes.includes(scope)),
    audience: audienceOf(payload.aud),
    act: actorOf(payload.act),
  };
}

function describe(
  ctx: Pick<CoreContext, "settings">,
  verified: VerifiedClientAccessToken | TokenFailure,
  scope: TokenScope,
) {
  if (!verified.valid || !inScope(scope, verified.kind, verified)) {
    return INACTIVE;
  }
  return {
    active: true as const,
    kind: verified.kind,
    tenantId: verified.tenantId,
    subject: verified.subject,
    clientId: verified.clientId,
    scopes: verified.scopes,
    audience: verified.audience,
    ...(verified.act === undefined ? {} : { act: verified.act }),
    issuedAt: verified.issuedAt,
    expiresAt: verified.expiresAt,
    jti: verified.jti,
    issuer: tenantIssuer(ctx, verified.tenantId),
  };
}

/**
 * An access token issued to a client without a session (client_credentials,
 * RFC 9068; signed in `core/grants/client-credentials.ts`). It is stored
 * nowhere: revoking it records its `jti` as revoked until its `exp`, and
 * every verification checks that record. Verified for Tessera's own
 * endpoints it must be minted for the tenant's issuer unless another
 * `audience` is expected.
 */
export const clientAccessTokenKind: TokenKindModule<"client_access_token"> = {
  kind: "client_access_token",
  verify: (ctx, text, expectations, jwt) =>
    verifyClientAccessToken(
      ctx,
      text,
      {
        ...(expectations.tenantId === undefined ? {} : { tenantId: expectations.tenantId }),
        audience: expectedAudience(expectations),
      },
      jwt,
    ),
  introspect: async (ctx, text, scope, jwt) =>
    describe(
      ctx,
      await verifyClientAccessToken(
        ctx,
        text,
        {
          ...(scope.tenantId === undefined ? {} : { tenantId: scope.tenantId }),
          audience: { anyAudience: true },
        },
        jwt,
      ),
      scope,
    ),
  async revoke(ctx, text, by, jwt) {
    const checked = await checkClientJwt(
      ctx,
      text,
      {
        ...(by.tenantId === undefined ? {} : { tenantId: by.tenantId }),
        audience: { anyAudience: true },
        allowExpired: true,
        longLived: true,
      },
      jwt,
    );
    if (
      failed(checked) ||
      !inScope(by, "client_access_token", {
        tenantId: checked.tenantId,
        clientId: checked.client.id,
      })
    ) {
      return NOTHING_REVOKED;
    }
    const { tenantId, client, payload } = checked;
    return revokeByJti(
      ctx,
      {
        kind: "client_access_token",
        tenantId,
        jti: payload.jti,
        exp: payload.exp as number,
        clientId: client.id,
      },
      by,
    );
  },
};
