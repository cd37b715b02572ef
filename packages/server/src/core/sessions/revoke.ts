import type { AuthenticatedClient } from "../api-keys.js";
import { recordAudit } from "../audit.js";
import type { CoreContext } from "../context.js";
import { isTesseraError, TesseraError } from "../errors.js";
import type { SessionId, TenantId, UserId } from "../ids.js";
import { hashSecret, isWellFormedOpaqueToken } from "../opaque-token.js";
import { verifySessionToken } from "../tokens/session-tokens.js";

/**
 * Ends the session that `refreshToken` or `accessToken` belongs to, with
 * every impersonation session born of it.
 *
 * As RFC 7009 §2.2 prescribes for revocation, a token that is unknown,
 * already revoked, expired, or of another tenant or client is not an error:
 * the call succeeds and changes nothing, so it is idempotent and reveals
 * nothing about tokens the caller does not hold.
 *
 * @returns the session ended by this call, if any.
 */
export async function revokeSessionByToken(
  ctx: CoreContext,
  input: {
    readonly client: AuthenticatedClient;
    readonly refreshToken?: string;
    readonly accessToken?: string;
    readonly ip: string;
  },
): Promise<{ readonly sessionId: SessionId | undefined }> {
  const { client } = input;
  if (input.refreshToken === undefined && input.accessToken === undefined) {
    throw new TesseraError("invalid_request", "A refresh token or an access token is required");
  }
  const sessionId = await findSessionId(ctx, client, input);
  if (sessionId === undefined) {
    return { sessionId: undefined };
  }
  const session = await ctx.store.sessions.get(sessionId);
  if (
    session === undefined ||
    session.tenantId !== client.tenant.id ||
    session.clientId !== client.clientId
  ) {
    return { sessionId: undefined };
  }
  await endSession(ctx, {
    tenantId: session.tenantId,
    sessionId,
    reason: "logout",
    subjectUserId: session.userId,
    ip: input.ip,
  });
  return { sessionId };
}

async function findSessionId(
  ctx: CoreContext,
  client: AuthenticatedClient,
  input: { readonly refreshToken?: string; readonly accessToken?: string },
): Promise<SessionId | undefined> {
  if (input.refreshToken !== undefined && isWellFormedOpaqueToken(input.refreshToken, "tsr_rt")) {
    const record = await ctx.store.refreshTokens.getByHash(hashSecret(input.refreshToken));
    if (record !== undefined && record.tenantId === client.tenant.id) {
      return record.sessionId;
    }
  }
  if (input.accessToken !== undefined) {
    try {
      const claims = await verifySessionToken(ctx, {
        tenantId: client.tenant.id,
        clientId: client.clientId,
        token: input.accessToken,
        kind: "access",
        allowExpired: true,
      });
      return claims.sid as SessionId;
    } catch (error) {
      if (!isTesseraError(error)) {
        throw error;
      }
    }
  }
  return undefined;
}

interface Revocation {
  readonly tenantId: TenantId;
  readonly reason: string;
  readonly actorUserId?: UserId | null;
  readonly subjectUserId?: UserId | null;
  readonly sessionId?: SessionId | null;
  readonly ip?: string | null;
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
    actorUserId: input.actorUserId ?? null,
    subjectUserId: input.subjectUserId ?? null,
    sessionId: input.sessionId ?? null,
    ip: input.ip ?? null,
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
  input: Omit<Revocation, "subjectUserId" | "sessionId"> & { readonly userId: UserId },
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
