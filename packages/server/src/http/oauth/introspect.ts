import type { FastifyInstance } from "fastify";
import { TOKENS_ADMIN } from "../../core/clients/scopes.js";
import { epochSeconds } from "../../core/clock.js";
import type { CoreContext } from "../../core/context.js";
import type { ClientRecord } from "../../core/model/index.js";
import { introspectToken } from "../../core/tokens/registry.js";
import type { ActiveIntrospection, TokenKind, TokenScope } from "../../core/tokens/types.js";
import { RATE_LIMIT_HEADERS, REQUEST_ID_HEADER, ref } from "../openapi-responses.js";
import { authenticateRequestClient } from "./authenticate.js";
import { type EndpointOptions, registerEndpoint } from "./endpoint.js";
import { readForm } from "./form.js";
import {
  acceptsIntrospectionJwt,
  INTROSPECTION_JWT_TYPE,
  signIntrospectionAnswer,
} from "./introspection-jwt.js";
import { endpointErrorResponses } from "./schemas.js";

/**
 * RFC 7662 §2.2 `token_type`, by kind: how the token is presented (RFC 6749
 * §5.1's type, `Bearer`, for every token sent in `Authorization: Bearer`).
 */
const TOKEN_TYPES = {
  access_token: "Bearer",
  client_access_token: "Bearer",
  delegated_access_token: "Bearer",
  short_term_token: "Bearer",
  long_term_token: "Bearer",
  operation_token: "Bearer",
  operation_refresh_token: "Bearer",
  id_token: "id_token",
  refresh_token: "refresh_token",
} as const satisfies Record<TokenKind, string>;

/**
 * Whose tokens `client` may see: its tenant's only, and of those the ones
 * issued to it, or all of them with `tokens:admin` (a gateway or resource
 * server that introspects other clients' tokens is given that scope).
 */
export function tokenScopeOf(client: ClientRecord): TokenScope {
  return {
    tenantId: client.tenantId,
    clientId: client.id,
    admin: client.scopes.includes(TOKENS_ADMIN),
  };
}

/** An active token as RFC 7662 §2.2 describes it. */
export function introspectionResponse(token: ActiveIntrospection): Record<string, unknown> {
  return {
    active: true,
    scope: token.scopes.join(" "),
    client_id: token.clientId,
    ...(token.username === undefined ? {} : { username: token.username }),
    token_type: TOKEN_TYPES[token.kind],
    exp: epochSeconds(token.expiresAt),
    iat: epochSeconds(token.issuedAt),
    ...(token.notBefore === undefined ? {} : { nbf: epochSeconds(token.notBefore) }),
    sub: token.subject,
    aud: token.audience.length === 1 ? token.audience[0] : token.audience,
    iss: token.issuer,
    ...(token.jti === undefined ? {} : { jti: token.jti }),
    ...(token.act === undefined ? {} : { act: token.act }),
  };
}

/**
 * `POST <issuer>/oauth/introspect` (RFC 7662): for an authenticated client,
 * a description of any token Tessera issues, through the token registry,
 * so a revoked session's tokens are inactive at once. Anything it may not
 * see or use (unknown, malformed, expired, revoked, another tenant's or, without
 * `tokens:admin`, another client's) is exactly `{"active": false}`.
 * `token_type_hint` is read and may be ignored (§2.1): the registry tells
 * the kind itself. A client that accepts `application/token-introspection+jwt`
 * gets the same answer as a JWT signed by the tenant (RFC 9701); errors
 * stay JSON.
 */
export function registerIntrospect(
  app: FastifyInstance,
  ctx: CoreContext,
  options: EndpointOptions,
): void {
  registerEndpoint(app, ctx, options, {
    name: "introspection",
    operationId: "oauthIntrospect",
    schema: {
      summary: "Describe a token (RFC 7662)",
      body: ref("IntrospectionRequest"),
      response: {
        200: {
          description: "The token described; a signed JWT (RFC 9701) when the client accepts one",
          headers: { ...REQUEST_ID_HEADER, ...RATE_LIMIT_HEADERS },
          content: {
            "application/json": { schema: ref("IntrospectionResponse") },
            [INTROSPECTION_JWT_TYPE]: {
              schema: { type: "string", description: "A JWT, typ token-introspection+jwt" },
            },
          },
        },
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
        endpoint: "introspection",
      });
      const found = await introspectToken(ctx, token, tokenScopeOf(client));
      const answer = found.active ? introspectionResponse(found) : { active: false };
      if (!acceptsIntrospectionJwt(request.headers.accept)) {
        return answer;
      }
      reply.type(INTROSPECTION_JWT_TYPE);
      return signIntrospectionAnswer(ctx, served, client.id, answer);
    },
  });
}
