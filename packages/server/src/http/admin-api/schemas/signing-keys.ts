import { SIGNING_ALGORITHMS } from "../../../core/keyring.js";
import type { WireType } from "../../wire-type.js";
import { optionalTimestamp, timestamp } from "./common.js";

export const adminSigningKey = {
  $id: "AdminSigningKey",
  type: "object",
  description: "A signing key: its public part only.",
  additionalProperties: false,
  properties: {
    kid: { type: "string" },
    algorithm: { type: "string", enum: [...SIGNING_ALGORITHMS] },
    status: {
      type: "string",
      enum: ["next", "active", "retired"],
      description:
        "`next` is published ahead of use, `active` signs, `retired` still verifies what it signed.",
    },
    public_jwk: {
      type: "object",
      additionalProperties: true,
      description: "The public key as a JWK (RFC 7517).",
    },
    created_at: timestamp,
    activated_at: optionalTimestamp,
    retired_at: optionalTimestamp,
    rotates_at: {
      ...optionalTimestamp,
      description:
        "When the server's key rotation schedule rotates this active key (its activation plus the tenant's `signing_key_rotation_days`); null for other keys, or when the tenant rotates by hand only.",
    },
  },
  required: [
    "kid",
    "algorithm",
    "status",
    "public_jwk",
    "created_at",
    "activated_at",
    "retired_at",
    "rotates_at",
  ],
} as const;

export type AdminSigningKey = WireType<typeof adminSigningKey>;

export const adminSigningKeyList = {
  $id: "AdminSigningKeyList",
  type: "object",
  additionalProperties: false,
  properties: { items: { type: "array", items: { $ref: "AdminSigningKey#" } } },
  required: ["items"],
} as const;

export const adminRotateKeyRequest = {
  $id: "AdminRotateKeyRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    algorithm: {
      type: "string",
      enum: [...SIGNING_ALGORITHMS],
      description: "The algorithm whose keys rotate (default: the tenant's).",
    },
  },
} as const;

export const adminRotatedKey = {
  $id: "AdminRotatedKey",
  type: "object",
  additionalProperties: false,
  properties: {
    algorithm: { type: "string", enum: [...SIGNING_ALGORITHMS] },
    active_kid: { type: "string", description: "The key that signs from now on." },
  },
  required: ["algorithm", "active_kid"],
} as const;

export type AdminRotatedKey = WireType<typeof adminRotatedKey>;

export const adminPurgeRequest = {
  $id: "AdminPurgeRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    retention_days: {
      type: "integer",
      minimum: 0,
      maximum: 3650,
      description: "Keep what ended within this many days (default: the server's setting).",
    },
  },
} as const;

export const adminPurgeResult = {
  $id: "AdminPurgeResult",
  type: "object",
  additionalProperties: false,
  properties: {
    sessions: { type: "integer" },
    refresh_tokens: { type: "integer" },
    automation_tokens: { type: "integer" },
    one_time_claims: { type: "integer" },
    ended_before: { ...timestamp, description: "What ended before this was deleted." },
    retention_days: {
      type: "integer",
      minimum: 0,
      maximum: 3650,
      description:
        "The retention the purge kept: the request's `retention_days`, else the server's setting, so a caller that sent none learns which applied.",
    },
  },
  required: [
    "sessions",
    "refresh_tokens",
    "automation_tokens",
    "one_time_claims",
    "ended_before",
    "retention_days",
  ],
} as const;

export type AdminPurgeResult = WireType<typeof adminPurgeResult>;

export const ADMIN_KEY_AND_MAINTENANCE_SCHEMAS = [
  adminSigningKey,
  adminSigningKeyList,
  adminRotateKeyRequest,
  adminRotatedKey,
  adminPurgeRequest,
  adminPurgeResult,
];
