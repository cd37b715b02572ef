import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { UserId } from "../ids.js";
import type { TenantRecord } from "../model/index.js";
import { recordRefresh } from "../sessions/refresh.js";
import type { VerifiedSessionToken } from "../tokens/types.js";
import { signOperationToken } from "./operation-tokens.js";

/**
 * `refresh_operation_token`: a new operation token for the session of a
 * refresh token the token registry verified (`operation_refresh_token`:
 * its `jti` still the session's stored refresh token, the session live),
 * never outliving it. The refresh token itself stays valid (HarperDB's
 * behaviour), until the session ends.
 *
 * @param callerUserId when the caller authenticated separately: the refresh
 *   token must be the caller's own (`invalid_token` otherwise).
 */
export async function refreshOperationToken(
  ctx: CoreContext,
  input: {
    readonly tenant: TenantRecord;
    readonly refreshToken: VerifiedSessionToken;
    readonly callerUserId?: UserId;
    readonly ip: string;
  },
): Promise<{ readonly operationToken: string }> {
  const { tenant, refreshToken } = input;
  if (
    refreshToken.kind !== "operation_refresh_token" ||
    refreshToken.tenantId !== tenant.id ||
    (input.callerUserId !== undefined && input.callerUserId !== refreshToken.user.id)
  ) {
    throw new TesseraError("invalid_token", "Invalid token", {
      detail: "not this caller's operations refresh token",
    });
  }
  const { session, user } = refreshToken;
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
