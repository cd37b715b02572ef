import { type Actor, auditActor } from "./actor.js";
import { recordAudit } from "./audit.js";
import { type Authority, checkMayGrant, checkMayManage } from "./authority.js";
import type { CoreContext } from "./context.js";
import { TesseraError } from "./errors.js";
import type { RoleId, TenantId, UserId } from "./ids.js";
import type { UserRecord } from "./model/index.js";
import { isAdmin, parsePermission } from "./permissions.js";
import type { UserPatch } from "./ports/index.js";
import { endUserSessions } from "./sessions/revoke.js";

type Ctx = Pick<CoreContext, "store" | "clock">;

/** What {@link updateUser} may change; absent fields stay as they are. */
export interface UserChanges {
  /** False disables the user (ending every session), true enables it. */
  readonly enabled?: boolean;
  /** The user's direct permissions, replacing the old ones. */
  readonly permissions?: readonly string[];
  /** The user's role, or null for none. */
  readonly roleId?: RoleId | null;
}

/** Loads a user by id, or throws `not_found`. */
export async function getUserById(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  id: UserId,
): Promise<UserRecord> {
  const user = await ctx.store.users.getById(tenantId, id);
  if (user === undefined) {
    throw new TesseraError("not_found", "No such user");
  }
  return user;
}

/**
 * Changes a user's active flag, permissions and role together, in one
 * write: everything is checked first, and the write applies only if the
 * user is still as it was read (another change in between is
 * `precondition_failed`, never overwritten). `precondition` lets the caller
 * refuse the user as read (an `If-Match` that no longer holds), with
 * `precondition_failed` too.
 *
 * Disabling ends every session of the user. An actor may neither disable
 * itself nor take away its own admin level, so the last admin cannot lock
 * everyone out by accident. Each change is audited with the actor.
 */
export async function updateUser(
  ctx: Ctx,
  input: {
    readonly tenantId: TenantId;
    readonly userId: UserId;
    readonly changes: UserChanges;
    readonly precondition?: (current: UserRecord) => boolean;
    /** The caller's reach: absent for the operator's own tools. */
    readonly authority?: Authority;
  } & Actor,
): Promise<UserRecord> {
  const { tenantId, changes } = input;
  const permissions =
    changes.permissions === undefined
      ? undefined
      : [...new Set(changes.permissions.map(parsePermission))].sort();
  const user = await getUserById(ctx, tenantId, input.userId);
  if (input.precondition !== undefined && !input.precondition(user)) {
    throw new TesseraError("precondition_failed", "The user changed since it was read");
  }
  const rolePermissions =
    changes.roleId === undefined
      ? user.rolePermissions
      : changes.roleId === null
        ? []
        : (await ctx.store.roles.get(tenantId, changes.roleId))?.permissions;
  if (rolePermissions === undefined) {
    throw new TesseraError("not_found", "No such role");
  }
  checkMayManage(input.authority, user);
  checkMayGrant(input.authority, [
    ...(permissions ?? []).filter((p) => !user.permissions.includes(p)),
    ...(changes.roleId === undefined ? [] : rolePermissions),
  ]);
  if (user.id === input.actorUserId) {
    if (changes.enabled === false) {
      throw new TesseraError("forbidden", "You cannot disable your own user");
    }
    if (
      isAdmin(user) &&
      !isAdmin({ permissions: permissions ?? user.permissions, rolePermissions })
    ) {
      throw new TesseraError("forbidden", "You cannot take away your own admin permission");
    }
  }
  const patch: UserPatch = {
    ...(changes.enabled === undefined ? {} : { status: changes.enabled ? "active" : "disabled" }),
    ...(permissions === undefined ? {} : { permissions }),
    ...(changes.roleId === undefined ? {} : { roleId: changes.roleId }),
  };
  const now = ctx.clock.now();
  const updated = await ctx.store.users.update(tenantId, user.id, patch, now, {
    ifUpdatedAt: user.updatedAt,
  });
  if (updated === undefined) {
    throw new TesseraError("not_found", "No such user");
  }
  await auditChanges(ctx, user, updated, { ...input, at: now });
  return updated;
}

/** Records what {@link updateUser} changed, one event per kind of change, and ends sessions on disable. */
async function auditChanges(
  ctx: Ctx,
  before: UserRecord,
  after: UserRecord,
  input: Actor & { readonly tenantId: TenantId; readonly at: number },
): Promise<void> {
  const audit = {
    tenantId: input.tenantId,
    at: input.at,
    subjectUserId: after.id,
    ...auditActor(input),
  };
  if (before.status !== after.status) {
    const sessionsRevoked =
      after.status === "disabled"
        ? await endUserSessions(ctx, {
            tenantId: input.tenantId,
            userId: after.id,
            reason: "user_disabled",
            ...auditActor(input),
          })
        : 0;
    await recordAudit(ctx, {
      ...audit,
      type: after.status === "active" ? "user.enabled" : "user.disabled",
      detail: { sessionsRevoked },
    });
  }
  for (const permission of after.permissions.filter((p) => !before.permissions.includes(p))) {
    await recordAudit(ctx, { ...audit, type: "user.permission_granted", detail: { permission } });
  }
  for (const permission of before.permissions.filter((p) => !after.permissions.includes(p))) {
    await recordAudit(ctx, { ...audit, type: "user.permission_revoked", detail: { permission } });
  }
  if (before.roleId !== after.roleId) {
    await recordAudit(ctx, {
      ...audit,
      type: "user.role_changed",
      detail: { from: before.roleId, to: after.roleId },
    });
  }
}
