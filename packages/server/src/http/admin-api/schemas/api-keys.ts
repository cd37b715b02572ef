import type { WireType } from "../../wire-type.js";
import {
  identifier,
  nextCursor,
  optionalTimestamp,
  pageQueryProperties,
  timestamp,
} from "./common.js";

const apiKeyProperties = {
  id: { type: "string" },
  tenant_id: { type: "string" },
  client_id: { type: "string", description: "The client the key belongs to." },
  name: { type: "string", description: "A label for operators; may be empty." },
  prefix: { type: "string", description: "The key's first characters, to recognise it." },
  created_at: timestamp,
  last_used_at: optionalTimestamp,
  revoked_at: { ...optionalTimestamp, description: "When it was revoked; null while it works." },
} as const;

const apiKeyRequired = [
  "id",
  "tenant_id",
  "client_id",
  "name",
  "prefix",
  "created_at",
  "last_used_at",
  "revoked_at",
] as const;

export const adminApiKey = {
  $id: "AdminApiKey",
  type: "object",
  description: "An API key (`X-API-Key`). Never the key or its hash.",
  additionalProperties: false,
  properties: apiKeyProperties,
  required: apiKeyRequired,
} as const;

export type AdminApiKey = WireType<typeof adminApiKey>;

export const adminCreatedApiKey = {
  $id: "AdminCreatedApiKey",
  type: "object",
  description: "A new API key, with the key itself shown this once.",
  additionalProperties: false,
  properties: {
    ...apiKeyProperties,
    key: {
      type: "string",
      description: "The key, to send as `X-API-Key`: shown here once and never again.",
    },
    client_name: { type: "string" },
    client_created: {
      type: "boolean",
      description: "True when a public client was made for this key (no `client_id` was given).",
    },
  },
  required: [...apiKeyRequired, "key", "client_name", "client_created"],
} as const;

export type AdminCreatedApiKey = WireType<typeof adminCreatedApiKey>;

export const adminApiKeyPage = {
  $id: "AdminApiKeyPage",
  type: "object",
  additionalProperties: false,
  properties: { items: { type: "array", items: { $ref: "AdminApiKey#" } }, next: nextCursor },
  required: ["items", "next"],
} as const;

export const adminApiKeyQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...pageQueryProperties,
    client_id: { ...identifier(128), description: "Only this client's keys (its id or name)." },
  },
} as const;

export type AdminApiKeyQuery = WireType<typeof adminApiKeyQuery>;

export const adminCreateApiKeyRequest = {
  $id: "AdminCreateApiKeyRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    name: { ...identifier(200), description: "A label for operators." },
    client_id: {
      ...identifier(128),
      description:
        "The existing client (id or name) the key belongs to; without it, a public client with the `password` and `refresh_token` grants is made for the key.",
    },
  },
} as const;

export type AdminCreateApiKeyRequest = WireType<typeof adminCreateApiKeyRequest>;

export const ADMIN_API_KEY_SCHEMAS = [
  adminApiKey,
  adminCreatedApiKey,
  adminApiKeyPage,
  adminCreateApiKeyRequest,
];
