import { TOKEN_EXCHANGE } from "../clients/grant-types.js";
import { mayUseGrant } from "../clients/token-endpoint-rules.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import { impersonateUser } from "../sessions/impersonate.js";
import type { SessionTokens } from "../sessions/session-tokens.js";
import { tokenError } from "../tokens/errors.js";
import { verifyToken } from "../tokens/registry.js";
import type { TokenFailure, VerifiedSessionToken } from "../tokens/types.js";
import { type DelegatedAccessToken, delegateToken, type VerifiedActor } from "./delegation.js";
import { requestedAudience } from "./requested-audience.js";

/** What one token exchange asks for, its token types already read by the dialect. */
export interface TokenExchangeRequest {
  readonly tenant: TenantRecord;
  /** The authenticated client that asks. */
  readonly client: ClientRecord;
  /** The access token of the user acted for, or (impersonation) of the actor. */
  readonly subjectToken: string;
  /** Delegation: the actor's access token (a user's session's, or the client's own). */
  readonly actorToken?: string;
  /** Impersonation: the username of the user to become (Keycloak's `requested_subject`). */
  readonly requestedSubject?: string;
  readonly scopes?: readonly string[];
  readonly resources?: readonly string[];
  readonly audiences?: readonly string[];
  readonly ip: string;
}

/** What an exchange issued: a session as another user, or a delegated access token. */
export type TokenExchangeResult =
  | {
      readonly mode: "impersonation";
      readonly tokens: SessionTokens;
      /** Seconds until the access token expires. */
      readonly expiresIn: number;
      readonly scopes: readonly string[];
    }
  | ({ readonly mode: "delegation" } & DelegatedAccessToken);

/** The one scope a session's tokens carry. */
const SESSION_SCOPES = ["openid"];

/** `verifyToken`'s refusal as the error a token grant throws. */
function refused<T extends object>(result: T | TokenFailure): T {
  if ("valid" in result && result.valid === false) {
    throw tokenError(result);
  }
  return result as T;
}

/**
 * A user's own session access token of the tenant, issued to `client`
 * (its `aud`): the only subject token an exchange takes. Anything else
 * (garbage, another kind, another tenant's or client's, expired, its
 * session ended) is refused as an invalid token.
 */
async function verifySubject(
  ctx: CoreContext,
  request: TokenExchangeRequest,
): Promise<VerifiedSessionToken> {
  return refused(
    await verifyToken(ctx, request.subjectToken, {
      kinds: ["access_token"],
      tenantId: request.tenant.id,
      audience: request.client.id,
    }),
  );
}

/**
 * The actor of a delegation: a user's session access token issued to
 * `client`, or `client`'s own client access token (for the tenant's
 * issuer, its default audience). Another client's token is refused as an
 * invalid token, as a forged one is.
 */
async function verifyActor(
  ctx: CoreContext,
  request: TokenExchangeRequest,
  actorToken: string,
): Promise<VerifiedActor> {
  const actor = refused(
    await verifyToken(ctx, actorToken, {
      kinds: ["access_token", "client_access_token"],
      tenantId: request.tenant.id,
    }),
  );
  if (actor.clientId !== request.client.id) {
    throw new TesseraError("invalid_token", "Invalid token", {
      detail: "the actor token was issued to another client",
    });
  }
  return actor;
}

/**
 * Impersonation by token exchange (Keycloak's convention): `subject_token`
 * is the actor's own access token and `requested_subject` the user to
 * become, under exactly the rules of `/auth/impersonate`
 * ({@link impersonateUser}): a session as that user for the same client,
 * a child of the actor's session, its tokens carrying `act`.
 */
