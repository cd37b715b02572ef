import { type Actor, auditActor } from "./actor.js";
import { recordAudit } from "./audit.js";
import type { CoreContext } from "./context.js";
import { echoInput } from "./echo.js";
import { TesseraError } from "./errors.js";
import { checkIdentifierInput, checkName, isIdentifierInput } from "./identifiers.js";
import { newRoleId, type RoleId, type TenantId } from "./ids.js";
import type { JsonObject, JsonValue, RoleRecord, UserRecord } from "./model/index.js";
import { ADMIN, isAdmin } from "./permissions.js";
import type { RolePatch } from "./ports/index.js";

type Ctx = Pick<CoreContext, "store" | "clock">;

export const MAX_ROLE_NAME_LENGTH = 128;

/**
 * The largest permission object a role may hold, as JSON: room for hundreds
 * of databases and tables, and a bound on what one role stores.
 */
export const MAX_ROLE_PERMISSION_BYTES = 64 * 1024;

/**
 * What a role's permission object grants in Tessera's terms.
 * `super_user: true` is the admin level; anything else the object holds is
 * kept for the clients that read it but grants nothing in Tessera itself.
 */
export function permissionsOfRole(permission: JsonObject): string[] {
  return permission.super_user === true ? [ADMIN] : [];
}

/** How a name or value a permission object may not hold is refused. */
export const HOLDS_BAD_NAME =
  "holds a control, bidirectional or line separator character, or is too long";

/** True when a key or string anywhere in `value` fails {@link isIdentifierInput}. */
function holdsBadText(value: JsonValue): boolean {
  if (typeof value === "string") {
    return !isIdentifierInput(value);
  }
  if (Array.isArray(value)) {
    return value.some(holdsBadText);
  }
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).some(
      ([key, inner]) => !isIdentifierInput(key) || holdsBadText(inner),
    );
  }
  return false;
}

/**
 * What the core itself requires of any permission object, whichever dialect
 * wrote it (the operations API checks HarperDB's shape on top): at most
 * {@link MAX_ROLE_PERMISSION_BYTES} of JSON, and no name or string, at any
 * depth, that could hide text, since the object is stored and shown
 * verbatim.
 *
 * @returns the problems found, for a dialect to name beside its own.
 * @throws `invalid_request` for an object too large to look into.
 */
export function rolePermissionProblems(permission: JsonObject): string[] {
  if (Buffer.byteLength(JSON.stringify(permission)) > MAX_ROLE_PERMISSION_BYTES) {
    throw new TesseraError(
      "invalid_request",
      `A permission object must be at most ${MAX_ROLE_PERMISSION_BYTES} bytes of JSON`,
    );
  }
  return holdsBadText(permission) ? [`A name or value in the permission ${HOLDS_BAD_NAME}`] : [];
}

/** Refuses a permission object with any of {@link rolePermissionProblems}' problems. */
export function checkRolePermission(permission: JsonObject): void {
  const problems = rolePermissionProblems(permission);
  if (problems.length > 0) {
    throw new TesseraError("invalid_request", problems.join(". "));
  }
}

/** Checks a new role name: 1-128 characters of visible text, without outer spaces. */
export function checkRoleName(name: string): void {
  checkName(name, "A role name", MAX_ROLE_NAME_LENGTH);
}

/** Adds a role. `conflict` if the tenant already has one by that name. */
export async function addRole(
  ctx: Ctx,
  input: {
    readonly tenantId: TenantId;
    readonly name: string;
    readonly permission: JsonObject;
  } & Actor,
): Promise<RoleRecord> {
  checkRoleName(input.name);
  checkRolePermission(input.permission);
  const now = ctx.clock.now();
  const role: RoleRecord = {
    id: newRoleId(),
    tenantId: input.tenantId,
    name: input.name,
    permission: input.permission,
    permissions: permissionsOfRole(input.permission),
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.roles.create(role);
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at: now,
    type: "role.created",
    ...auditActor(input),
    detail: { roleId: role.id, role: role.name, permissions: role.permissions.join(" ") },
  });
  return role;
}

/** A tenant's roles ordered by name. */
export async function listRoles(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
): Promise<RoleRecord[]> {
  return ctx.store.roles.list(tenantId);
}

