/**
 * The token API's wire schemas (spec 004), named as the spec's generated
 * client names its models. Fastify validates requests and serialises
 * responses with them, the route types are derived from them, and
 * `/openapi.json` is generated from them, so neither the types nor the
 * document can drift from what the server does.
 */

import { MAX_TOKEN_LIST } from "../../core/automation-tokens/list.js";
import { IDENTIFIER_INPUT_PATTERN } from "../../core/identifiers.js";
import {
  answer,
  type ErrorDialect,
  emptyAnswer,
  errorAnswers,
  RATE_LIMIT_HEADERS,
  ref,
} from "../openapi-responses.js";
import type { WireType } from "../wire-type.js";

/** A string field naming something: bounded, and refusing control and bidirectional characters. */
const identifier = (maxLength: number, minLength = 1) =>
  ({ type: "string", minLength, maxLength, pattern: IDENTIFIER_INPUT_PATTERN }) as const;

const scopeList = {
  type: "array",
  items: identifier(64),
  maxItems: 64,
  description: "Scopes; only narrowing: a subset of what the credential holds.",
} as const;

export const problemSchema = {
  $id: "Problem",
  type: "object",
  description: "RFC 9457 problem details, with a stable `code`.",
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "string" },
    instance: { type: "string" },
  },
  required: ["type", "title", "status", "detail", "code"],
} as const;

/** How the token API answers errors: RFC 9457 problems, with Bearer challenges on 401. */
export const TOKEN_API_ERRORS: ErrorDialect = {
  mediaType: "application/problem+json",
  schemaId: "Problem",
  challenges: true,
};

export const longTokenRequest = {
  $id: "LongTokenRequest",
  type: "object",
  description:
    "Step-up authentication with exactly one mechanism: `client_credentials` with `client_secret` or `otp_code`, a `jwt-bearer` `assertion`, or (no grant) a short-term token with `tokens:write` in `Authorization`.",
  additionalProperties: false,
  properties: {
    grant_type: {
      type: "string",
      enum: ["client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
    },
    client_id: { type: "string", minLength: 1, maxLength: 128 },
    client_secret: { type: "string", minLength: 1, maxLength: 256 },
    otp_code: { type: "string", minLength: 1, maxLength: 16 },
    assertion: { type: "string", minLength: 1, maxLength: 16_384 },
    ttl_days: { type: "integer", minimum: 30, maximum: 90 },
    scopes: scopeList,
    name: identifier(100, 0),
    rotate_token_id: identifier(64),
  },
} as const;

export type LongTokenRequest = WireType<typeof longTokenRequest>;

export const longTokenResponse = {
  $id: "LongTokenResponse",
  type: "object",
  properties: {
    token_id: { type: "string" },
    token: { type: "string", description: "Shown only in this response." },
    token_type: { type: "string", enum: ["long_term"] },
    scopes: { type: "array", items: { type: "string" } },
    expires_at: { type: "string", format: "date-time" },
  },
  required: ["token_id", "token", "token_type", "scopes", "expires_at"],
} as const;

export const shortTokenRequest = {
  $id: "ShortTokenRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    scopes: scopeList,
    audience: identifier(256),
    ttl_seconds: { type: "integer", minimum: 60, maximum: 900 },
  },
} as const;

export type ShortTokenRequest = WireType<typeof shortTokenRequest>;

export type LongTokenResponse = WireType<typeof longTokenResponse>;

export const shortTokenResponse = {
  $id: "ShortTokenResponse",
  type: "object",
  properties: {
    access_token: { type: "string" },
    token_type: { type: "string", enum: ["Bearer"] },
    expires_in: { type: "integer" },
    token_id: { type: "string" },
    scope: { type: "string" },
  },
  required: ["access_token", "token_type", "expires_in", "token_id", "scope"],
} as const;

export type ShortTokenResponse = WireType<typeof shortTokenResponse>;

export const tokenIdParams = {
  type: "object",
  properties: { tokenId: identifier(64) },
  required: ["tokenId"],
} as const;

export const tokenListQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    include_ended: {
      type: "boolean",
      description: "Also list revoked and expired tokens.",
    },
    limit: {
      type: "integer",
      minimum: 1,
      maximum: MAX_TOKEN_LIST,
      description: "At most this many tokens, newest first (default 100).",
    },
  },
} as const;

export type TokenListQuery = WireType<typeof tokenListQuery>;

export const tokenSummary = {
  $id: "TokenSummary",
  type: "object",
  description: "A token as listed: never its secret.",
  properties: {
    token_id: { type: "string" },
    token_type: { type: "string", enum: ["long_term", "short_term"] },
    name: { type: "string" },
    prefix: { type: ["string", "null"] },
    scopes: { type: "array", items: { type: "string" } },
    audience: { type: ["string", "null"] },
    parent_token_id: { type: ["string", "null"] },
    created_at: { type: "string", format: "date-time" },
    last_used_at: { type: ["string", "null"], format: "date-time" },
    expires_at: { type: "string", format: "date-time" },
    revoked_at: { type: ["string", "null"], format: "date-time" },
    replaced_by_token_id: { type: ["string", "null"] },
  },
  required: [
    "token_id",
    "token_type",
    "name",
    "prefix",
    "scopes",
    "audience",
    "parent_token_id",
    "created_at",
    "last_used_at",
    "expires_at",
    "revoked_at",
    "replaced_by_token_id",
  ],
} as const;

export const tokenList = {
  $id: "TokenList",
  type: "object",
  properties: { tokens: { type: "array", items: ref("TokenSummary") } },
  required: ["tokens"],
} as const;

export type TokenSummary = WireType<typeof tokenSummary>;

/** Every named schema of the token API, for `app.addSchema`. */
export const TOKEN_API_SCHEMAS = [
  problemSchema,
  longTokenRequest,
  longTokenResponse,
  shortTokenRequest,
  shortTokenResponse,
  tokenSummary,
  tokenList,
] as const;

/** A success answer of the token API: JSON, with the budget's `RateLimit-*` headers. */
export function tokenApiAnswer(
  description: string,
  schemaId: string,
  headers: Record<string, { type: "string" | "integer"; description: string }> = {},
): object {
  return answer(description, "application/json", ref(schemaId), {
    ...RATE_LIMIT_HEADERS,
    ...headers,
  });
}

/** `204` of the token API. */
export function tokenApiNoContent(description: string): object {
  return emptyAnswer(description, RATE_LIMIT_HEADERS);
}

/**
 * The error answers of a token API route. Every route may answer 413 and
 * 415 (the body), 429 (the budgets), 500 and 503 besides its own.
 */
export const problems = (...statuses: number[]) =>
  errorAnswers(TOKEN_API_ERRORS, ...new Set([...statuses, 413, 415, 429, 500, 503]));
