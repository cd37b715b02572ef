/**
 * Wire schemas of the OAuth dialect, named as components of the OpenAPI
 * document; the answers' types are derived from them. Request forms are
 * described, not validated by them: the routes read their forms (form.ts).
 */

import {
  answer,
  type ErrorDialect,
  errorAnswers,
  RATE_LIMIT_HEADERS,
  ref,
} from "../openapi-responses.js";
import type { WireType } from "../wire-type.js";

/** An RFC 6749 §5.2 error body. */
export const oauthErrorSchema = {
  $id: "OAuthError",
  type: "object",
  required: ["error", "error_description"],
  properties: {
    error: { type: "string", description: "An RFC 6749 §5.2 (or RFC 8707) error code" },
    error_description: { type: "string" },
  },
} as const;

/** How the OAuth dialect answers errors: JSON, with a Basic challenge on 401 (RFC 6749 §5.2). */
const OAUTH_ERRORS: ErrorDialect = {
  mediaType: "application/json",
  schemaId: "OAuthError",
  challenges: true,
};

/** The error answers of a route, by status. */
export function oauthErrorResponses(...statuses: number[]): Record<number, object> {
  return errorAnswers(OAUTH_ERRORS, ...statuses);
}

/**
 * The error answers of a POST endpoint: a bad form (400; a body that is
 * not a form too), a failed client (401), an unknown tenant (404), a body
 * too large (413), a spent budget (429), and 500/503.
 */
export const endpointErrorResponses = () => oauthErrorResponses(400, 401, 404, 413, 429, 500, 503);

/** A success answer of a POST endpoint: JSON, with the budget's `RateLimit-*` headers. */
export function endpointAnswer(description: string, schemaId: string): object {
  return answer(description, "application/json", ref(schemaId), RATE_LIMIT_HEADERS);
}

/** The client authentication members every endpoint's form may carry. */
const clientAuthentication = {
  client_id: { type: "string" },
  client_secret: { type: "string", description: "client_secret_post" },
  client_assertion_type: {
    type: "string",
    enum: ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"],
  },
  client_assertion: { type: "string", description: "private_key_jwt (RFC 7523 §2.2)" },
} as const;

/** RFC 8693 §3 token type identifiers, as the exchange takes and issues them. */
const tokenTypes = {
  type: "string",
  enum: ["urn:ietf:params:oauth:token-type:access_token", "urn:ietf:params:oauth:token-type:jwt"],
} as const;

/**
 * The token request's form (RFC 6749 §4.3.2, §4.4.2, §6 and §2.3; RFC 7523
 * §2.1 and §2.2; RFC 8707 §2; RFC 8693 §2.1). Described for the OpenAPI
 * document; the route reads the form itself (see form.ts), so this schema
 * is not used to validate it.
 */
export const tokenRequestForm = {
  $id: "OAuthTokenRequest",
  type: "object",
  required: ["grant_type"],
  properties: {
    grant_type: {
      type: "string",
      enum: [
        "client_credentials",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:token-exchange",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "password",
      ],
      description: "password only where the tenant serves it (--oauth-password-grant on)",
    },
    scope: { type: "string", description: "Space-separated; only narrows" },
    resource: {
      type: "array",
      items: { type: "string", format: "uri" },
      description:
        "client_credentials, jwt-bearer and token exchange, RFC 8707: the token's audience, one the client is allowed",
    },
    audience: {
      type: "array",
      items: { type: "string" },
      description:
        "client_credentials, jwt-bearer and token exchange (RFC 8693): the token's audience, one the client is allowed",
    },
    refresh_token: { type: "string", description: "refresh_token: the session's refresh token" },
    assertion: {
      type: "string",
      description:
        "jwt-bearer (RFC 7523 §2.1): a JWT the client signed with one of its registered keys; iss and sub the client id",
    },
    username: { type: "string", description: "password: the user's username" },
    password: { type: "string", description: "password: the user's password", format: "password" },
    subject_token: {
      type: "string",
      description:
        "token exchange: a user's access token issued to the client (impersonation: the actor's own)",
    },
    subject_token_type: {
      ...tokenTypes,
      description: "token exchange: required with subject_token",
    },
    actor_token: {
      type: "string",
      description:
        "token exchange, delegation: the actor's access token (a user's, or the client's own)",
    },
    actor_token_type: { ...tokenTypes, description: "token exchange: required with actor_token" },
    requested_token_type: {
      ...tokenTypes,
      description: "token exchange: what to issue (an access token, a JWT either way)",
    },
    requested_subject: {
      type: "string",
      description: "token exchange, impersonation (Keycloak's convention): the username to become",
    },
    ...clientAuthentication,
  },
} as const;

