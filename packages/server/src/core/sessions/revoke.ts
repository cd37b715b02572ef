import { type Actor, auditActor } from "../actor.js";
import { recordAudit } from "../audit.js";
import type { CoreContext } from "../context.js";
import type { ClientId, SessionId, TenantId, UserId } from "../ids.js";

/** A revocation as its audit event records it: who ended which sessions, and why. */
interface Revocation extends Actor {
  readonly tenantId: TenantId;
  readonly reason: string;
  readonly subjectUserId?: UserId | null;
  /** The client the session belongs to, when one session is ended. */
  readonly clientId?: ClientId | null;
  readonly sessionId?: SessionId | null;
}

/** Records that `ended` sessions were revoked, when there were any. */
async function recordRevocation(
  ctx: Pick<CoreContext, "store">,
  at: number,
  ended: readonly SessionId[],
  input: Revocation,
): Promise<void> {
  if (ended.length === 0) {
    return;
  }
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at,
    type: "session.revoked",
    ...auditActor(input),
    subjectUserId: input.subjectUserId ?? null,
    clientId: input.clientId ?? null,
    sessionId: input.sessionId ?? null,
    detail: { reason: input.reason, sessionsRevoked: ended.length },
  });
}

/**
 * Revokes one session (and its impersonation children) and records it.
 * Idempotent. Used by logout, by the CLI, and by later dialects.
 */
export async function endSession(
  ctx: Pick<CoreContext, "store" | "clock">,
  input: Revocation & { readonly sessionId: SessionId },
): Promise<SessionId[]> {
  const now = ctx.clock.now();
  const ended = await ctx.store.sessions.revoke(input.sessionId, now, input.reason);
  await recordRevocation(ctx, now, ended, input);
  return ended;
}

/**
 * Revokes every session of a user: their own, those in which they
 * impersonate someone, and impersonations born of theirs. Returns how many
 * ended. Password changes, disabling and operators all end sessions here.
 */
export async function endUserSessions(
  ctx: Pick<CoreContext, "store" | "clock">,
  input: Omit<Revocation, "subjectUserId" | "clientId" | "sessionId"> & {
    readonly userId: UserId;
  },
): Promise<number> {
  const now = ctx.clock.now();
  const ended = await ctx.store.sessions.revokeAllForUser(
    input.tenantId,
    input.userId,
    now,
    input.reason,
  );
  await recordRevocation(ctx, now, ended, { ...input, subjectUserId: input.userId });
  return ended.length;
}
