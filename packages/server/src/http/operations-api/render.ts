import type { FromSchema } from "json-schema-to-ts";
import type { RoleRecord, SessionRecord, UserRecord } from "../../core/model/index.js";

const epochMs = { type: "integer", description: "Milliseconds since the Unix epoch" } as const;

/**
 * A role as HarperDB's `list_roles` shows it: the schema the OpenAPI
 * document gives it and the type {@link renderRole} returns.
 */
export const roleSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    role: { type: "string", description: "The role's name" },
    permission: {
      type: "object",
      additionalProperties: true,
      description: "HarperDB's permission object, as stored; `super_user: true` is the admin level",
    },
    __createdtime__: epochMs,
    __updatedtime__: epochMs,
  },
  required: ["id", "role", "permission", "__createdtime__", "__updatedtime__"],
  additionalProperties: false,
} as const;

/** A role as HarperDB's `list_roles` shows it. */
export function renderRole(role: RoleRecord): FromSchema<typeof roleSchema> {
  return {
    id: role.id,
    role: role.name,
    permission: role.permission,
    __createdtime__: role.createdAt,
    __updatedtime__: role.updatedAt,
  };
}

/** A user as HarperDB's `user_info` and `list_users` show it; {@link renderUser} returns it. */
export const userSchema = {
  type: "object",
  properties: {
    username: { type: "string" },
    active: { type: "boolean" },
    role: { anyOf: [roleSchema, { type: "null" }], description: "null for a user without one" },
    __createdtime__: epochMs,
    __updatedtime__: epochMs,
  },
  required: ["username", "active", "role", "__createdtime__", "__updatedtime__"],
  additionalProperties: false,
} as const;

/** A user as HarperDB's `user_info` and `list_users` show it: never a password or hash. */
export function renderUser(
  user: UserRecord,
  role: RoleRecord | undefined,
): FromSchema<typeof userSchema> {
  return {
    username: user.username,
    active: user.status === "active",
    role: role === undefined ? null : renderRole(role),
    __createdtime__: user.createdAt,
    __updatedtime__: user.updatedAt,
  };
}

/** A session as `list_sessions` shows it; {@link renderSession} returns it. */
export const sessionSchema = {
  type: "object",
  properties: {
    session_id: { type: "string" },
    username: { type: ["string", "null"], description: "null once the user is gone" },
    client_id: { type: "string" },
    created_at: epochMs,
    expires_at: epochMs,
    last_refreshed_at: { ...epochMs, type: ["integer", "null"] },
    revoked_at: { ...epochMs, type: ["integer", "null"] },
    revoked_reason: { type: ["string", "null"] },
    impersonator_user_id: {
      type: ["string", "null"],
      description: "For an impersonation: the user acting",
    },
    parent_session_id: {
      type: ["string", "null"],
      description: "For an impersonation: the session it ends with",
    },
    current: { type: "boolean", description: "The session of the token that asked" },
  },
  required: [
    "session_id",
    "username",
    "client_id",
    "created_at",
    "expires_at",
    "last_refreshed_at",
    "revoked_at",
    "revoked_reason",
    "impersonator_user_id",
    "parent_session_id",
    "current",
  ],
  additionalProperties: false,
} as const;

/** A session as `list_sessions` shows it (an operation Tessera adds). */
export function renderSession(
  session: SessionRecord,
  username: string | undefined,
  currentSessionId: string | undefined,
): FromSchema<typeof sessionSchema> {
  return {
    session_id: session.id,
    username: username ?? null,
    client_id: session.clientId,
    created_at: session.createdAt,
    expires_at: session.expiresAt,
    last_refreshed_at: session.lastRefreshedAt,
    revoked_at: session.revokedAt,
    revoked_reason: session.revokedReason,
    impersonator_user_id: session.impersonatorUserId,
    parent_session_id: session.parentSessionId,
    current: session.id === currentSessionId,
  };
}
