import { TesseraError } from "./errors.js";

/** The admin level: holds every permission, including ones defined later. */
export const ADMIN = "admin";
/** May start an impersonation session (spec 003). */
export const IMPERSONATE = "impersonate";

const PERMISSION_PATTERN = /^[a-z][a-z0-9:._-]{0,63}$/;

/** Anything that carries a permission list. */
export interface HasPermissions {
  readonly permissions: readonly string[];
}

/** True when `holder` has `permission`, directly or through {@link ADMIN}. */
export function hasPermission(holder: HasPermissions, permission: string): boolean {
  return holder.permissions.includes(ADMIN) || holder.permissions.includes(permission);
}

/**
 * True when `target` holds something `caller` does not, so acting as the
 * target would raise the caller's privilege. An admin outranks everyone but
 * another admin.
 */
export function outranks(target: HasPermissions, caller: HasPermissions): boolean {
  if (caller.permissions.includes(ADMIN)) {
    return false;
  }
  return target.permissions.some((p) => !caller.permissions.includes(p));
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