/** A successful token answer (RFC 6749 §5.1). */
export const tokenResponseSchema = {
  $id: "OAuthTokenResponse",
  type: "object",
  required: ["access_token", "token_type", "expires_in", "scope"],
  properties: {
    access_token: { type: "string", description: "An RFC 9068 JWT (typ at+jwt)" },
    issued_token_type: { type: "string", description: "token exchange (RFC 8693 section 2.2.1)" },
    token_type: { type: "string", enum: ["Bearer"] },
    expires_in: { type: "integer" },
    scope: { type: "string" },
    refresh_token: {
      type: "string",
      description:
        "refresh_token and password: the session's (rotated or not); impersonation: the new session's",
    },
    id_token: {
      type: "string",
      description: "refresh_token, password and impersonation: the session's ID token",
    },
  },
} as const;

/** The introspection request's form (RFC 7662 §2.1). */
export const introspectionRequestForm = {
  $id: "IntrospectionRequest",
  type: "object",
  required: ["token"],
  properties: {
    token: { type: "string", description: "Any token Tessera issues" },
    token_type_hint: { type: "string", description: "Optional; the kind is told from the token" },
    ...clientAuthentication,
  },
} as const;

/** The revocation request's form (RFC 7009 §2.1). */
export const revocationRequestForm = {
  ...introspectionRequestForm,
  $id: "RevocationRequest",
  properties: {
    ...introspectionRequestForm.properties,
    token: { type: "string", description: "Any token Tessera issues; one not valid is no error" },
  },
} as const;

/** An introspection answer (RFC 7662 §2.2): `{"active": false}`, or the token described. */
export const introspectionResponseSchema = {
  $id: "IntrospectionResponse",
  type: "object",
  required: ["active"],
  properties: {
    active: { type: "boolean" },
    scope: { type: "string" },
    client_id: { type: "string" },
    username: { type: "string" },
    token_type: { type: "string" },
    exp: { type: "integer" },
    iat: { type: "integer" },
    nbf: { type: "integer" },
    sub: { type: "string" },
    aud: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
    iss: { type: "string" },
    jti: { type: "string" },
    act: { type: "object", additionalProperties: true },
  },
} as const;

/** A successful token answer (RFC 6749 §5.1; RFC 8693 §2.2.1 adds `issued_token_type`). */
export type TokenResponse = WireType<typeof tokenResponseSchema>;

const stringArray = { type: "array", items: { type: "string" } } as const;

/**
 * The metadata document, one for both discovery paths. Every member is
 * always there; `token_exchange_*` are Tessera's own (RFC 8414 §2 allows
 * more): the token types its token exchange takes and issues.
 */
export const metadataSchema = {
  $id: "AuthorizationServerMetadata",
  type: "object",
  required: [
    "issuer",
    "token_endpoint",
    "introspection_endpoint",
    "revocation_endpoint",
    "jwks_uri",
    "grant_types_supported",
    "token_endpoint_auth_methods_supported",
    "token_endpoint_auth_signing_alg_values_supported",
    "introspection_endpoint_auth_methods_supported",
    "introspection_endpoint_auth_signing_alg_values_supported",
    "introspection_signing_alg_values_supported",
    "revocation_endpoint_auth_methods_supported",
    "revocation_endpoint_auth_signing_alg_values_supported",
    "scopes_supported",
    "response_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
    "token_exchange_subject_token_types_supported",
    "token_exchange_actor_token_types_supported",
    "token_exchange_requested_token_types_supported",
  ],
  properties: {
    issuer: { type: "string", format: "uri" },
    token_endpoint: { type: "string", format: "uri" },
    introspection_endpoint: { type: "string", format: "uri" },
    revocation_endpoint: { type: "string", format: "uri" },
    jwks_uri: { type: "string", format: "uri" },
    grant_types_supported: stringArray,
    token_endpoint_auth_methods_supported: stringArray,
    token_endpoint_auth_signing_alg_values_supported: stringArray,
    introspection_endpoint_auth_methods_supported: stringArray,
    introspection_endpoint_auth_signing_alg_values_supported: stringArray,
    introspection_signing_alg_values_supported: stringArray,
    revocation_endpoint_auth_methods_supported: stringArray,
    revocation_endpoint_auth_signing_alg_values_supported: stringArray,
    scopes_supported: stringArray,
    response_types_supported: stringArray,
    subject_types_supported: stringArray,
    id_token_signing_alg_values_supported: stringArray,
    token_exchange_subject_token_types_supported: stringArray,
    token_exchange_actor_token_types_supported: stringArray,
    token_exchange_requested_token_types_supported: stringArray,
  },
} as const;

/** The metadata document (RFC 8414 §2, OpenID Connect Discovery 1.0 §3). */
export type AuthorizationServerMetadata = WireType<typeof metadataSchema>;

/** Every named schema of the OAuth dialect, for `app.addSchema`. */
export const OAUTH_SCHEMAS = [
  oauthErrorSchema,
  tokenRequestForm,
  tokenResponseSchema,
  introspectionRequestForm,
  revocationRequestForm,
  introspectionResponseSchema,
  metadataSchema,
] as const;
