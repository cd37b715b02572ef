import type { FastifyInstance } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { issueClientCredentialsToken } from "../../core/grants/client-credentials.js";
import { authenticateRequestClient } from "./authenticate.js";
import { type EndpointOptions, registerEndpoint } from "./endpoint.js";
import { OAuthDialectError } from "./errors.js";
import { readForm } from "./form.js";
import { oauthErrorResponses, tokenRequestForm, tokenResponseSchema } from "./schemas.js";
import { isServedGrantType } from "./served.js";

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
 * authenticates the client by the one method it used, and runs the grant.
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
    },
  });
}
