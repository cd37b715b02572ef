import { type Authority, authorityOf } from "../../core/authority.js";
import type { CoreContext } from "../../core/context.js";
import { TesseraError } from "../../core/errors.js";
import type { ClientId, TenantId, UserId } from "../../core/ids.js";
import { type HasPermissions, hasPermission, isAdmin } from "../../core/permissions.js";
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
  /** The client the token was issued to: the caller itself, or the application a user signed in with. */
  readonly clientId: ClientId;
  /** How far the caller's say reaches (a client's: its own scopes). */
  readonly authority: Authority;
}

/** The admin access a set of scopes grants. */
function levelOf(scopes: readonly string[]): AdminAccess | undefined {
  if (scopes.includes(ADMIN_WRITE)) {
    return "write";
  }
  return scopes.includes(ADMIN_READ) ? "read" : undefined;
}

/** The admin access a user's permissions grant: `admin` writes, `admin:read` reads. */
function userLevel(user: HasPermissions): AdminAccess | undefined {
  if (isAdmin(user)) {
    return "write";
  }
  return hasPermission(user, ADMIN_READ) ? "read" : undefined;
}

/** The lesser of two accesses; none if either is none. */
function lower(a: AdminAccess | undefined, b: AdminAccess | undefined): AdminAccess | undefined {
  if (a === undefined || b === undefined) {
    return undefined;
  }
  return a === "read" || b === "read" ? "read" : "write";
}

/**
 * Authenticates an admin API request by its `Authorization: Bearer` token.
 *
 * - A user's access token (`access_token`: the session API's, or OAuth's
 *   password grant) calls with its user's permissions (`admin` to write,
 *   `admin:read` to read), when it was issued to an admin client: one
 *   whose scopes hold `admin:write` (or `admin:read`, which caps it to
 *   reading). The user and the client are read live, so a permission or
 *   scope taken away applies to tokens already issued.
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
  // A user's token counts only when the client it was issued to is an admin
  // client (holds an admin scope): a token handed to any other application
  // cannot be replayed here, and the client's scope caps the user's access.
  const client =
    token.kind === "client_access_token"
      ? token.client
      : await ctx.store.clients.get(token.tenantId, token.clientId);
  if (client?.status !== "active") {
    // A disabled client's users are cut off at once, not when their access tokens end.
    throw new TesseraError("invalid_token", "The client this token was issued to is disabled", {
      detail: `client ${token.clientId} is not active`,
    });
  }
  const clientLevel = levelOf(client.scopes);
  const access =
    token.kind === "client_access_token" ? clientLevel : lower(clientLevel, userLevel(token.user));
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
    clientId: token.clientId,
    authority:
      token.kind === "client_access_token"
        ? authorityOf({ permissions: token.scopes })
        : authorityOf(token.user),
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
