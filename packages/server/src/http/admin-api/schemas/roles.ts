import type { WireType } from "../../wire-type.js";
import { identifier, nextCursor, pageQueryProperties, timestamp } from "./common.js";

const permissionObject = {
  type: "object",
  additionalProperties: true,
  description:
    "The role's permission object, kept verbatim (HarperDB's shape for the operations API). `super_user: true` grants Tessera's `admin`.",
} as const;

export const adminRole = {
  $id: "AdminRole",
  type: "object",
  additionalProperties: false,
  properties: {
    id: { type: "string" },
    tenant_id: { type: "string" },
    name: { type: "string" },
    permission: permissionObject,
    permissions: {
      type: "array",
      items: { type: "string" },
      description: "What the role grants in Tessera's terms.",
    },
    created_at: timestamp,
    updated_at: timestamp,
  },
  required: ["id", "tenant_id", "name", "permission", "permissions", "created_at", "updated_at"],
} as const;

export type AdminRole = WireType<typeof adminRole>;

export const adminRolePage = {
  $id: "AdminRolePage",
  type: "object",
  additionalProperties: false,
  properties: { items: { type: "array", items: { $ref: "AdminRole#" } }, next: nextCursor },
  required: ["items", "next"],
} as const;

export const adminRoleQuery = {
  type: "object",
  additionalProperties: false,
  properties: pageQueryProperties,
} as const;

export type AdminRoleQuery = WireType<typeof adminRoleQuery>;

export const adminCreateRoleRequest = {
  $id: "AdminCreateRoleRequest",
  type: "object",
  additionalProperties: false,
  properties: { name: identifier(128), permission: permissionObject },
  required: ["name"],
} as const;

export type AdminCreateRoleRequest = WireType<typeof adminCreateRoleRequest>;

export const adminUpdateRoleRequest = {
  $id: "AdminUpdateRoleRequest",
  type: "object",
  description: "The fields to change; absent ones stay as they are.",
  additionalProperties: false,
  minProperties: 1,
  properties: { name: identifier(128), permission: permissionObject },
} as const;

export type AdminUpdateRoleRequest = WireType<typeof adminUpdateRoleRequest>;

export const ADMIN_ROLE_SCHEMAS = [
  adminRole,
  adminRolePage,
  adminCreateRoleRequest,
  adminUpdateRoleRequest,
];
