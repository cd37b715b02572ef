import { IDENTIFIER_INPUT_PATTERN, MAX_IDENTIFIER_INPUT_LENGTH } from "../../core/identifiers.js";
import type { SessionTokens } from "../../core/sessions/session-tokens.js";

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
  properties: {
    authorization: token(TOKEN_FIELD_MAX_LENGTH),
    accessToken: token(TOKEN_FIELD_MAX_LENGTH),
    refreshToken: token(TOKEN_FIELD_MAX_LENGTH),
    expireEpoch: { type: "number" },
  },
} as const;

/** `POST /auth/token` and `DELETE /auth/token` bodies (spec 000/001). */
export const tokenRequestBody = {
  type: "object",
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

export interface TokenRequestBody {
  readonly username?: string;
  readonly password?: string;
  readonly session?: {
    readonly authorization?: string;
    readonly accessToken?: string;
    readonly refreshToken?: string;
  };
}

/** `POST /auth/impersonate` body (spec 003). */
export const impersonateRequestBody = {
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

/** The 200 response of `POST /auth/token` and `POST /auth/impersonate`, field for field as spec 001. */
export const sessionResponse = {
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
        authorization: { type: "string" },
        accessToken: { type: "string" },
        refreshToken: { type: "string" },
        expireEpoch: { type: "number" },
      },
    },
  },
} as const;

/** The error body `{status: "error", message}`. */
export const errorResponse = {
  type: "object",
  properties: { status: { type: "string" }, message: { type: "string" } },
} as const;

/** The body of a successful `DELETE /auth/token`. */
export const revokeResponse = {
  type: "object",
  properties: { status: { type: "string" }, message: { type: "string" } },
} as const;

/**
 * Renders tokens in the shape of spec 001. `password` is always the empty
 * string: the spec lists the field, and a password is never echoed.
 */
export function renderSession(endpointUrl: string, tokens: SessionTokens) {
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
