import type { WireType } from "../../wire-type.js";
import {
  identifier,
  nextCursor,
  optionalTimestamp,
  pageQueryProperties,
  timestamp,
} from "./common.js";

export const adminSession = {
  $id: "AdminSession",
  type: "object",
  description: "A session: a login and every token derived from it. Never a token.",
  additionalProperties: false,
  properties: {
    id: { type: "string" },
    tenant_id: { type: "string" },
    user_id: { type: "string" },
    username: { type: ["string", "null"], description: "Null once the user is gone." },
    client_id: { type: "string" },
    client_name: { type: ["string", "null"], description: "Null once the client is gone." },
    status: { type: "string", enum: ["active", "revoked", "expired"] },
    created_at: timestamp,
    expires_at: timestamp,
    last_refreshed_at: optionalTimestamp,
    revoked_at: optionalTimestamp,
    revoked_reason: { type: ["string", "null"] },
    impersonator_user_id: {
      type: ["string", "null"],
      description: "For an impersonation session: the user acting as `user_id`.",
    },
    impersonator_username: {
      type: ["string", "null"],
      description: "The impersonator's username; null when there is none, or once they are gone.",
    },
    parent_session_id: {
      type: ["string", "null"],
      description: "For an impersonation session: the impersonator's session, which it ends with.",
    },
  },
  required: [
    "id",
    "tenant_id",
    "user_id",
    "username",
    "client_id",
    "client_name",
    "status",
    "created_at",
    "expires_at",
    "last_refreshed_at",
    "revoked_at",
    "revoked_reason",
    "impersonator_user_id",
    "impersonator_username",
    "parent_session_id",
  ],
} as const;

export type AdminSession = WireType<typeof adminSession>;

export const adminSessionPage = {
  $id: "AdminSessionPage",
  type: "object",
  additionalProperties: false,
  properties: { items: { type: "array", items: { $ref: "AdminSession#" } }, next: nextCursor },
  required: ["items", "next"],
} as const;

export const adminSessionQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...pageQueryProperties,
    user_id: { ...identifier(128), description: "Only this user's sessions." },
    client_id: { ...identifier(128), description: "Only sessions of this client." },
    include_ended: {
      type: "boolean",
      default: false,
      description: "Include revoked and expired sessions.",
    },
  },
} as const;

export type AdminSessionQuery = WireType<typeof adminSessionQuery>;

export const adminRevokedSessions = {
  $id: "AdminRevokedSessions",
  type: "object",
  additionalProperties: false,
  properties: {
    revoked: { type: "integer", description: "How many sessions this request ended." },
  },
  required: ["revoked"],
} as const;

export const ADMIN_SESSION_SCHEMAS = [adminSession, adminSessionPage, adminRevokedSessions];
