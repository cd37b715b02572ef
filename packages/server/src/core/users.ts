import { type Actor, auditActor } from "./actor.js";
import { recordAudit } from "./audit.js";
import type { CoreContext } from "./context.js";
import { echoInput } from "./echo.js";
import { TesseraError } from "./errors.js";
import { checkIdentifierInput, checkUsername } from "./identifiers.js";
import { newUserId, type RoleId, type TenantId } from "./ids.js";
import type { RoleRecord, UserRecord } from "./model/index.js";
import { checkNewPassword } from "./passwords.js";
import { isAdmin, parsePermission } from "./permissions.js";
import type { UserPatch } from "./ports/index.js";
import { endUserSessions } from "./sessions/revoke.js";
import { getTenant } from "./tenants.js";

type Ctx = Pick<CoreContext, "store" | "clock" | "passwords">;

/**
 * Adds a user with an argon2id password hash. The username must follow the
 * username profile ({@link checkUsername}); `conflict` if it is taken.
 */
export async function addUser(
  ctx: Ctx,
  input: {
    readonly tenantId: TenantId;
    readonly username: string;
    readonly password: string;
    readonly permissions?: readonly string[];
    readonly roleId?: RoleId;
    /** False adds the user disabled (it cannot log in until enabled). */
    readonly enabled?: boolean;
  } & Actor,
): Promise<UserRecord> {
  await getTenant(ctx, input.tenantId);
  checkUsername(input.username);
  const permissions = [...new Set((input.permissions ?? []).map(parsePermission))].sort();
  const now = ctx.clock.now();
  const user: UserRecord = {
    id: newUserId(),
    tenantId: input.tenantId,
    username: input.username,
    passwordHash: await ctx.passwords.hash(input.password),
    status: input.enabled === false ? "disabled" : "active",
    permissions,
    roleId: input.roleId ?? null,
    rolePermissions: [],
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.users.create(user);
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at: now,
    type: "user.created",
    ...auditActor(input),
    subjectUserId: user.id,
    detail: {
      username: user.username,
      permissions: permissions.join(" "),
      roleId: user.roleId,
      status: user.status,
    },
  });
  return (await ctx.store.users.getById(input.tenantId, user.id)) ?? user;
}

/**
 * Loads a user by username or throws `not_found`; a username no user can
 * have (see {@link checkIdentifierInput}) is `invalid_request`, without a
 * look-up.
 */
export async function getUserByUsername(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  username: string,
): Promise<UserRecord> {
  checkIdentifierInput(username, "A username");
  const user = await ctx.store.users.getByUsername(tenantId, username);
  if (user === undefined) {
    throw new TesseraError("not_found", `No user ${echoInput(username)}`);
  }
  return user;
}

/** Sets a new password and ends every session the user has (see {@link alterUser}). */
export async function setUserPassword(
  ctx: Ctx,
  input: {
    readonly tenantId: TenantId;
    readonly username: string;
    readonly password: string;
  } & Actor,
): Promise<UserRecord> {
  return alterUser(ctx, input);
}

/** Disables (ending every session) or re-enables a user. */
export async function setUserEnabled(
  ctx: Ctx,
  input: {
    readonly tenantId: TenantId;
    readonly username: string;
    readonly enabled: boolean;
  } & Actor,
): Promise<UserRecord> {
  const user = await getUserByUsername(ctx, input.tenantId, input.username);
  const now = ctx.clock.now();
  const status = input.enabled ? "active" : "disabled";
  const updated = await ctx.store.users.update(input.tenantId, user.id, { status }, now);
  let sessionsRevoked = 0;
  if (!input.enabled) {
    sessionsRevoked = await endUserSessions(ctx, {
      tenantId: input.tenantId,
      userId: user.id,
      reason: "user_disabled",
      ...auditActor(input),
    });
  }
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at: now,
    type: input.enabled ? "user.enabled" : "user.disabled",
    ...auditActor(input),
    subjectUserId: user.id,
    detail: { sessionsRevoked },
  });
  return updated ?? user;
}

/** Grants or revokes one permission. Permissions are read live, so a change applies at once. */
export async function changeUserPermission(
  ctx: Ctx,
  input: {
    readonly tenantId: TenantId;
    readonly username: string;
    readonly permission: string;
    readonly grant: boolean;
  } & Actor,
): Promise<UserRecord> {
  const permission = parsePermission(input.permission);
  const user = await getUserByUsername(ctx, input.tenantId, input.username);
  const next = new Set(user.permissions);
  if (input.grant) {
    next.add(permission);
  } else {
    next.delete(permission);
  }
  const now = ctx.clock.now();
  const updated = await ctx.store.users.update(
    input.tenantId,
    user.id,
    { permissions: [...next].sort() },
    now,
  );
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at: now,
    type: input.grant ? "user.permission_granted" : "user.permission_revoked",
    ...auditActor(input),
    subjectUserId: user.id,
    detail: { permission },
  });
  return updated ?? user;
}

