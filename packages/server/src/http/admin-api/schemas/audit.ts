import type { WireType } from "../../wire-type.js";
import { identifier, nextCursor, pageQueryProperties, timestamp } from "./common.js";

export const adminAuditEvent = {
  $id: "AdminAuditEvent",
  type: "object",
  description: "One audit event. Never holds a secret.",
  additionalProperties: false,
  properties: {
    id: { type: "integer" },
    tenant_id: { type: "string" },
    at: timestamp,
    type: { type: "string", description: "`user.created`, `session.revoked`, `login.failed`, …" },
    actor_user_id: { type: ["string", "null"], description: "The user who acted." },
    actor_client_id: {
      type: ["string", "null"],
      description:
        "The client that acted (with an admin-scoped token), or through which a user acted.",
    },
    subject_user_id: { type: ["string", "null"], description: "The user the event is about." },
    client_id: { type: ["string", "null"], description: "The client the event is about." },
    session_id: { type: ["string", "null"] },
    ip: { type: ["string", "null"], description: "Where the request came from." },
    detail: {
      type: "object",
      additionalProperties: { type: ["string", "number", "boolean", "null"] },
      description: "What changed: ids, names, reasons and counts.",
    },
  },
  required: [
    "id",
    "tenant_id",
    "at",
    "type",
    "actor_user_id",
    "actor_client_id",
    "subject_user_id",
    "client_id",
    "session_id",
    "ip",
    "detail",
  ],
} as const;

export type AdminAuditEvent = WireType<typeof adminAuditEvent>;

export const adminAuditEventPage = {
  $id: "AdminAuditEventPage",
  type: "object",
  additionalProperties: false,
  properties: { items: { type: "array", items: { $ref: "AdminAuditEvent#" } }, next: nextCursor },
  required: ["items", "next"],
} as const;

/** The filters of a search, every one of which must match. */
const filters = {
  type: {
    ...identifier(64),
    description:
      "An event type (`user.created`), or every type under a prefix ending in `.` (`user.`).",
  },
  user_id: { ...identifier(128), description: "Events the user made or that are about them." },
  client_id: { ...identifier(128), description: "Events the client made or that are about it." },
  session_id: identifier(128),
  ip: { ...identifier(64), description: "An IP address, as recorded." },
  from: {
    ...identifier(64),
    description: "From this time on (inclusive): RFC 3339, or epoch milliseconds.",
  },
  to: {
    ...identifier(64),
    description: "Before this time (exclusive): RFC 3339, or epoch milliseconds.",
  },
} as const;

export const adminAuditQuery = {
  type: "object",
  additionalProperties: false,
  properties: { ...pageQueryProperties, ...filters },
} as const;

export type AdminAuditQuery = WireType<typeof adminAuditQuery>;

export const adminAuditExportQuery = {
  type: "object",
  additionalProperties: false,
  properties: filters,
} as const;

export type AdminAuditExportQuery = WireType<typeof adminAuditExportQuery>;

export const ADMIN_AUDIT_SCHEMAS = [adminAuditEvent, adminAuditEventPage];
