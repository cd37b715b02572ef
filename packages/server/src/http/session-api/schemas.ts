/**
 * The session API's wire schemas (spec 000, 001, 003). Fastify validates
 * and serialises with them, the route types are derived from them, and
 * `/openapi.json` names them as components.
 */

import { IDENTIFIER_INPUT_PATTERN, MAX_IDENTIFIER_INPUT_LENGTH } from "../../core/identifiers.js";
import type { SessionTokens } from "../../core/sessions/session-tokens.js";
import { answer, type ErrorDialect, errorAnswers, ref } from "../openapi-responses.js";
import type { WireType } from "../wire-type.js";

const token = (maxLength: number) => ({ type: "string", maxLength }) as const;

/**
 * The cap of every token field. It bounds what a client can make the server
 * read, and nothing more: whether a string is a token of the right kind is
 * the core's to decide, so a wrong token of any shape gets the same `401`
 * as every other wrong token (a `400` for a long one would tell a caller
 * which kind of token it had sent).
 */
const TOKEN_FIELD_MAX_LENGTH = 16_384;

/**
 * The `session` object of spec 001: what a refresh or a logout sends back.
 * Unknown members are allowed so that the whole previous response can be
 * sent as it was received.
 */
const sessionObject = {
  type: "object",
  description:
    "The `session` of a previous answer: its refresh token refreshes, and ends the session.",
  properties: {
    authorization: token(TOKEN_FIELD_MAX_LENGTH),
    accessToken: token(TOKEN_FIELD_MAX_LENGTH),
    refreshToken: token(TOKEN_FIELD_MAX_LENGTH),
    expireEpoch: { type: "number" },
  },
} as const;

/** `POST /auth/token` and `DELETE /auth/token` bodies (spec 000/001). */
export const tokenRequestBody = {
  $id: "SessionTokenRequest",
  type: "object",
  description:
    "`username` and `password` to log in (or `Authorization: Basic`); the previous answer, or just `{session: {refreshToken}}`, to refresh or to log out.",
  properties: {
    endpointUrl: token(2048),
    clientId: token(256),
    userPoolId: token(256),
    // No pattern: a username no user can have fails as a wrong one does (401), in the core.
    username: token(MAX_IDENTIFIER_INPUT_LENGTH),
    // Longer than MAX_PASSWORD_LENGTH so the core, not the schema, words the refusal.
    password: token(4096),
    session: sessionObject,
  },
} as const;

export type TokenRequestBody = WireType<typeof tokenRequestBody>;

/** `POST /auth/impersonate` body (spec 003). */
export const impersonateRequestBody = {
  $id: "ImpersonateRequest",
  type: "object",
  required: ["username"],
  properties: {
    username: {
      type: "string",
      minLength: 1,
      maxLength: MAX_IDENTIFIER_INPUT_LENGTH,
      pattern: IDENTIFIER_INPUT_PATTERN,
    },
  },
} as const;

export type ImpersonateRequest = WireType<typeof impersonateRequestBody>;

/** The 200 response of `POST /auth/token` and `POST /auth/impersonate`, field for field as spec 001. */
export const sessionResponse = {
  $id: "SessionTokenResponse",
  type: "object",
  required: ["endpointUrl", "clientId", "userPoolId", "username", "password", "session"],
  properties: {
    endpointUrl: { type: "string" },
    clientId: { type: "string" },
    userPoolId: { type: "string" },
    username: { type: "string" },
    password: { type: "string" },
    session: {
      type: "object",
      required: ["authorization", "accessToken", "refreshToken", "expireEpoch"],
      properties: {
        authorization: { type: "string", description: "The ID token." },
        accessToken: {
          type: "string",
          description: "The access token, sent as the `AccessToken` header.",
        },
        refreshToken: { type: "string" },
        expireEpoch: {
          type: "number",
          description: "When the access token expires, in milliseconds since the epoch.",
        },
      },
    },
  },
} as const;

export type SessionTokenResponse = WireType<typeof sessionResponse>;

/** The error body `{status: "error", message}`. */
export const errorResponse = {
  $id: "SessionError",
  type: "object",
  properties: { status: { type: "string", enum: ["error"] }, message: { type: "string" } },
  required: ["status", "message"],
} as const;

/** The body of a successful `DELETE /auth/token`. */
export const revokeResponse = {
  $id: "SessionRevoked",
  type: "object",
  properties: { status: { type: "string", enum: ["success"] }, message: { type: "string" } },
  required: ["status", "message"],
} as const;

/** Every named schema of the session API, for `app.addSchema`. */
export const SESSION_API_SCHEMAS = [
  tokenRequestBody,
  impersonateRequestBody,
  sessionResponse,
  errorResponse,
  revokeResponse,
] as const;

/** How the session API answers errors: `{status: "error", message}` as JSON. */
const SESSION_API_ERRORS: ErrorDialect = {
  mediaType: "application/json",
  schemaId: "SessionError",
  challenges: false,
};

/** A success answer of the session API. */
export function sessionAnswer(
  description: string,
  schemaId: string,
  headers: Record<string, { type: "string" | "integer"; description: string }> = {},
): object {
  return answer(description, "application/json", ref(schemaId), headers);
}

/**
 * The error answers of a session API route: its own and what every route
 * may answer (400 bad body, 401 bad key, 413, 415, 429, 500, 503).
 */
export const sessionErrors = (...statuses: number[]) =>
  errorAnswers(SESSION_API_ERRORS, ...new Set([400, 401, ...statuses, 413, 415, 429, 500, 503]));

/**
 * Renders tokens in the shape of spec 001. `password` is always the empty
 * string: the spec lists the field, and a password is never echoed.
 */
export function renderSession(endpointUrl: string, tokens: SessionTokens): SessionTokenResponse {
  return {
    endpointUrl,
    clientId: tokens.clientId,
    userPoolId: tokens.tenant.id,
    username: tokens.user.username,
    password: "",
    session: {
      authorization: tokens.idToken,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expireEpoch: tokens.accessTokenExpiresAt,
    },
  };
}
