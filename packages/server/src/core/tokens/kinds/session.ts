import type { CoreContext } from "../../context.js";
import type { SessionId, TenantId, UserId } from "../../ids.js";
import type { SessionRecord, UserRecord } from "../../model/index.js";
import { endSession } from "../../sessions/revoke.js";
import { checkUsableSession } from "../../sessions/start-session.js";
import {
  NOTHING_REVOKED,
  type RevocationResult,
  type Revoker,
  revokerActor,
  type TokenFailure,
  type TokenKind,
} from "../types.js";
import { fail, inScope, revoked } from "./kind.js";

/** A session a token lives by, found and usable. */
export interface LiveSession {
  readonly session: SessionRecord;
  readonly user: UserRecord;
}

/**
 * The session a token names, if it may still be used at `now`: it exists,
 * belongs to the token's tenant (and user, and client, when given), and is
 * usable by `checkUsableSession` (not revoked or expired, nor its parent,
 * its user active). Every kind that lives by a session asks here, so a
 * revocation is seen by all of them at once, whatever a token's `exp` says.
 */
export async function liveSession(
  ctx: Pick<CoreContext, "store">,
  sessionId: SessionId,
  owner: {
    readonly tenantId: TenantId;
    readonly userId?: string;
    readonly clientId?: string;
  },
  now: number,
): Promise<LiveSession | TokenFailure> {
  const session = await ctx.store.sessions.get(sessionId);
  if (
    session === undefined ||
    session.tenantId !== owner.tenantId ||
    (owner.userId !== undefined && session.userId !== owner.userId) ||
    (owner.clientId !== undefined && session.clientId !== owner.clientId)
  ) {
    return fail("unknown", "unknown session");
  }
  const use = await checkUsableSession(ctx, session, now);
  if (!use.usable) {
    return fail(use.reason, `session ${use.reason}`);
  }
  const { user } = use;
  return { session, user };
}

/**
 * Ends the session a token of `kind` names, with every impersonation
 * session born of it, if `by` may: the cascade of every kind that lives by
 * a session (RFC 7009 §2.1: revoking a refresh token may, and here does,
 * revoke the tokens of its grant).
 */
export async function revokeSessionOf(
  ctx: Pick<CoreContext, "store" | "clock">,
  kind: TokenKind,
  sessionId: SessionId,
  owner: { readonly tenantId: TenantId; readonly userId?: UserId },
  by: Revoker,
): Promise<RevocationResult> {
  const session = await ctx.store.sessions.get(sessionId);
  if (
    session === undefined ||
    session.tenantId !== owner.tenantId ||
    (owner.userId !== undefined && session.userId !== owner.userId) ||
    !inScope(by, kind, session)
  ) {
    return NOTHING_REVOKED;
  }
  const ended = await endSession(ctx, {
    tenantId: session.tenantId,
    sessionId: session.id,
    reason: by.reason,
    subjectUserId: session.userId,
    clientId: session.clientId,
    ...revokerActor(by),
  });
  return revoked({ sessionId: session.id, sessionsEnded: ended });
}
