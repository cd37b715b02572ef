import type { RoleRecord, SessionRecord, UserRecord } from "../../core/model/index.js";

/** A role as HarperDB's `list_roles` shows it. */
export function renderRole(role: RoleRecord) {
  return {
    id: role.id,
    role: role.name,
    permission: role.permission,
    __createdtime__: role.createdAt,
    __updatedtime__: role.updatedAt,
  };
}

/** A user as HarperDB's `user_info` and `list_users` show it: never a password or hash. */
export function renderUser(user: UserRecord, role: RoleRecord | undefined) {
  return {
    username: user.username,
    active: user.status === "active",
    role: role === undefined ? null : renderRole(role),
    __createdtime__: user.createdAt,
    __updatedtime__: user.updatedAt,
  };
}

/** A session as `list_sessions` shows it (an operation Tessera adds). */
export function renderSession(
  session: SessionRecord,
  username: string | undefined,
  currentSessionId: string | undefined,
) {
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
