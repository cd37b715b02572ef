import type { FastifyInstance, FastifyRequest } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { issueClientCredentialsToken } from "../../core/grants/client-credentials.js";
import { refreshForClient } from "../../core/grants/refresh.js";
import type { ClientRecord } from "../../core/model/index.js";
import { authenticateRequestClient } from "./authenticate.js";
import { type EndpointOptions, registerEndpoint } from "./endpoint.js";
import { OAuthDialectError } from "./errors.js";
import { type OAuthForm, readForm } from "./form.js";
import { oauthErrorResponses, tokenRequestForm, tokenResponseSchema } from "./schemas.js";
import { isServedGrantType, type ServedGrantType } from "./served.js";
import type { OAuthTenant } from "./tenant.js";

/** A successful token answer (RFC 6749 §5.1). */
interface TokenResponse {
  readonly access_token: string;
  readonly token_type: "Bearer";
  readonly expires_in: number;
  readonly scope: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
}

/** What a grant is given: the authenticated client and its request. */
interface GrantCall {
  readonly ctx: CoreContext;
  readonly served: OAuthTenant;
  readonly client: ClientRecord;
  readonly form: OAuthForm;
  readonly request: FastifyRequest;
}

/** RFC 6749 §4.4: tokens for the client itself. */
async function clientCredentials(call: GrantCall): Promise<TokenResponse> {
  const { ctx, served, client, form, request } = call;
  const scopes = scopesOf(form.get("scope"));
  const issued = await issueClientCredentialsToken(ctx, {
    tenant: served.tenant,
    client,
    ip: request.ip,
    resources: form.all("resource"),
    audiences: form.all("audience"),
    ...(scopes === undefined ? {} : { scopes }),
  });
  return {
    access_token: issued.accessToken,
    token_type: "Bearer",
    expires_in: issued.expiresIn,
    scope: issued.scopes.join(" "),
  };
}

/**
 * RFC 6749 §6: a session's new tokens, its ID token among them (OpenID
 * Connect Core §12.2; `aud` the client's id). `scope` may only narrow, and
 * a session's tokens have the one scope `openid`, so any other is
 * `invalid_scope`.
 */
async function refreshToken(call: GrantCall): Promise<TokenResponse> {
  const { ctx, served, client, form, request } = call;
  const scopes = scopesOf(form.get("scope")) ?? [];
  if (scopes.some((scope) => scope !== "openid")) {
    throw new OAuthDialectError("invalid_scope", "A session's tokens have the scope openid only");
  }
  const tokens = await refreshForClient(ctx, {
    tenant: served.tenant,
    client,
    refreshToken: form.require("refresh_token"),
    ip: request.ip,
  });
  return {
    access_token: tokens.accessToken,
    token_type: "Bearer",
    // Seconds left, counted up: the token was stamped with the whole second it was signed in.
    expires_in: Math.max(0, Math.ceil((tokens.accessTokenExpiresAt - ctx.clock.now()) / 1000)),
    scope: "openid",
    refresh_token: tokens.refreshToken,
    id_token: tokens.idToken,
  };
}

/** Each served grant, by its RFC name. */
const GRANTS = {
  client_credentials: clientCredentials,
  refresh_token: refreshToken,
} as const satisfies Record<ServedGrantType, (call: GrantCall) => Promise<TokenResponse>>;

/** Scope values are separated by spaces (RFC 6749 §3.3). */
function scopesOf(scope: string | undefined): string[] | undefined {
  return scope?.split(" ").filter((value) => value !== "");
}

/**
 * `POST <issuer>/oauth/token` (and `POST /oauth/token` for the default
 * tenant): RFC 6749 §3.2. Reads the form, refuses a grant type it does not
 * serve (`unsupported_grant_type`) before spending anything on the client,
 * authenticates the client by the one method it used (refused with
 * `unauthorized_client` when it was not registered for the grant), and runs
 * the grant: `client_credentials` or `refresh_token`.
 */
export function registerToken(
  app: FastifyInstance,
  ctx: CoreContext,
  options: EndpointOptions,
): void {
  registerEndpoint(app, ctx, options, {
    name: "token",
    operationId: "oauthToken",
    schema: {
      summary: "Issue an access token (RFC 6749 §3.2)",
      body: tokenRequestForm,
      response: { 200: tokenResponseSchema, ...oauthErrorResponses(400, 401, 404, 429) },
    },
    async handle(served, request, reply): Promise<TokenResponse> {
      const form = readForm(request);
      const grantType = form.require("grant_type");
      if (!isServedGrantType(grantType)) {
        throw new OAuthDialectError(
          "unsupported_grant_type",
          "This grant_type is not served; grant_types_supported in the metadata lists those that are",
        );
      }
      const client = await authenticateRequestClient(ctx, {
        request,
        reply,
        form,
        served,
        limits: options.limits,
        endpoint: "token",
        grant: grantType,
      });
      return GRANTS[grantType]({ ctx, served, client, form, request });
    },
  });
}
