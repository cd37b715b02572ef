import type { FastifyInstance, FastifyReply } from "fastify";
import { ASSERTION_ALGORITHMS } from "../../core/clients/public-keys.js";
import { TOKENS_ADMIN, TOKENS_WRITE } from "../../core/clients/scopes.js";
import type { CoreContext } from "../../core/context.js";
import { answer, ref } from "../openapi-responses.js";
import { OAUTH_ROUTES } from "./paths.js";
import {
  type AuthorizationServerMetadata,
  metadataSchema,
  oauthErrorResponses,
} from "./schemas.js";
import { SERVED_AUTH_METHODS, servedGrantTypes } from "./served.js";
import { type OAuthTenant, oauthTenant } from "./tenant.js";
import { EXCHANGED_TOKEN_TYPES, ISSUED_TOKEN_TYPES } from "./token-exchange.js";

/**
 * The scopes that mean something to Tessera itself: `openid` (a session's
 * tokens), `tokens:admin` (introspect and revoke any token of the tenant)
 * and `tokens:write` (a short-term token that issues long-term ones).
 */
export const TESSERA_SCOPES: readonly string[] = ["openid", TOKENS_ADMIN, TOKENS_WRITE];

/**
 * The tenant's metadata (RFC 8414 §2; also what OpenID Connect Discovery
 * 1.0 §3 asks for). It lists only what is served now: the token,
 * introspection and revocation endpoints, their grants and client
 * authentication methods, the tenant's JWKS, the scopes Tessera itself
 * defines ({@link TESSERA_SCOPES}; never its clients' own, which would tell
 * anyone what the tenant's clients hold), the algorithm of its ID tokens
 * (issued by the session API), and the token types its token exchange
 * (RFC 8693) takes and issues.
 * There is no authorization endpoint, so no response type.
 */
export function metadataOf(served: OAuthTenant): AuthorizationServerMetadata {
  const { tenant, issuer } = served;
  return {
    issuer,
    token_endpoint: served.endpoint("token"),
    introspection_endpoint: served.endpoint("introspection"),
    revocation_endpoint: served.endpoint("revocation"),
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    grant_types_supported: servedGrantTypes(tenant),
    token_endpoint_auth_methods_supported: SERVED_AUTH_METHODS.token,
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    introspection_endpoint_auth_methods_supported: SERVED_AUTH_METHODS.introspection,
    introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    // RFC 9701 §7: introspection answers signed as JWTs, with the tenant's key.
    introspection_signing_alg_values_supported: [tenant.signingAlgorithm],
    revocation_endpoint_auth_methods_supported: SERVED_AUTH_METHODS.revocation,
    revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    scopes_supported: TESSERA_SCOPES,
    response_types_supported: [],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: [tenant.signingAlgorithm],
    token_exchange_subject_token_types_supported: EXCHANGED_TOKEN_TYPES,
    token_exchange_actor_token_types_supported: EXCHANGED_TOKEN_TYPES,
    token_exchange_requested_token_types_supported: ISSUED_TOKEN_TYPES,
  };
}

/**
 * `GET /.well-known/oauth-authorization-server/tenants/{id}` (RFC 8414
 * §3.1 places it there for the issuer `<public url>/tenants/{id}`) and
 * `GET /tenants/{id}/.well-known/openid-configuration` (OpenID Connect
 * Discovery 1.0 §4). Both answer the same document, whose `issuer` is the
 * tenant's issuer: a client validates it against the issuer it was given.
 * Neither is served without the tenant, not even for the default tenant:
 * the issuer RFC 8414 §3.3 would derive from those paths is the public URL
 * itself, which no tenant's issuer is.
 */
export function registerMetadata(
  app: FastifyInstance,
  ctx: CoreContext,
  defaultTenant: string,
): void {
  const serve = async (tenantId: string, reply: FastifyReply) => {
    const served = await oauthTenant(ctx, tenantId, defaultTenant);
    // Clients cache it; a change of the tenant's algorithm shows within a minute.
    reply.header("cache-control", "public, max-age=60");
    return metadataOf(served);
  };
  const routes = [
    [OAUTH_ROUTES.asMetadata, "getAuthorizationServerMetadata", "RFC 8414 metadata of a tenant"],
    [OAUTH_ROUTES.oidcConfiguration, "getOpenIdConfiguration", "OpenID Connect discovery"],
  ] as const;
  for (const [url, operationId, summary] of routes) {
    app.get<{ Params: { tenantId: string } }>(
      url,
      {
        schema: {
          operationId,
          summary,
          tags: ["oauth"],
          security: [],
          params: {
            type: "object",
            properties: { tenantId: { type: "string" } },
            required: ["tenantId"],
          },
          response: {
            200: answer("The tenant's metadata", "application/json", ref(metadataSchema.$id), {
              "Cache-Control": { type: "string", description: "public, max-age=60" },
            }),
            ...oauthErrorResponses(404, 500, 503),
          },
        },
      },
      async (request, reply) => serve(request.params.tenantId, reply),
    );
  }
}
