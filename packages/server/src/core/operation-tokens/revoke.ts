import type { CoreContext } from "../context.js";
import { echoInput } from "../echo.js";
import { TesseraError } from "../errors.js";
import { checkIdentifierInput } from "../identifiers.js";
import type { SessionId } from "../ids.js";
import type { SessionRecord, TenantRecord } from "../model/index.js";
import { isAdmin } from "../permissions.js";
import { endSession, endUserSessions } from "../sessions/revoke.js";
import { revokeToken } from "../tokens/registry.js";
import type { OperationsCaller } from "./caller.js";

/** What to revoke: one token's session, one session by id, every session of a user, or the caller's own. */
export type RevocationTarget =
  | { readonly token: string }
  | { readonly sessionId: string }
  | { readonly username: string }
  | { readonly current: true };

/**
 * Revokes operations API (or any) sessions, which HarperDB cannot do:
 *
 * - `token`: an operation or refresh token ends its session, through the
 *   token registry. Holding the token is the authority, as in RFC 7009; a
 *   token that is not valid, or already revoked, changes nothing and is not
 *   an error (§2.2).
 * - `sessionId`: the caller's own session, or any session for an admin. A
 *   session the caller may not see answers `not_found`, like an unknown one.
 * - `username`: every session of the caller, or of anyone for an admin.
 * - `current`: the session of the caller's operation token.
 *
 * @returns how many sessions this call ended (impersonation children included).
 */
export async function revokeOperationSessions(
  ctx: CoreContext,
  input: {
    readonly tenant: TenantRecord;
    readonly caller: OperationsCaller;
    readonly target: RevocationTarget;
    readonly ip: string;
  },
): Promise<{ readonly sessionsRevoked: number }> {
  const { tenant, caller, target, ip } = input;
  const audit = { tenantId: tenant.id, actorUserId: caller.user.id, ip };
  const end = async (session: SessionRecord, reason: string) => {
    const ended = await endSession(ctx, {
      ...audit,
      sessionId: session.id,
      subjectUserId: session.userId,
      clientId: session.clientId,
      reason,
    });
    return { sessionsRevoked: ended.length };
  };

  if ("token" in target) {
    const revoked = await revokeToken(ctx, target.token, {
      ...audit,
      kinds: ["operation_token", "operation_refresh_token"],
      reason: "revoked",
    });
    return { sessionsRevoked: revoked.sessionsEnded.length };
  }
  if ("sessionId" in target) {
    checkIdentifierInput(target.sessionId, "A session id");
    const session = await ctx.store.sessions.get(target.sessionId as SessionId);
    if (
      session === undefined ||
      session.tenantId !== tenant.id ||
      (session.userId !== caller.user.id && !isAdmin(caller.user))
    ) {
      throw new TesseraError("not_found", "Session not found");
    }
    return end(session, "revoked");
  }
  if ("username" in target) {
    checkIdentifierInput(target.username, "A username");
    if (target.username !== caller.user.username && !isAdmin(caller.user)) {
      throw new TesseraError("forbidden", "Only an admin may revoke another user's sessions");
    }
    const user = await ctx.store.users.getByUsername(tenant.id, target.username);
    if (user === undefined) {
      throw new TesseraError("not_found", `User ${echoInput(target.username)} does not exist`);
    }
    const sessionsRevoked = await endUserSessions(ctx, {
      ...audit,
      userId: user.id,
      reason: "revoked",
    });
    return { sessionsRevoked };
  }
  if (caller.session === undefined) {
    throw new TesseraError("invalid_request", "The caller has no session of its own to revoke");
  }
  return end(caller.session, "logout");
}
