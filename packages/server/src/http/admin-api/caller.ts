import type { CoreContext } from "../../core/context.js";
import { TesseraError } from "../../core/errors.js";
import type { ClientId, TenantId, UserId } from "../../core/ids.js";
import { hasPermission } from "../../core/permissions.js";
import { requireToken } from "../../core/tokens/registry.js";
import { requireBearer } from "../bearer.js";

/** Reads anything the admin API shows. */
export const ADMIN_READ = "admin:read";
/** Changes anything the admin API manages (and reads it). */
export const ADMIN_WRITE = "admin:write";

/** What a caller of the admin API may do. */
export type AdminAccess = "read" | "write";

/**
 * Who calls the admin API, proven by a bearer access token Tessera issued:
 * a user's (session API or OAuth), or a client's own (client credentials).
 */
export interface AdminCaller {
  /** The tenant the token belongs to. */
  readonly tenantId: TenantId;
  /** An admin of the platform tenant manages every tenant; any other only its own. */
  readonly platform: boolean;
  readonly access: AdminAccess;
  /** The user who calls, for the audit trail. */
  readonly actorUserId: UserId | null;
  /** The client whose own token calls, for the audit trail. */
  readonly actorClientId: ClientId | null;
}

/**
 * Authenticates an admin API request by its `Authorization: Bearer` token.
 *
 * - A user's access token (`access_token`: the session API's, or OAuth's
 *   password grant) calls with its user's permissions: `admin` or
 *   `admin:write` to write, `admin:read` to read. The user is read live,
 *   so a permission taken away applies to tokens already issued.
 * - A client's access token (`client_access_token`: client credentials)
 *   calls with its scopes: `admin:write` to write, `admin:read` to read.
 * - Nothing else is accepted: an ID token, a refresh token, a delegated
 *   token (a third party acting for a user), an automation token, nor the
 *   access token of an impersonation session (`forbidden`).
 *
 * A token that is missing or refused is `invalid_token` (401); a valid one
 * without admin access is `insufficient_scope` (403).
 */
export async function authenticateAdmin(
  ctx: CoreContext,
  authorization: string | undefined,
  platformTenant: TenantId,
): Promise<AdminCaller> {
  const token = await requireToken(ctx, requireBearer(authorization), {
    kinds: ["access_token", "client_access_token"],
  });
  if (token.kind === "access_token" && token.session.impersonatorUserId !== null) {
    // The audit trail must name who really acts: an impersonator manages as itself.
    throw new TesseraError("forbidden", "An impersonation session cannot use the admin API");
  }
  const holds =
    token.kind === "client_access_token"
      ? (name: string) => token.scopes.includes(name)
      : (name: string) => hasPermission(token.user, name);
  const access: AdminAccess | undefined = holds(ADMIN_WRITE)
    ? "write"
    : holds(ADMIN_READ)
      ? "read"
      : undefined;
  if (access === undefined) {
    throw new TesseraError("insufficient_scope", "This token grants no access to the admin API", {
      detail: `${token.kind} of ${token.subject} holds neither ${ADMIN_READ} nor ${ADMIN_WRITE}`,
    });
  }
  return {
    tenantId: token.tenantId,
    platform: token.tenantId === platformTenant,
    access,
    actorUserId: token.kind === "client_access_token" ? null : token.user.id,
    actorClientId: token.kind === "client_access_token" ? token.clientId : null,
  };
}

/**
 * Refuses a caller that may not act on `tenantId` (`forbidden`), or may
 * not change anything when `write` is asked (`insufficient_scope`).
 */
export function authorizeAdmin(caller: AdminCaller, tenantId: string | undefined, write: boolean) {
  if (tenantId !== undefined && !caller.platform && tenantId !== caller.tenantId) {
    throw new TesseraError("forbidden", "This token may not manage that tenant", {
      detail: `a token of tenant ${caller.tenantId} for tenant ${tenantId}`,
    });
  }
  if (write && caller.access !== "write") {
    throw new TesseraError("insufficient_scope", `Changes need ${ADMIN_WRITE}`);
  }
}