/** The role a user holds, if any. */
export async function roleOf(
  ctx: Pick<CoreContext, "store">,
  user: UserRecord,
): Promise<RoleRecord | undefined> {
  return user.roleId === null ? undefined : ctx.store.roles.get(user.tenantId, user.roleId);
}

/** Loads a role by id or throws `not_found`. */
export async function getRole(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  id: string,
): Promise<RoleRecord> {
  checkIdentifierInput(id, "A role id");
  const role = await ctx.store.roles.get(tenantId, id as RoleId);
  if (role === undefined) {
    throw new TesseraError("not_found", "Role not found");
  }
  return role;
}

/**
 * Loads a role by name, or by id when no role has that name (HarperDB's
 * clients have sent either). Throws `not_found`.
 */
export async function findRole(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  nameOrId: string,
): Promise<RoleRecord> {
  checkIdentifierInput(nameOrId, "A role");
  const role =
    (await ctx.store.roles.getByName(tenantId, nameOrId)) ??
    (await ctx.store.roles.get(tenantId, nameOrId as RoleId));
  if (role === undefined) {
    throw new TesseraError("not_found", `Role '${echoInput(nameOrId)}' not found`);
  }
  return role;
}

/**
 * Renames a role or replaces its permission object. Its members' grants
 * change at once, since a user's role is read with the user.
 */
export async function updateRole(
  ctx: Ctx,
  input: {
    readonly tenantId: TenantId;
    readonly id: string;
    readonly name?: string;
    readonly permission?: JsonObject;
    /** The user making the change, who may not remove its own admin level. */
    readonly actor?: UserRecord;
    /** Refuses the role as read with `precondition_failed` (an `If-Match` that no longer holds). */
    readonly precondition?: (current: RoleRecord) => boolean;
  } & Actor,
): Promise<RoleRecord> {
  const role = await getRole(ctx, input.tenantId, input.id);
  if (input.precondition !== undefined && !input.precondition(role)) {
    throw new TesseraError("precondition_failed", "The role changed since it was read");
  }
  if (input.name !== undefined) {
    checkRoleName(input.name);
  }
  let patch: RolePatch = input.name === undefined ? {} : { name: input.name };
  if (input.permission !== undefined) {
    checkRolePermission(input.permission);
    const actor = input.actor;
    if (
      actor?.roleId === role.id &&
      isAdmin(actor) &&
      !isAdmin({
        permissions: actor.permissions,
        rolePermissions: permissionsOfRole(input.permission),
      })
    ) {
      throw new TesseraError("forbidden", "You cannot take away your own super_user role");
    }
    patch = {
      ...patch,
      permission: input.permission,
      permissions: permissionsOfRole(input.permission),
    };
  }
  const now = ctx.clock.now();
  // Applies only if no one changed the role since it was read above.
  const updated = await ctx.store.roles.update(input.tenantId, role.id, patch, now, {
    ifUpdatedAt: role.updatedAt,
  });
  if (updated === undefined) {
    throw new TesseraError("not_found", "Role not found");
  }
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at: now,
    type: "role.updated",
    ...auditActor(input),
    detail: { roleId: role.id, role: updated.name, permissions: updated.permissions.join(" ") },
  });
  return updated;
}

/** Deletes a role. `not_found` if unknown; `conflict` while any user holds it. */
export async function dropRole(
  ctx: Ctx,
  input: { readonly tenantId: TenantId; readonly id: string } & Actor,
): Promise<RoleRecord> {
  const role = await getRole(ctx, input.tenantId, input.id);
  const members = await ctx.store.roles.countMembers(input.tenantId, role.id);
  const inUse = () =>
    new TesseraError("conflict", `The role ${echoInput(role.name)} is held by at least one user`);
  if (members > 0) {
    throw inUse();
  }
  // The store refuses too, atomically, if a user was given the role meanwhile.
  const deleted = await ctx.store.roles.delete(input.tenantId, role.id).catch((error: unknown) => {
    throw error instanceof TesseraError && error.code === "conflict" ? inUse() : error;
  });
  if (!deleted) {
    throw new TesseraError("not_found", "Role not found");
  }
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at: ctx.clock.now(),
    type: "role.deleted",
    ...auditActor(input),
    detail: { roleId: role.id, role: role.name },
  });
  return role;
}
