import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit.js";
import { TOKEN_EXCHANGE } from "../clients/grant-types.js";
import { narrowScopes } from "../clients/scopes.js";
import { epochSeconds } from "../clock.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { UserId } from "../ids.js";
import { signJwt } from "../jws.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import { tenantIssuer } from "../tokens/issuer.js";
import { ACCESS_TOKEN_TYP, DELEGATED_TOKEN_USE } from "../tokens/session-tokens.js";
import type {
  ActorClaim,
  VerifiedClientAccessToken,
  VerifiedSessionToken,
} from "../tokens/types.js";
import { chooseAudience } from "./requested-audience.js";

/** A delegated access token, freshly signed. */
export interface DelegatedAccessToken {
  readonly accessToken: string;
  /** Seconds until it expires. */
  readonly expiresIn: number;
  readonly scopes: readonly string[];
  readonly audience: string;
  readonly jti: string;
  readonly act: ActorClaim;
}

/** Who acts: a user by their session's access token, or the client by its own access token. */
export type VerifiedActor = VerifiedSessionToken | VerifiedClientAccessToken;

/**
 * Delegation (RFC 8693 §1.1): a token by which `actor` acts for the
 * subject of `subject`, both tokens already verified as of the tenant and
 * issued to `client`. The token is an RFC 9068 access token of the kind
 * `delegated_access_token`: `sub` the subject, `client_id` the client,
 * `sid` the subject's session (it ends with it), `token_use: "delegated"`,
 * and `act: {sub: <actor>}` with the subject token's own `act`, if any,
 * nested inside (RFC 8693 §4.1: the chain of who acted for whom).
 *
 * It is bound to its actor too, by a private top-level claim (not inside
 * `act`: RFC 8693 §4.1 has only identity claims there, and says any other
 * is not for authorization): `actor_sid`, the session of a user actor's
 * token, or `actor_jti`, the `jti` of the client's own access token that
 * acted. Verification checks that session is live (the actor has not
 * logged out, been disabled or had the session revoked) or that `jti` is
 * not revoked, so the token dies with its actor as with its subject.
 *
 * Refused with `forbidden` when the actor's token was itself issued to an
 * impersonator (`act`: one who is being acted for cannot act for another),
 * or when the subject token's `may_act` (RFC 8693 §4.4) names someone else.
 * `scopes` narrow the subject token's (`insufficient_scope` beyond them);
 * `resources`/`audiences` choose among the client's allowed audiences
 * (`invalid_target` otherwise), the tenant's issuer by default. It lives
 * the tenant's access token lifetime, and never past the subject token
 * nor the actor token (a revoked actor `jti` is remembered until the
 * actor token's `exp` only).
 * Recorded in the audit trail.
 */
export async function delegateToken(
  ctx: Pick<CoreContext, "store" | "clock" | "keyring" | "settings">,
  input: {
    readonly tenant: TenantRecord;
    readonly client: ClientRecord;
    readonly subject: VerifiedSessionToken;
    readonly actor: VerifiedActor;
    readonly scopes?: readonly string[];
    readonly resources?: readonly string[];
    readonly audiences?: readonly string[];
    readonly ip: string;
  },
): Promise<DelegatedAccessToken> {
  const { tenant, client, subject, actor } = input;
  if (actor.act !== undefined) {
    throw new TesseraError("forbidden", "A token used by an impersonator cannot act for another", {
      detail: "the actor token carries act",
    });
  }
  const actorSub = actor.subject;
  if (subject.mayAct !== undefined && subject.mayAct.sub !== actorSub) {
    throw new TesseraError("forbidden", "The subject token does not allow this actor (may_act)");
  }
  const scopes = narrowScopes(subject.scopes, input.scopes);
  const audience = chooseAudience(ctx, tenant, client, input);
  const now = ctx.clock.now();
  const iat = epochSeconds(now);
  const exp = Math.min(
    epochSeconds(subject.expiresAt),
    epochSeconds(actor.expiresAt),
    iat + tenant.accessTokenTtlSeconds,
  );
  if (exp <= iat) {
    throw new TesseraError("token_expired", "The subject or actor token has expired");
  }
  const act: ActorClaim =
    subject.act === undefined ? { sub: actorSub } : { sub: actorSub, act: subject.act };
  const jti = randomUUID();
  const key = await ctx.keyring.signingKey(tenant.id, tenant.signingAlgorithm);
  const accessToken = await signJwt(key, ACCESS_TOKEN_TYP, {
    iss: tenantIssuer(ctx, tenant.id),
    sub: subject.user.id,
    aud: audience,
    exp,
    iat,
    jti,
    client_id: client.id,
    scope: scopes.join(" "),
    sid: subject.session.id,
    token_use: DELEGATED_TOKEN_USE,
    username: subject.user.username,
    act,
    ...(actor.kind === "access_token" ? { actor_sid: actor.session.id } : { actor_jti: actor.jti }),
  });
  await recordAudit(ctx, {
    tenantId: tenant.id,
    at: now,
    type: "token.issued",
    ip: input.ip,
    subjectUserId: subject.user.id,
    actorUserId: actor.kind === "access_token" ? (actor.subject as UserId) : null,
    actorClientId: actor.kind === "client_access_token" ? actor.client.id : null,
    clientId: client.id,
    sessionId: subject.session.id,
    detail: {
      clientId: client.id,
      grant: TOKEN_EXCHANGE,
      kind: "delegated_access_token",
      jti,
      actor: actorSub,
      actorKind: actor.kind,
      scopes: scopes.join(" "),
      audience,
      expiresAt: new Date(exp * 1000).toISOString(),
    },
  });
  return { accessToken, expiresIn: exp - iat, scopes, audience, jti, act };
}
