import type { FastifyInstance } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { revokeToken } from "../../core/tokens/registry.js";
import { emptyAnswer, RATE_LIMIT_HEADERS, ref } from "../openapi-responses.js";
import { authenticateRequestClient } from "./authenticate.js";
import { type EndpointOptions, registerEndpoint } from "./endpoint.js";
import { readForm } from "./form.js";
import { tokenScopeOf } from "./introspect.js";
import { endpointErrorResponses } from "./schemas.js";

/**
 * `POST <issuer>/oauth/revoke` (RFC 7009): an authenticated client revokes
 * a token issued to it (any of its tenant's with `tokens:admin`), of any
 * kind, through the token registry, with the cascade the kind needs (a
 * refresh token or any session token ends its session). The answer is 200
 * with no body whether or not the token was found, was the client's, or was
 * still live (§2.2): it says nothing about the token.
 */
export function registerRevoke(
  app: FastifyInstance,
  ctx: CoreContext,
  options: EndpointOptions,
): void {
  registerEndpoint(app, ctx, options, {
    name: "revocation",
    operationId: "oauthRevoke",
    schema: {
      summary: "Revoke a token (RFC 7009)",
      body: ref("RevocationRequest"),
      response: {
        200: emptyAnswer("Revoked, or nothing to revoke", RATE_LIMIT_HEADERS),
        ...endpointErrorResponses(),
      },
    },
    async handle(served, request, reply) {
      const form = readForm(request);
      const token = form.require("token");
      const client = await authenticateRequestClient(ctx, {
        request,
        reply,
        form,
        served,
        limits: options.limits,
        endpoint: "revocation",
      });
      await revokeToken(ctx, token, {
        ...tokenScopeOf(client),
        reason: "oauth_revocation",
        ip: request.ip,
      });
      return reply.status(200).send();
    },
  });
}
