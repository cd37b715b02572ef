import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { authenticateClient } from "../../core/clients/authenticate-client.js";
import type { CoreContext } from "../../core/context.js";
import { issueClientCredentialsToken } from "../../core/grants/client-credentials.js";
import { noStore } from "../no-store.js";
import type { RequestRateLimits } from "../rate-limit.js";
import { presentedCredentials } from "./client-auth.js";
import { OAuthDialectError } from "./errors.js";
import { readForm } from "./form.js";
import { OAUTH_ROUTES } from "./paths.js";
import { oauthErrorResponses, tokenRequestForm, tokenResponseSchema } from "./schemas.js";
import { isServedGrantType } from "./served.js";
import { oauthTenant } from "./tenant.js";

/** A successful token answer (RFC 6749 §5.1). */
interface TokenResponse {
  readonly access_token: string;
  readonly token_type: "Bearer";
  readonly expires_in: number;
  readonly scope: string;
}

/** Scope values are separated by spaces (RFC 6749 §3.3). */
function scopesOf(scope: string | undefined): string[] | undefined {
  return scope?.split(" ").filter((value) => value !== "");
}

/**
 * `POST <issuer>/oauth/token` (and `POST /oauth/token` for the default
 * tenant): RFC 6749 §3.2. Reads the form, refuses a grant type it does not
 * serve (`unsupported_grant_type`) before spending anything on the client,
 * authenticates the client by the one method it used, counts the request
 * against the client's budget, and runs the grant. Every answer, errors
 * included, is `no-store` (§5.1).
 */
export function registerToken(
  app: FastifyInstance,
  ctx: CoreContext,
  options: { readonly defaultTenant: string; readonly limits: RequestRateLimits },
): void {
  const { defaultTenant, limits } = options;
  const handle = async (
    tenantId: string,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<TokenResponse> => {
    const served = await oauthTenant(ctx, tenantId, defaultTenant);
    const form = readForm(request);
    const grantType = form.require("grant_type");
    if (!isServedGrantType(grantType)) {
      throw new OAuthDialectError(
        "unsupported_grant_type",
        "This grant_type is not served; grant_types_supported in the metadata lists those that are",
      );
    }
    const { client } = await authenticateClient(ctx, {
      tenant: served.tenant,
      ip: request.ip,
      presented: presentedCredentials(request, form, [served.issuer, ...served.tokenEndpoints]),
    });
    // Counted once proven, so nobody can spend a client's budget by naming it.
    await limits.countClient(request, reply, client.id);
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
  };
  const onRequest = async (request: FastifyRequest, reply: FastifyReply) => {
    noStore(reply);
    await limits.countIp(request, reply);
  };
  const schema = {
    summary: "Issue an access token (RFC 6749 §3.2)",
    tags: ["oauth"],
    consumes: ["application/x-www-form-urlencoded"],
    security: [{}, { ClientSecretBasic: [] }],
    body: tokenRequestForm,
    response: { 200: tokenResponseSchema, ...oauthErrorResponses(400, 401, 404, 429) },
  };
  app.post<{ Params: { tenantId: string } }>(
    OAUTH_ROUTES.token,
    {
      onRequest,
      schema: {
        ...schema,
        operationId: "oauthToken",
        params: {
          type: "object",
          properties: { tenantId: { type: "string" } },
          required: ["tenantId"],
        },
      },
    },
    async (request, reply) => handle(request.params.tenantId, request, reply),
  );
  app.post(
    OAUTH_ROUTES.defaultToken,
    {
      onRequest,
      schema: {
        ...schema,
        operationId: "oauthTokenDefaultTenant",
        summary: "Issue an access token of the default tenant",
      },
    },
    async (request, reply) => handle(defaultTenant, request, reply),
  );
}
