import type { WireType } from "../../wire-type.js";
import {
  identifier,
  nextCursor,
  optionalTimestamp,
  pageQueryProperties,
  timestamp,
} from "./common.js";

export const adminAutomationToken = {
  $id: "AdminAutomationToken",
  type: "object",
  description: "A long- or short-term token of the token API. Never the token or its hash.",
  additionalProperties: false,
  properties: {
    id: { type: "string" },
    client_id: { type: "string" },
    type: { type: "string", enum: ["long_term", "short_term"] },
    name: { type: "string" },
    prefix: {
      type: ["string", "null"],
      description: "A long-term token's first characters; null for a short-term token.",
    },
    scopes: { type: "array", items: { type: "string" } },
    audience: { type: ["string", "null"], description: "A short-term token's audience." },
    parent_id: { type: ["string", "null"], description: "A short-term token's long-term token." },
    created_at: timestamp,
    last_used_at: optionalTimestamp,
    expires_at: timestamp,
    revoked_at: {
      ...optionalTimestamp,
      description: "When it stops (or stopped) working; ahead during a rotation's overlap.",
    },
    revoked_reason: { type: ["string", "null"] },
    replaced_by_id: { type: ["string", "null"], description: "The token that rotated it out." },
  },
  required: [
    "id",
    "client_id",
    "type",
    "name",
    "prefix",
    "scopes",
    "audience",
    "parent_id",
    "created_at",
    "last_used_at",
    "expires_at",
    "revoked_at",
    "revoked_reason",
    "replaced_by_id",
  ],
} as const;

export type AdminAutomationToken = WireType<typeof adminAutomationToken>;

export const adminAutomationTokenPage = {
  $id: "AdminAutomationTokenPage",
  type: "object",
  additionalProperties: false,
  properties: {
    items: { type: "array", items: { $ref: "AdminAutomationToken#" } },
    next: nextCursor,
  },
  required: ["items", "next"],
} as const;

export const adminAutomationTokenQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...pageQueryProperties,
    client_id: { ...identifier(128), description: "Only this client's tokens (its id or name)." },
    include_ended: {
      type: "boolean",
      default: false,
      description: "Also list revoked and expired tokens.",
    },
  },
} as const;

export type AdminAutomationTokenQuery = WireType<typeof adminAutomationTokenQuery>;

export const adminRevokedAutomationTokens = {
  $id: "AdminRevokedAutomationTokens",
  type: "object",
  additionalProperties: false,
  properties: {
    revoked_token_ids: {
      type: "array",
      items: { type: "string" },
      description:
        "The tokens this request revoked: the token itself unless it already was, and the short-term tokens of a long-term one. Empty when everything already was.",
    },
  },
  required: ["revoked_token_ids"],
} as const;

export type AdminRevokedAutomationTokens = WireType<typeof adminRevokedAutomationTokens>;

export const ADMIN_AUTOMATION_TOKEN_SCHEMAS = [
  adminAutomationToken,
  adminAutomationTokenPage,
  adminRevokedAutomationTokens,
];