async function impersonate(
  ctx: CoreContext,
  request: TokenExchangeRequest,
  username: string,
): Promise<TokenExchangeResult> {
  const { tenant, client } = request;
  const caller = await verifySubject(ctx, request);
  const beyond = (request.scopes ?? []).filter((scope) => !SESSION_SCOPES.includes(scope));
  if (beyond.length > 0) {
    throw new TesseraError("insufficient_scope", "A session's tokens have the scope openid only");
  }
  const audience = requestedAudience(request.resources ?? [], request.audiences ?? []);
  if (audience !== undefined && audience !== client.id) {
    throw new TesseraError(
      "invalid_target",
      "An impersonation's tokens are for the client that asked, as its session's are",
    );
  }
  const tokens = await impersonateUser(ctx, {
    client: { tenant, client, clientId: client.id, apiKey: null },
    caller,
    username,
    ip: request.ip,
    grant: TOKEN_EXCHANGE,
  });
  return {
    mode: "impersonation",
    tokens,
    // Counted up: the token was stamped with the whole second it was signed in.
    expiresIn: Math.max(0, Math.ceil((tokens.accessTokenExpiresAt - ctx.clock.now()) / 1000)),
    scopes: SESSION_SCOPES,
  };
}

/**
 * The token exchange grant (RFC 8693) for `client`, which must be
 * registered for it and confidential (`forbidden` otherwise: a public
 * client's id is in every token it was issued, so it proves nothing), in
 * one of two modes:
 *
 * - **impersonation**, with `requestedSubject`: see {@link impersonate};
 * - **delegation**, with `actorToken`: a delegated access token by which the
 *   actor acts for the subject token's user (see {@link delegateToken}).
 *
 * The subject token must be a user's session access token of the tenant
 * issued to `client`; the actor token a user's one issued to `client`, or
 * `client`'s own client access token. A token that does not hold is
 * `invalid_token` (`token_expired`, `token_revoked`); asking for both modes
 * or neither is `invalid_request`. The rules of each mode refuse with
 * `forbidden` (no `impersonate` permission, a more privileged target,
 * chaining, a `may_act` naming someone else) or `unprocessable` (a user
 * that cannot be impersonated).
 *
 * @example
 * const result = await exchangeToken(ctx, {
 *   tenant, client, subjectToken: adminAccessToken, requestedSubject: "alice", ip,
 * });
 * if (result.mode === "impersonation") console.log(result.tokens.accessToken);
 */
export async function exchangeToken(
  ctx: CoreContext,
  request: TokenExchangeRequest,
): Promise<TokenExchangeResult> {
  const { client } = request;
  if (!mayUseGrant(client, TOKEN_EXCHANGE)) {
    throw new TesseraError("forbidden", "The client may not use the token exchange grant", {
      detail: `client ${client.id} lacks token-exchange`,
    });
  }
  if (client.tokenEndpointAuthMethod === "none") {
    // A public client's id is in every token it was issued: no proof of who exchanges.
    throw new TesseraError("forbidden", "A public client may not use the token exchange grant", {
      detail: `client ${client.id} is public and was registered for token-exchange`,
    });
  }
  const { requestedSubject, actorToken } = request;
  if (requestedSubject !== undefined && actorToken !== undefined) {
    throw new TesseraError(
      "invalid_request",
      "A token exchange either impersonates a user or acts for one, not both",
    );
  }
  if (requestedSubject !== undefined) {
    return impersonate(ctx, request, requestedSubject);
  }
  if (actorToken === undefined) {
    throw new TesseraError(
      "invalid_request",
      "A token exchange names a user to impersonate or the token of an actor",
    );
  }
  const subject = await verifySubject(ctx, request);
  const actor = await verifyActor(ctx, request, actorToken);
  const delegated = await delegateToken(ctx, {
    tenant: request.tenant,
    client,
    subject,
    actor,
    ip: request.ip,
    ...(request.scopes === undefined ? {} : { scopes: request.scopes }),
    ...(request.resources === undefined ? {} : { resources: request.resources }),
    ...(request.audiences === undefined ? {} : { audiences: request.audiences }),
  });
  return { mode: "delegation", ...delegated };
}
