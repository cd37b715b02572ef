import { SIGNING_ALGORITHMS } from "../../../core/keyring.js";
import { MAX_SIGNING_KEY_ROTATION_DAYS, TENANT_LIMITS } from "../../../core/tenants.js";
import type { WireType } from "../../wire-type.js";
import { nextCursor, pageQueryProperties, timestamp } from "./common.js";

const seconds = ([minimum, maximum]: readonly [number, number], description: string) =>
  ({ type: "integer", minimum, maximum, description }) as const;

/** A tenant's settings as the admin API reads and writes them. */
const settings = {
  display_name: { type: "string", minLength: 1, maxLength: 200 },
  access_token_ttl_seconds: seconds(TENANT_LIMITS.accessTokenTtlSeconds, "Access token lifetime."),
  id_token_ttl_seconds: seconds(TENANT_LIMITS.idTokenTtlSeconds, "ID token lifetime."),
  refresh_token_ttl_seconds: seconds(
    TENANT_LIMITS.refreshTokenTtlSeconds,
    "How long a session lasts; refreshing does not extend it.",
  ),
  refresh_policy: {
    type: "string",
    enum: ["none", "rotate"],
    description:
      "`rotate` gives a new refresh token at every refresh, and revokes a reused one's session.",
  },
  refresh_grace_seconds: seconds(
    TENANT_LIMITS.refreshGraceSeconds,
    "Under `rotate`: how long concurrent refreshes of one token share its successor.",
  ),
  signing_algorithm: { type: "string", enum: [...SIGNING_ALGORITHMS] },
  operation_token_ttl_seconds: seconds(
    TENANT_LIMITS.operationTokenTtlSeconds,
    "The operations API's operation token lifetime.",
  ),
  oauth_password_grant: {
    type: "boolean",
    description: "Whether OAuth's token endpoint serves the password grant.",
  },
  signing_key_rotation_days: {
    type: "integer",
    minimum: 0,
    maximum: MAX_SIGNING_KEY_ROTATION_DAYS,
    description:
      "Days an active signing key signs before the server rotates it on schedule; 0 rotates only by hand.",
  },
} as const;

export const adminTenant = {
  $id: "AdminTenant",
  type: "object",
  additionalProperties: false,
  properties: {
    id: { type: "string" },
    ...settings,
    issuer: { type: "string", description: "The `iss` of the tenant's tokens." },
    created_at: timestamp,
    updated_at: timestamp,
  },
  required: [
    "id",
    "display_name",
    "access_token_ttl_seconds",
    "id_token_ttl_seconds",
    "refresh_token_ttl_seconds",
    "refresh_policy",
    "refresh_grace_seconds",
    "signing_algorithm",
    "operation_token_ttl_seconds",
    "oauth_password_grant",
    "signing_key_rotation_days",
    "issuer",
    "created_at",
    "updated_at",
  ],
} as const;

export type AdminTenant = WireType<typeof adminTenant>;

export const adminTenantPage = {
  $id: "AdminTenantPage",
  type: "object",
  additionalProperties: false,
  properties: { items: { type: "array", items: { $ref: "AdminTenant#" } }, next: nextCursor },
  required: ["items", "next"],
} as const;

export const adminTenantQuery = {
  type: "object",
  additionalProperties: false,
  properties: pageQueryProperties,
} as const;

export type AdminTenantQuery = WireType<typeof adminTenantQuery>;

export const adminCreateTenantRequest = {
  $id: "AdminCreateTenantRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    id: {
      type: "string",
      pattern: "^[a-z0-9][a-z0-9-]{0,62}$",
      description: "Lowercase letters, digits and -, at most 63.",
    },
    ...settings,
  },
  required: ["id"],
} as const;

export type AdminCreateTenantRequest = WireType<typeof adminCreateTenantRequest>;

export const adminUpdateTenantRequest = {
  $id: "AdminUpdateTenantRequest",
  type: "object",
  description: "The settings to change; absent ones stay as they are.",
  additionalProperties: false,
  minProperties: 1,
  properties: settings,
} as const;

export type AdminUpdateTenantRequest = WireType<typeof adminUpdateTenantRequest>;

export const ADMIN_TENANT_SCHEMAS = [
  adminTenant,
  adminTenantPage,
  adminCreateTenantRequest,
  adminUpdateTenantRequest,
];
