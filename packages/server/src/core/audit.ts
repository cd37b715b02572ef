import { boundAuditDetail, boundAuditString } from "./audit-detail.js";
import type { CoreContext } from "./context.js";
import type { ClientId } from "./ids.js";
import type { AuditEventInput } from "./model/index.js";

/**
 * The audit event types. Every login, failed login, refresh, revocation,
 * impersonation and admin change records one.
 */
export const AUDIT_EVENT_TYPES = [
  "login.succeeded",
  "login.failed",
  "login.throttled",
  "token.refreshed",
  "refresh_token.reused",
  "session.revoked",
  "impersonation.started",
  "tenant.created",
  "tenant.updated",
  "user.created",
  "user.password_changed",
  "user.disabled",
  "user.enabled",
  "user.permission_granted",
  "user.permission_revoked",
  "user.role_changed",
  "user.deleted",
  "role.created",
  "role.updated",
  "role.deleted",
  "client.created",
  "client.updated",
  "client.secret_rotated",
  "client.step_up_failed",
  "token.issued",
  "token.rotated",
  "token.revoked",
  "api_key.created",
  "api_key.revoked",
  "signing_key.rotated",
  "maintenance.purged",
] as const;

/** One of {@link AUDIT_EVENT_TYPES}. */
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/**
 * Appends an audit event. Details must never hold a secret: ids, usernames,
 * reasons and counts only.
 *
 * Details, the IP and the client id often carry what a caller sent (the
 * username of a failed login, the client id a failed client authentication
 * claimed), and audit rows are kept: every string is bounded and its
 * control and bidirectional characters escaped, and the detail as a whole
 * is bounded ({@link boundAuditDetail}), so no caller can write a large row
 * or a value that forges a line where the trail is read.
 */
export async function recordAudit(
  ctx: Pick<CoreContext, "store">,
  event: AuditEventInput & { readonly type: AuditEventType },
): Promise<void> {
  await ctx.store.audit.append({
    ...event,
    ...(event.ip === undefined || event.ip === null ? {} : { ip: boundAuditString(event.ip) }),
    ...(event.clientId === undefined || event.clientId === null
      ? {}
      : { clientId: boundAuditString(event.clientId) as ClientId }),
    ...(event.detail === undefined ? {} : { detail: boundAuditDetail(event.detail) }),
  });
}
