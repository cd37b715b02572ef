/**
 * The token API's wire schemas (spec 004). Fastify validates requests and
 * serialises responses with them, and `/openapi.json` is generated from
 * them, so the document cannot drift from what the server does.
 */

import { IDENTIFIER_INPUT_PATTERN } from "../../core/identifiers.js";

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

const problemResponse = { $ref: "Problem#" } as const;

export interface LongTokenRequest {
  readonly grant_type?: string;
  readonly client_id?: string;
  readonly client_secret?: string;
  readonly otp_code?: string;
  readonly assertion?: string;
  readonly ttl_days?: number;
  readonly scopes?: string[];
  readonly name?: string;
  readonly rotate_token_id?: string;
}

export const longTokenRequest = {
  type: "object",
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

export const longTokenResponse = {
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

export interface ShortTokenRequest {
  readonly scopes?: string[];
  readonly audience?: string;
  readonly ttl_seconds?: number;
}

export const shortTokenRequest = {
  type: "object",
  additionalProperties: false,
  properties: {
    scopes: scopeList,
    audience: identifier(256),
    ttl_seconds: { type: "integer", minimum: 60, maximum: 900 },
  },
} as const;

export const shortTokenResponse = {
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

export const tokenIdParams = {
  type: "object",
  properties: { tokenId: identifier(64) },
  required: ["tokenId"],
} as const;

export interface TokenListQuery {
  readonly include_ended?: "true" | "false";
  readonly limit?: string;
}

export const tokenListQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    include_ended: { type: "string", enum: ["true", "false"] },
    limit: { type: "string", pattern: "^[0-9]{1,4}$" },
  },
} as const;

export const tokenListResponse = {
  type: "object",
  properties: {
    tokens: {
      type: "array",
      items: {
        type: "object",
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
      },
    },
  },
  required: ["tokens"],
} as const;

/** Every error status a route documents, all as problem details. */
export const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, problemResponse]));
