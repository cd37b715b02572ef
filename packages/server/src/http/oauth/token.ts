import type { FastifyInstance, FastifyRequest } from "fastify";
import { isClientIdShaped } from "../../core/clients/client-ids.js";
import { JWT_BEARER, PASSWORD } from "../../core/clients/grant-types.js";
import type { CoreContext } from "../../core/context.js";
import { issueClientCredentialsToken } from "../../core/grants/client-credentials.js";
import { refreshForClient } from "../../core/grants/refresh.js";
import { ref } from "../openapi-responses.js";
import { authenticateRequestClient } from "./authenticate.js";
import { sendsClientAuthentication } from "./client-auth.js";
import { type EndpointOptions, registerEndpoint } from "./endpoint.js";
import { OAuthDialectError } from "./errors.js";
import { type OAuthForm, readForm } from "./form.js";
import {
  clientTokenAnswer,
  type GrantCall,
  requireSessionScope,
  scopesOf,
  sessionTokenAnswer,
  type TokenResponse,
} from "./grant-call.js";
import { jwtBearer, jwtBearerWithoutClientAuthentication } from "./jwt-bearer-grant.js";
import { password } from "./password-grant.js";
import { endpointAnswer, endpointErrorResponses } from "./schemas.js";
import { isServedGrantType, type ServedGrantType } from "./served.js";
import type { OAuthTenant } from "./tenant.js";
import { tokenExchange } from "./token-exchange.js";

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
  return clientTokenAnswer(issued);
}

/**
 * RFC 6749 §6: a session's new tokens, its ID token among them (OpenID
 * Connect Core §12.2; `aud` the client's id). `scope` may only narrow, and
 * a session's tokens have the one scope `openid`, so any other is
 * `invalid_scope`.
 */
async function refreshToken(call: GrantCall): Promise<TokenResponse> {
  const { ctx, served, client, form, request } = call;
  requireSessionScope(form);
  const tokens = await refreshForClient(ctx, {
    tenant: served.tenant,
    client,
    refreshToken: form.require("refresh_token"),
    ip: request.ip,
  });
  return sessionTokenAnswer(ctx, tokens, client);
}

/**
 * True for a password grant of one of Tessera's own clients (the CLI's
 * `tessera-cli`), sent by its `client_id` alone: served whatever the
 * tenant's setting, and authenticated by that id (`none`), as a public
 * client is. Any other request is what it was: the password grant of any
 * other client needs the tenant's setting and a confidential client.
 */
async function namesFirstPartyClient(
  ctx: CoreContext,
  served: OAuthTenant,
  request: FastifyRequest,
  form: OAuthForm,
  grantType: string,
): Promise<boolean> {
  const clientId = form.get("client_id");
  if (
    grantType !== PASSWORD ||
    clientId === undefined ||
    sendsClientAuthentication(request, form)
  ) {
    return false;
  }
  const client = isClientIdShaped(clientId)
    ? await ctx.store.clients.get(served.tenant.id, clientId)
    : undefined;
  return client?.firstParty === true;
}

/** Each served grant, by its RFC name. */
const GRANTS = {
  client_credentials: clientCredentials,
  refresh_token: refreshToken,
  "urn:ietf:params:oauth:grant-type:token-exchange": tokenExchange,
  "urn:ietf:params:oauth:grant-type:jwt-bearer": jwtBearer,
  password,
} as const satisfies Record<ServedGrantType, (call: GrantCall) => Promise<TokenResponse>>;

/**
 * `POST <issuer>/oauth/token` (and `POST /oauth/token` for the default
 * tenant): RFC 6749 §3.2. Reads the form, refuses a grant type it does not
 * serve for the tenant (`unsupported_grant_type`; `password` is served
 * only where the tenant turned it on) before spending anything on the
 * client, authenticates the client by the one method it used (refused with
 * `unauthorized_client` when it was not registered for the grant), and runs
 * the grant: `client_credentials`, `refresh_token`, token exchange,
 * `jwt-bearer` or `password`. A `jwt-bearer` request without client authentication is
 * identified by its assertion instead (RFC 7523 §3.1).
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
      description:
        "The grants a tenant serves are in its metadata's `grant_types_supported`; the client authenticates with HTTP Basic, the form (`client_secret_post`), or a signed assertion (`private_key_jwt`), or sends only `client_id` when it is public.",
      body: ref("OAuthTokenRequest"),
      response: {
        200: endpointAnswer("The tokens", "OAuthTokenResponse"),
        ...endpointErrorResponses(),
      },
    },
    async handle(served, request, reply): Promise<TokenResponse> {
      const form = readForm(request);
      const grantType = form.require("grant_type");
      const firstParty = await namesFirstPartyClient(ctx, served, request, form, grantType);
      const grant: ServedGrantType | undefined = firstParty
        ? "password"
        : isServedGrantType(grantType, served.tenant)
          ? grantType
          : undefined;
      if (grant === undefined) {
        throw new OAuthDialectError(
          "unsupported_grant_type",
          "This grant_type is not served; grant_types_supported in the metadata lists those that are",
        );
      }
      if (grant === JWT_BEARER && !sendsClientAuthentication(request, form)) {
        return jwtBearerWithoutClientAuthentication({ ctx, served, form, request }, (client) =>
          options.limits.countClient(request, reply, client),
        );
      }
      const client = await authenticateRequestClient(ctx, {
        request,
        reply,
        form,
        served,
        limits: options.limits,
        endpoint: "token",
        grant,
        firstParty,
      });
      return GRANTS[grant]({ ctx, served, client, form, request });
    },
  });
}
