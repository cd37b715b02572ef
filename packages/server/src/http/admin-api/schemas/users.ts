import type { WireType } from "../../wire-type.js";
import { identifier, nextCursor, pageQueryProperties, timestamp } from "./common.js";

const permissionList = {
  type: "array",
  items: identifier(64),
  maxItems: 100,
  description: "Permissions: `admin`, `impersonate`, `admin:read`, or your own (`deploy:write`).",
} as const;

export const adminUser = {
  $id: "AdminUser",
  type: "object",
  description: "A user. Never its password or hash.",
  additionalProperties: false,
  properties: {
    id: { type: "string" },
    tenant_id: { type: "string" },
    username: { type: "string" },
    status: { type: "string", enum: ["active", "disabled"] },
    permissions: { type: "array", items: { type: "string" }, description: "Granted directly." },
    role_id: { type: ["string", "null"], description: "The user's role, if any." },
    effective_permissions: {
      type: "array",
      items: { type: "string" },
      description: "Every permission the user has, directly and through its role.",
    },
    created_at: timestamp,
    updated_at: timestamp,
  },
  required: [
    "id",
    "tenant_id",
    "username",
    "status",
    "permissions",
    "role_id",
    "effective_permissions",
    "created_at",
    "updated_at",
  ],
} as const;

export type AdminUser = WireType<typeof adminUser>;

export const adminUserPage = {
  $id: "AdminUserPage",
  type: "object",
  additionalProperties: false,
  properties: { items: { type: "array", items: { $ref: "AdminUser#" } }, next: nextCursor },
  required: ["items", "next"],
} as const;

export const adminUserQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...pageQueryProperties,
    search: {
      ...identifier(64),
      description: "Only users whose username contains this, ignoring case.",
    },
    username: {
      ...identifier(128),
      description: "Only the user with exactly this username (a page of one, or none).",
    },
  },
} as const;

export type AdminUserQuery = WireType<typeof adminUserQuery>;

export const adminCreateUserRequest = {
  $id: "AdminCreateUserRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    username: identifier(128),
    password: { type: "string", minLength: 1, maxLength: 1024 },
    permissions: permissionList,
    role_id: identifier(128),
    enabled: { type: "boolean", default: true, description: "False creates it disabled." },
  },
  required: ["username", "password"],
} as const;

export type AdminCreateUserRequest = WireType<typeof adminCreateUserRequest>;

export const adminUpdateUserRequest = {
  $id: "AdminUpdateUserRequest",
  type: "object",
  description: "The fields to change; absent ones stay as they are.",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    enabled: {
      type: "boolean",
      description: "False disables the user and ends every session it has.",
    },
    permissions: { ...permissionList, description: "Replaces the direct permissions." },
    role_id: {
      anyOf: [identifier(128), { type: "null" }],
      description: "The role to give, or null for none.",
    },
  },
} as const;

export type AdminUpdateUserRequest = WireType<typeof adminUpdateUserRequest>;

export const adminPasswordRequest = {
  $id: "AdminPasswordRequest",
  type: "object",
  additionalProperties: false,
  properties: { password: { type: "string", minLength: 1, maxLength: 1024 } },
  required: ["password"],
} as const;

export type AdminPasswordRequest = WireType<typeof adminPasswordRequest>;

export const ADMIN_USER_SCHEMAS = [
  adminUser,
  adminUserPage,
  adminCreateUserRequest,
  adminUpdateUserRequest,
  adminPasswordRequest,
];