/** Gives a user a role (or none). Its grants apply at once; live sessions keep going. */
export async function setUserRole(
  ctx: Ctx,
  input: {
    readonly tenantId: TenantId;
    readonly username: string;
    readonly roleId: RoleId | null;
  } & Actor,
): Promise<UserRecord> {
  const user = await getUserByUsername(ctx, input.tenantId, input.username);
  const now = ctx.clock.now();
  const updated = await ctx.store.users.update(
    input.tenantId,
    user.id,
    { roleId: input.roleId },
    now,
  );
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at: now,
    type: "user.role_changed",
    ...auditActor(input),
    subjectUserId: user.id,
    detail: { from: user.roleId, to: input.roleId },
  });
  return updated ?? user;
}

/**
 * Deletes a user. Every session they have, or act in, is revoked (and
 * audited) first; then the user and their sessions are deleted, so their
 * tokens fail as unknown from then on.
 */
export async function deleteUser(
  ctx: Ctx,
  input: { readonly tenantId: TenantId; readonly username: string } & Actor,
): Promise<UserRecord> {
  const user = await getUserByUsername(ctx, input.tenantId, input.username);
  if (user.id === input.actorUserId) {
    throw new TesseraError("forbidden", "You cannot drop your own user");
  }
  const sessionsRevoked = await endUserSessions(ctx, {
    tenantId: input.tenantId,
    userId: user.id,
    reason: "user_deleted",
    ...auditActor(input),
  });
  if (!(await ctx.store.users.delete(input.tenantId, user.id))) {
    throw new TesseraError("not_found", `No user ${echoInput(input.username)}`);
  }
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at: ctx.clock.now(),
    type: "user.deleted",
    ...auditActor(input),
    subjectUserId: user.id,
    detail: { username: user.username, sessionsRevoked },
  });
  return user;
}

/**
 * Changes a user's password, role and active flag together: everything is
 * checked (and the password hashed) before one write changes anything.
 * A new password or deactivation then revokes every session of the user.
 *
 * An actor may not deactivate itself nor take away its own admin level, so
 * the last admin cannot lock everyone out by accident.
 */
export async function alterUser(
  ctx: Ctx,
  input: {
    readonly tenantId: TenantId;
    readonly username: string;
    readonly password?: string;
    readonly role?: RoleRecord;
    readonly enabled?: boolean;
  } & Actor,
): Promise<UserRecord> {
  const { tenantId, password, role, enabled } = input;
  if (password === undefined && role === undefined && enabled === undefined) {
    throw new TesseraError(
      "invalid_request",
      "Nothing to change: give a password, role or active flag",
    );
  }
  if (password !== undefined) {
    checkNewPassword(password);
  }
  const user = await getUserByUsername(ctx, tenantId, input.username);
  if (user.id === input.actorUserId) {
    if (enabled === false) {
      throw new TesseraError("forbidden", "You cannot deactivate your own user");
    }
    if (
      role !== undefined &&
      isAdmin(user) &&
      !isAdmin({ permissions: user.permissions, rolePermissions: role.permissions })
    ) {
      throw new TesseraError("forbidden", "You cannot take away your own super_user role");
    }
  }
  const patch: UserPatch = {
    ...(password === undefined ? {} : { passwordHash: await ctx.passwords.hash(password) }),
    ...(role === undefined ? {} : { roleId: role.id }),
    ...(enabled === undefined ? {} : { status: enabled ? "active" : "disabled" }),
  };
  const now = ctx.clock.now();
  const updated = await ctx.store.users.update(tenantId, user.id, patch, now);
  if (updated === undefined) {
    throw new TesseraError("not_found", `No user ${echoInput(input.username)}`);
  }
  const actor = auditActor(input);
  let sessionsRevoked = 0;
  if (password !== undefined || enabled === false) {
    sessionsRevoked = await endUserSessions(ctx, {
      tenantId,
      userId: user.id,
      reason: password !== undefined ? "password_changed" : "user_disabled",
      ...actor,
    });
  }
  const audit = { tenantId, at: now, subjectUserId: user.id, ...actor };
  if (password !== undefined) {
    await recordAudit(ctx, {
      ...audit,
      type: "user.password_changed",
      detail: { sessionsRevoked },
    });
  }
  if (enabled !== undefined && (enabled ? "active" : "disabled") !== user.status) {
    await recordAudit(ctx, {
      ...audit,
      type: enabled ? "user.enabled" : "user.disabled",
      detail: { sessionsRevoked },
    });
  }
  if (role !== undefined && role.id !== user.roleId) {
    await recordAudit(ctx, {
      ...audit,
      type: "user.role_changed",
      detail: { from: user.roleId, to: role.id },
    });
  }
  return updated;
}

/** A tenant's users ordered by username, with the roles they hold by id. */
export async function listUsers(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
): Promise<{ users: UserRecord[]; roles: ReadonlyMap<string, RoleRecord> }> {
  const [users, roles] = await Promise.all([
    ctx.store.users.list(tenantId),
    ctx.store.roles.list(tenantId),
  ]);
  return { users, roles: new Map(roles.map((role) => [role.id, role])) };
}
