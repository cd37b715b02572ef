import { TesseraError } from "./errors.js";

/** The admin level: holds every permission, including ones defined later. */
export const ADMIN = "admin";
/** May start an impersonation session (spec 003). */
export const IMPERSONATE = "impersonate";
/** Reads what the admin API shows, without changing anything. */
export const ADMIN_READ_PERMISSION = "admin:read";

const PERMISSION_PATTERN = /^[a-z][a-z0-9:._-]{0,63}$/;

/** Anything that carries permissions: granted directly, and through a role. */
export interface HasPermissions {
  readonly permissions: readonly string[];
  readonly rolePermissions?: readonly string[];
}

/** Every permission `holder` has, direct or through its role. */
export function grantedPermissions(holder: HasPermissions): ReadonlySet<string> {
  return new Set([...holder.permissions, ...(holder.rolePermissions ?? [])]);
}

/** True when `holder` has `permission`, directly, through its role, or through {@link ADMIN}. */
export function hasPermission(holder: HasPermissions, permission: string): boolean {
  const granted = grantedPermissions(holder);
  return granted.has(ADMIN) || granted.has(permission);
}

/** True when `holder` is at the admin level. */
export function isAdmin(holder: HasPermissions): boolean {
  return grantedPermissions(holder).has(ADMIN);
}

/**
 * True when `target` holds something `caller` does not, so acting as the
 * target would raise the caller's privilege. An admin outranks everyone but
 * another admin.
 */
export function outranks(target: HasPermissions, caller: HasPermissions): boolean {
  const callerGrants = grantedPermissions(caller);
  if (callerGrants.has(ADMIN)) {
    return false;
  }
  return [...grantedPermissions(target)].some((p) => !callerGrants.has(p));
}

/** Checks a permission name (`impersonate`, `tokens:write`) and returns it. */
export function parsePermission(name: string): string {
  if (!PERMISSION_PATTERN.test(name)) {
    throw new TesseraError(
      "invalid_request",
      "A permission is 1-64 characters: lowercase letters, digits and : . _ -, starting with a letter",
    );
  }
  return name;
}

/** True when `holder` may use the admin API at all: `admin`, or `admin:read` to read. */
export function hasAdminAccess(holder: HasPermissions): boolean {
  return isAdmin(holder) || hasPermission(holder, ADMIN_READ_PERMISSION);
}
