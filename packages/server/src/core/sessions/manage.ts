import { type Actor, auditActor } from "../actor.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { ClientId, SessionId, TenantId, UserId } from "../ids.js";
import type { EpochMs, SessionRecord } from "../model/index.js";
import { endSession, endUserSessions } from "./revoke.js";

/** The most sessions one page holds. */
export const MAX_SESSION_PAGE = 1000;

/** Where a page of sessions starts: after this session, in newest-first order. */
export interface SessionPosition {
  readonly createdAt: EpochMs;
  readonly id: SessionId;
}

/** One page of sessions, and where the next one starts. */
export interface SessionPage {
  readonly sessions: readonly SessionRecord[];
  /** Pass as `after` for the next page; undefined on the last page. */
  readonly next: SessionPosition | undefined;
}

/** A session is live until it is revoked or expires. */
export function sessionState(
  session: SessionRecord,
  now: EpochMs,
): "active" | "revoked" | "expired" {
  if (session.revokedAt !== null) {
    return "revoked";
  }
  return session.expiresAt <= now ? "expired" : "active";
}

/**
 * A page of a tenant's sessions, newest first: one user's or one client's
 * when asked, live ones only unless `includeEnded`.
 */
export async function pageSessions(
  ctx: Pick<CoreContext, "store" | "clock">,
  tenantId: TenantId,
  options: {
    readonly userId?: UserId;
    readonly clientId?: ClientId;
    readonly includeEnded?: boolean;
    readonly after?: SessionPosition;
    readonly limit: number;
  },
): Promise<SessionPage> {
  if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > MAX_SESSION_PAGE) {
    throw new TesseraError("invalid_request", `limit must be from 1 to ${MAX_SESSION_PAGE}`);
  }
  const found = await ctx.store.sessions.list(tenantId, {
    ...options,
    now: ctx.clock.now(),
    limit: options.limit + 1,
  });
  const sessions = found.slice(0, options.limit);
  const last = sessions.at(-1);
  return {
    sessions,
    next:
      found.length > options.limit && last !== undefined
        ? { createdAt: last.createdAt, id: last.id }
        : undefined,
  };
}

/** Loads a session of the tenant, or throws `not_found`. */
export async function getSession(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  id: SessionId,
): Promise<SessionRecord> {
  const session = await ctx.store.sessions.get(id);
  if (session === undefined || session.tenantId !== tenantId) {
    throw new TesseraError("not_found", "No such session");
  }
  return session;
}

/**
 * Revokes a session of the tenant (and the impersonation sessions born of
 * it) for an operator, audited with the actor. Idempotent: an unknown or
 * already ended session revokes nothing. Returns how many sessions ended.
 */
export async function revokeSession(
  ctx: Pick<CoreContext, "store" | "clock">,
  input: { readonly tenantId: TenantId; readonly sessionId: SessionId } & Actor,
): Promise<number> {
  const session = await ctx.store.sessions.get(input.sessionId);
  if (session === undefined || session.tenantId !== input.tenantId) {
    return 0;
  }
  const ended = await endSession(ctx, {
    tenantId: input.tenantId,
    sessionId: session.id,
    subjectUserId: session.userId,
    clientId: session.clientId,
    reason: "revoked_by_operator",
    ...auditActor(input),
  });
  return ended.length;
}

/** Revokes every session of a user of the tenant for an operator (`not_found` for an unknown user). */
export async function revokeUserSessions(
  ctx: Pick<CoreContext, "store" | "clock">,
  input: { readonly tenantId: TenantId; readonly userId: UserId } & Actor,
): Promise<number> {
  const user = await ctx.store.users.getById(input.tenantId, input.userId);
  if (user === undefined) {
    throw new TesseraError("not_found", "No such user");
  }
  return endUserSessions(ctx, {
    tenantId: input.tenantId,
    userId: user.id,
    reason: "revoked_by_operator",
    ...auditActor(input),
  });
}
