import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { Brand, UserId } from "../ids.js";
import type { SessionRecord, TenantRecord, UserRecord } from "../model/index.js";
import { hashSecret } from "../opaque-token.js";
import { recordRefresh } from "../sessions/refresh.js";
import { requireUsableSession } from "../sessions/start-session.js";
import {
  OPERATIONS_CLIENT_ID,
  signOperationToken,
  verifyOperationToken,
} from "./operation-tokens.js";

const invalid = (detail: string) => new TesseraError("invalid_token", "Invalid token", { detail });

/**
 * A refresh token that has been verified: the live session it belongs to
 * and that session's user. Only {@link verifyRefreshToken} makes one, so
 * nothing unverified can be refreshed.
 */
export type VerifiedRefreshToken = Brand<
  { readonly session: SessionRecord; readonly user: UserRecord },
  "VerifiedRefreshToken"
>;

/**
 * Verifies a refresh token of the operations API. The refresh token is a
 * signed JWT whose `jti` must still be the session's stored refresh token,
 * and the session must be live, so a revoked session's refresh token is
 * refused though its signature is good. Nothing is written: the caller
 * that sent it is authenticated by it before anything else it sent is read.
 *
 * @param callerUserId when the caller authenticated separately: the refresh
 *   token must be the caller's own.
 * @throws `invalid_token`, or `token_expired` for an expired refresh token.
 */
export async function verifyRefreshToken(
  ctx: CoreContext,
  input: {
    readonly tenant: TenantRecord;
    readonly refreshToken: string;
    readonly callerUserId?: UserId;
  },
): Promise<VerifiedRefreshToken> {
  const { tenant } = input;
  const claims = await verifyOperationToken(ctx, {
    tenant,
    token: input.refreshToken,
    kind: "refresh",
  });
  const record = await ctx.store.refreshTokens.getByHash(hashSecret(claims.jti));
  if (record === undefined || record.tenantId !== tenant.id || record.sessionId !== claims.sid) {
    throw invalid("unknown refresh token");
  }
  const session = await ctx.store.sessions.get(record.sessionId);
  if (session === undefined || session.clientId !== OPERATIONS_CLIENT_ID) {
    throw invalid("unknown session");
  }
  const now = ctx.clock.now();
  if (record.expiresAt <= now) {
    throw new TesseraError("token_expired", "Token has expired");
  }
  const user = await requireUsableSession(ctx, session, now);
  if (input.callerUserId !== undefined && input.callerUserId !== user.id) {
    throw invalid("refresh token of another user");
  }
  return { session, user } as VerifiedRefreshToken;
}

/**
 * `refresh_operation_token`: a new operation token for a verified refresh
 * token's session, never outliving it. The refresh token itself stays
 * valid (HarperDB's behaviour), until the session ends.
 */
export async function refreshOperationToken(
  ctx: CoreContext,
  input: {
    readonly tenant: TenantRecord;
    readonly refreshToken: VerifiedRefreshToken;
    readonly ip: string;
  },
): Promise<{ readonly operationToken: string }> {
  const { tenant } = input;
  const { session, user } = input.refreshToken;
  const now = ctx.clock.now();
  const operation = await signOperationToken(ctx, {
    tenant,
    user,
    session,
    kind: "operation",
    now,
    expiresAt: Math.min(now + tenant.operationTokenTtlSeconds * 1000, session.expiresAt),
  });
  await recordRefresh(ctx, { session, ip: input.ip, now, rotated: false });
  return { operationToken: operation.token };
}
