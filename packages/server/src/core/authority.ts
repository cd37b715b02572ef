import { TesseraError } from "./errors.js";
import { grantedPermissions, type HasPermissions, isAdmin } from "./permissions.js";

/**
 * How far a caller's say reaches when it manages others: an admin's reaches
 * everything; any other caller (a client holding `admin:write`) may hand
 * out only what it holds itself, and may not manage anyone who holds more,
 * so a management credential never mints a credential stronger than its own.
 */
export interface Authority {
  /** True for an admin, whose say has no ceiling. */
  readonly admin: boolean;
  /** What the caller holds: a client's scopes. */
  readonly holds: ReadonlySet<string>;
}

/** The authority of a caller that holds `holds` (as permissions, or as scopes). */
export function authorityOf(holder: HasPermissions): Authority {
  return { admin: isAdmin(holder), holds: grantedPermissions(holder) };
}

/** Refuses handing out any of `permissions` the authority does not hold (`forbidden`). */
export function checkMayGrant(authority: Authority | undefined, permissions: Iterable<string>) {
  if (authority === undefined || authority.admin) {
    return;
  }
  const beyond = [...permissions].filter((permission) => !authority.holds.has(permission));
  if (beyond.length > 0) {
    throw new TesseraError("forbidden", "You may only grant permissions you hold yourself", {
      detail: `beyond the caller's own: ${beyond.join(" ")}`,
    });
  }
}

/** Refuses managing a user who holds something the authority does not (`forbidden`). */
export function checkMayManage(authority: Authority | undefined, target: HasPermissions): void {
  if (authority === undefined || authority.admin) {
    return;
  }
  if ([...grantedPermissions(target)].some((permission) => !authority.holds.has(permission))) {
    throw new TesseraError("forbidden", "You may not manage a user who holds more than you do");
  }
}
