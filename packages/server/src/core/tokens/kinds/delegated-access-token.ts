import type { JWTPayload } from "jose";
import { isClientIdShaped } from "../../clients/client-ids.js";
import type { CoreContext } from "../../context.js";
import type { SessionId, TenantId } from "../../ids.js";
import type { ClientRecord } from "../../model/index.js";
import type { DecodedJwt } from "../identify.js";
import { tenantIssuer } from "../issuer.js";
import { audienceOf, checkTenantJwt } from "../jwt.js";
import { ACCESS_TOKEN_TYP, DELEGATED_TOKEN_USE } from "../session-tokens.js";
import {
  type ActiveIntrospection,
  type ActorClaim,
  type Introspection,
  NOTHING_REVOKED,
  type TokenFailure,
  type TokenScope,
  type VerifiedDelegatedToken,
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
import { liveSession } from "./session.js";
import { actorOf } from "./session-jwt.js";

/** RFC 9068 §2.2's claims, and what a delegated token lives by: its subject's session and its actor. */
const REQUIRED_CLAIMS = [
  "iss",
  "sub",
  "aud",
  "exp",
  "iat",
  "jti",
  "client_id",
  "sid",
  "token_use",
  "act",
];

/**
 * What binds a delegated token to its actor (see `core/grants/delegation.ts`):
 * the session of a user actor's token (`actor_sid`), or the `jti` of the
 * client's own access token that acted (`actor_jti`). Exactly one.
 */
type ActorBinding =
  | { readonly session: SessionId; readonly jti?: undefined }
  | { readonly jti: string; readonly session?: undefined };

/** The token's actor binding, or undefined when it has none, or both. */
function actorBindingOf(payload: JWTPayload): ActorBinding | undefined {
  const { actor_sid: session, actor_jti: jti } = payload;
  if (typeof session === "string" && jti === undefined) {
    return { session: session as SessionId };
  }
  if (typeof jti === "string" && session === undefined) {
    return { jti };
  }
  return undefined;
}

/**
 * The actor is still there: a user actor's session live (not logged out,
 * ended, or its user disabled) and of that user and client; a client
 * actor's token not revoked, and that client the token's own.
 */
async function checkActor(
  ctx: CoreContext,
  tenantId: TenantId,
  client: ClientRecord,
  act: ActorClaim,
  binding: ActorBinding,
): Promise<TokenFailure | undefined> {
  if (binding.session !== undefined) {
    const live = await liveSession(
      ctx,
      binding.session,
      { tenantId, userId: act.sub, clientId: client.id },
      ctx.clock.now(),
    );
    return failed(live) ? fail(live.reason, `actor ${live.detail ?? live.reason}`) : undefined;
  }
  if (act.sub !== client.id) {
    return fail("malformed", "a client actor other than the token's client");
  }
  return (await isJtiRevoked(ctx, tenantId, binding.jti))
    ? fail("revoked", "actor token revoked")
    : undefined;
}

interface CheckedDelegatedJwt {
  readonly tenantId: TenantId;
  readonly client: ClientRecord;
  readonly act: ActorClaim;
  readonly actor: ActorBinding;
  readonly payload: JWTPayload & {
    readonly sub: string;
    readonly sid: string;
    readonly jti: string;
    readonly exp: number;
  };
}

/**
 * The signature and claims of a delegated access token: the tenant's key
 * and its algorithm only, `typ: at+jwt`, `iss` the tenant's issuer, the
 * required claims, `token_use: "delegated"`, a readable `act`, `aud` as
 * asked, `exp` with the configured leeway. Its client is read first, by
 * `client_id`, so that only a tenant that has the client has its keys
 * looked up.
 */
async function checkDelegatedJwt(
  ctx: CoreContext,
  text: string,
  options: {
    readonly tenantId?: TenantId;
    readonly audience: AudienceCheck;
    readonly allowExpired?: boolean;
    readonly longLived?: boolean;
  },
  decoded: DecodedJwt | undefined,
): Promise<CheckedDelegatedJwt | TokenFailure> {
  const jwt = jwtOf(text, "delegated_access_token", decoded);
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
  const act = actorOf(payload.act);
  const actor = actorBindingOf(payload);
  if (
    payload.token_use !== DELEGATED_TOKEN_USE ||
    payload.client_id !== client.id ||
    typeof payload.sub !== "string" ||
    typeof payload.sid !== "string" ||
    typeof payload.jti !== "string" ||
    act === undefined ||
    actor === undefined
  ) {
    return fail("malformed", "not a delegated access token");
  }
  return { tenantId, client, act, actor, payload: payload as CheckedDelegatedJwt["payload"] };
}

/**
 * A delegated access token that may be used now: {@link checkDelegatedJwt},
 * its `jti` not revoked, its client active, its subject's session live and
 * its actor still there ({@link checkActor}): it ends with the subject's
 * session and with the actor's, or the actor token's revocation, whatever
 * its `exp` says.
 */
async function verifyDelegatedToken(
  ctx: CoreContext,
  text: string,
  options: Parameters<typeof checkDelegatedJwt>[2],
  decoded: DecodedJwt | undefined,
): Promise<VerifiedDelegatedToken | TokenFailure> {
  const checked = await checkDelegatedJwt(ctx, text, options, decoded);
  if (failed(checked)) {
    return checked;
  }
  const { tenantId, client, act, actor, payload } = checked;
  if (await isJtiRevoked(ctx, tenantId, payload.jti)) {
    return fail("revoked");
  }
  if (client.status !== "active") {
    return fail("client_disabled", client.id);
  }
  const live = await liveSession(
    ctx,
    payload.sid as SessionId,
    { tenantId, userId: payload.sub },
    ctx.clock.now(),
  );
  if (failed(live)) {
    return live;
  }
  const actorGone = await checkActor(ctx, tenantId, client, act, actor);
  if (actorGone !== undefined) {
    return actorGone;
  }
  return {
    valid: true,
    kind: "delegated_access_token",
    tenantId,
    subject: live.user.id,
    clientId: client.id,
    issuedAt: (payload.iat as number) * 1000,
    expiresAt: payload.exp * 1000,
    session: live.session,
    user: live.user,
    client,
    jti: payload.jti,
    scopes: scopesOf(payload.scope),
    audience: audienceOf(payload.aud),
    act,
  };
}

function describe(
  ctx: Pick<CoreContext, "settings">,
  verified: VerifiedDelegatedToken | TokenFailure,
  scope: TokenScope,
): Introspection {
  if (!verified.valid || !inScope(scope, verified.kind, verified)) {
    return INACTIVE;
  }
  const description: ActiveIntrospection = {
    active: true,
    kind: verified.kind,
    tenantId: verified.tenantId,
    subject: verified.subject,
    username: verified.user.username,
    clientId: verified.clientId,
    scopes: verified.scopes,
    audience: verified.audience,
    sessionId: verified.session.id,
    act: verified.act,
    issuedAt: verified.issuedAt,
    expiresAt: verified.expiresAt,
    jti: verified.jti,
    issuer: tenantIssuer(ctx, verified.tenantId),
  };
  return description;
}

/**
 * An access token by which an actor acts for a user (RFC 8693 delegation,
 * signed in `core/grants/delegation.ts`): RFC 9068 claims with `sub` the
 * user, `client_id` the client that asked, `sid` the user's session,
 * `token_use: "delegated"`, `act`, and `actor_sid` or `actor_jti` (its
 * actor's session, or the client token that acted). It is stored nowhere:
 * it lives by its subject's session and by its actor (ending either ends
 * it, as revoking a client actor's token does), and revoking it
 * records its `jti` as revoked until its `exp`, leaving the session alone.
 * Verified for Tessera's own endpoints it must be minted for the tenant's
 * issuer unless another `audience` is expected.
 */
export const delegatedAccessTokenKind: TokenKindModule<"delegated_access_token"> = {
  kind: "delegated_access_token",
  verify: (ctx, text, expectations, jwt) =>
    verifyDelegatedToken(
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
      await verifyDelegatedToken(
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
    const checked = await checkDelegatedJwt(
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
      !inScope(by, "delegated_access_token", {
        tenantId: checked.tenantId,
        clientId: checked.client.id,
      })
    ) {
      return NOTHING_REVOKED;
    }
    return revokeByJti(
      ctx,
      {
        kind: "delegated_access_token",
        tenantId: checked.tenantId,
        jti: checked.payload.jti,
        exp: checked.payload.exp,
        clientId: checked.client.id,
      },
      by,
    );
  },
};
