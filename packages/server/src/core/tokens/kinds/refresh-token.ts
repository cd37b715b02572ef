import type { CoreContext } from "../../context.js";
import type { RefreshTokenRecord, SessionRecord } from "../../model/index.js";
import { hashSecret, isWellFormedOpaqueToken } from "../../opaque-token.js";
import {
  NOTHING_REVOKED,
  type TokenExpectations,
  type TokenFailure,
  type VerifiedSessionToken,
} from "../types.js";
import { fail, failed, type TokenKindModule } from "./kind.js";
import { liveSession, revokeSessionOf } from "./session.js";
import { introspectSessionToken } from "./session-jwt.js";

/** A refresh token's stored record and its session, whatever their state. */
export interface FoundRefreshToken {
  readonly record: RefreshTokenRecord;
  readonly session: SessionRecord;
}

/**
 * The stored record of an opaque refresh token (`tsr_rt_…`, looked up by its
 * SHA-256) and its session, in any state: rotation needs the rotated ones
 * too, to replay or to detect reuse.
 */
export async function findRefreshToken(
  ctx: Pick<CoreContext, "store">,
  text: string,
): Promise<FoundRefreshToken | undefined> {
  if (!isWellFormedOpaqueToken(text, "tsr_rt")) {
    return undefined;
  }
  const record = await ctx.store.refreshTokens.getByHash(hashSecret(text));
  const session = record === undefined ? undefined : await ctx.store.sessions.get(record.sessionId);
  return record === undefined || session === undefined ? undefined : { record, session };
}

/**
 * A session API refresh token that may be used now: known, of the expected
 * tenant, issued to the expected client (`audience`), not expired, not yet
 * exchanged for its successor, and its session live.
 */
async function verifyRefreshToken(
  ctx: CoreContext,
  text: string,
  expectations: Pick<TokenExpectations, "tenantId" | "audience">,
): Promise<VerifiedSessionToken | TokenFailure> {
  const found = await findRefreshToken(ctx, text);
  if (found === undefined) {
    return fail("unknown");
  }
  const { record, session } = found;
  if (expectations.tenantId !== undefined && record.tenantId !== expectations.tenantId) {
    return fail("wrong_tenant");
  }
  if (expectations.audience !== undefined && session.clientId !== expectations.audience) {
    return fail("wrong_audience");
  }
  const now = ctx.clock.now();
  if (record.expiresAt <= now) {
    return fail("expired");
  }
  if (record.rotatedAt !== null) {
    return fail("rotated");
  }
  const live = await liveSession(ctx, session.id, { tenantId: record.tenantId }, now);
  if (failed(live)) {
    return live;
  }
  return {
    valid: true,
    kind: "refresh_token",
    tenantId: record.tenantId,
    subject: live.user.id,
    clientId: session.clientId,
    issuedAt: record.createdAt,
    expiresAt: record.expiresAt,
    session: live.session,
    user: live.user,
    jti: undefined,
    scopes: [],
    audience: [session.clientId],
    act: session.impersonatorUserId === null ? undefined : { sub: session.impersonatorUserId },
  };
}

/** The session API's opaque refresh token; revoking it ends its session (its family). */
export const refreshTokenKind: TokenKindModule<"refresh_token"> = {
  kind: "refresh_token",
  verify: (ctx, text, expectations) => verifyRefreshToken(ctx, text, expectations),
  introspect: async (ctx, text, scope) =>
    introspectSessionToken(ctx, await verifyRefreshToken(ctx, text, scope), scope),
  async revoke(ctx, text, by) {
    const found = await findRefreshToken(ctx, text);
    if (found === undefined) {
      return NOTHING_REVOKED;
    }
    // A rotated or expired refresh token still names its family: ending it is what its holder asks.
    return revokeSessionOf(
      ctx,
      "refresh_token",
      found.session.id,
      { tenantId: found.record.tenantId },
      by,
    );
  },
};
