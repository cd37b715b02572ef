import type { FastifyRequest } from "fastify";
import { REFRESH_TOKEN } from "../../core/clients/grant-types.js";
import { mayUseGrant } from "../../core/clients/token-endpoint-rules.js";
import type { CoreContext } from "../../core/context.js";
import type { IssuedClientAccessToken } from "../../core/grants/client-access-token.js";
import type { ClientRecord } from "../../core/model/index.js";
import type { SessionTokens } from "../../core/sessions/session-tokens.js";
import { OAuthDialectError } from "./errors.js";
import type { OAuthForm } from "./form.js";
import type { TokenResponse } from "./schemas.js";
import type { OAuthTenant } from "./tenant.js";

export type { TokenResponse } from "./schemas.js";

/** What a grant is given: the authenticated client and its request. */
export interface GrantCall {
  readonly ctx: CoreContext;
  readonly served: OAuthTenant;
  readonly client: ClientRecord;
  readonly form: OAuthForm;
  readonly request: FastifyRequest;
}

/**
 * Scope values are separated by spaces (RFC 6749 §3.3). A `scope` of spaces
 * alone names no scope-token, which §3.3 requires at least one of: it is
 * `invalid_scope`, not an empty scope (an empty value is an absent one, §3.1).
 */
export function scopesOf(scope: string | undefined): string[] | undefined {
  const scopes = scope?.split(" ").filter((value) => value !== "");
  if (scopes?.length === 0) {
    throw new OAuthDialectError("invalid_scope", "scope names no scope");
  }
  return scopes;
}

/** The answer for an access token a client got for itself. */
export function clientTokenAnswer(issued: IssuedClientAccessToken): TokenResponse {
  return {
    access_token: issued.accessToken,
    token_type: "Bearer",
    expires_in: issued.expiresIn,
    scope: issued.scopes.join(" "),
  };
}

/**
 * A session's tokens have the one scope `openid`: `scope` may be left out
 * or name it (it may only narrow), and any other is `invalid_scope`.
 */
export function requireSessionScope(form: OAuthForm): void {
  const scopes = scopesOf(form.get("scope")) ?? [];
  if (scopes.some((scope) => scope !== "openid")) {
    throw new OAuthDialectError("invalid_scope", "A session's tokens have the scope openid only");
  }
}

/**
 * The answer for a session's tokens: its access token, refresh token and
 * ID token (OpenID Connect Core §12.2; `aud` the client's id). The refresh
 * token only for a client registered for `refresh_token`: one that is not
 * could never use it (the grant refuses it), so it is not handed out to
 * lie about (a password login or an impersonation of such a client lives
 * as long as its access token).
 */
export function sessionTokenAnswer(
  ctx: CoreContext,
  tokens: SessionTokens,
  client: ClientRecord,
): TokenResponse {
  return {
    access_token: tokens.accessToken,
    token_type: "Bearer",
    // Seconds left, counted up: the token was stamped with the whole second it was signed in.
    expires_in: Math.max(0, Math.ceil((tokens.accessTokenExpiresAt - ctx.clock.now()) / 1000)),
    scope: "openid",
    ...(mayUseGrant(client, REFRESH_TOKEN) ? { refresh_token: tokens.refreshToken } : {}),
    id_token: tokens.idToken,
  };
}
