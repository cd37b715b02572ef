import { type AuthenticatedClient, requireApiKeyGrant } from "../api-keys.js";
import { recordAudit } from "../audit.js";
import { REFRESH_TOKEN } from "../clients/grant-types.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { TokenHash } from "../ids.js";
import type { RefreshTokenRecord, SessionRecord, UserRecord } from "../model/index.js";
import { generateOpaqueToken } from "../opaque-token.js";
import { findRefreshToken } from "../tokens/kinds/refresh-token.js";
import { type SignedSessionTokens, signSessionTokens } from "../tokens/session-tokens.js";
import type { SessionTokens } from "./session-tokens.js";
import { checkUsableSession, refreshTokenRecord } from "./start-session.js";

const SEAL_PURPOSE = "refresh-successor";

/**
 * The client a refresh is for: what an API key identifies (the session
 * API) and what OAuth's client authentication proves, alike.
 */
export type RefreshingClient = Pick<AuthenticatedClient, "tenant" | "client" | "clientId">;

interface SealedPair extends SignedSessionTokens {
  readonly refreshToken: string;
}

const invalid = () => new TesseraError("invalid_token", "Invalid refresh token");
const revoked = () => new TesseraError("token_revoked", "Refresh token has been revoked");
const expired = () => new TesseraError("token_expired", "Refresh token has expired");

/**
 * Exchanges a refresh token for new tokens, by the tenant's policy:
 *
 * - `none`: the same refresh token keeps working until the session ends; each
 *   call signs a new access and ID token.
 * - `rotate`: each call returns a new refresh token. Rotation is a store-level
 *   compare-and-swap, so exactly one caller rotates. Callers that present the
 *   old token within the grace window get the winner's pair (sealed in the
 *   old token's row), so concurrent refreshes share one lineage. A reuse after
 *   the window means the token leaked: the whole session is revoked.
 *
 * The client must be allowed the `refresh_token` grant (RFC 6749 §6);
 * one that is not is refused as an unknown API key is.
 */
export async function refreshSession(
  ctx: CoreContext,
  input: {
    readonly client: RefreshingClient;
    readonly refreshToken: string;
    readonly ip: string;
  },
): Promise<SessionTokens> {
  const { client, ip } = input;
  requireApiKeyGrant(client.client, REFRESH_TOKEN);
  // Found by the token registry's refresh-token kind, in any state: a
  // rotated token is replayed or reveals a reuse, so it is judged here.
  const found = await findRefreshToken(ctx, input.refreshToken);
  if (
    found === undefined ||
    found.record.tenantId !== client.tenant.id ||
    found.session.clientId !== client.clientId
  ) {
    throw invalid();
  }
  const { record, session } = found;
  const hash = record.hash;
  const now = ctx.clock.now();
  if (record.expiresAt <= now) {
    throw expired();
  }
  const use = await checkUsableSession(ctx, session, now);
  if (!use.usable) {
    throw use.reason === "revoked" ? revoked() : expired();
  }
  const { user } = use;

  if (record.rotatedAt !== null) {
    return replayOrRevoke(ctx, { client, session, user, record, ip, now });
  }
  const tenant = client.tenant;
  if (tenant.refreshPolicy === "none") {
    const signed = await signSessionTokens(ctx, { tenant, user, session, now });
    await recordRefresh(ctx, { session, ip, now, rotated: false });
    return {
      tenant,
      clientId: client.clientId,
      user,
      session,
      refreshToken: input.refreshToken,
      ...signed,
    };
  }

  const successorToken = generateOpaqueToken("tsr_rt");
  const signed = await signSessionTokens(ctx, { tenant, user, session, now });
  const pair: SealedPair = { ...signed, refreshToken: successorToken };
  const result = await ctx.store.refreshTokens.rotate({
    oldHash: hash,
    successor: refreshTokenRecord(successorToken, session, now),
    successorSealed: ctx.secretBox.seal(SEAL_PURPOSE, JSON.stringify(pair), hash),
    at: now,
  });
  if (result.rotated) {
    await recordRefresh(ctx, { session, ip, now, rotated: true });
    return { tenant, clientId: client.clientId, user, session, ...pair };
  }
  // Another caller rotated this token between our read and our write.
  if (result.current?.rotatedAt == null) {
    throw invalid();
  }
  return replayOrRevoke(ctx, { client, session, user, record: result.current, ip, now });
}

async function replayOrRevoke(
  ctx: CoreContext,
  input: {
    readonly client: RefreshingClient;
    readonly session: SessionRecord;
    readonly user: UserRecord;
    readonly record: RefreshTokenRecord;
    readonly ip: string;
    readonly now: number;
  },
): Promise<SessionTokens> {
  const { client, session, user, record, ip, now } = input;
  const graceMs = client.tenant.refreshGraceSeconds * 1000;
  if (
    record.rotatedAt !== null &&
    record.successorSealed !== null &&
    now - record.rotatedAt <= graceMs
  ) {
    const pair = JSON.parse(
      ctx.secretBox.open(SEAL_PURPOSE, record.successorSealed, record.hash as TokenHash),
    ) as SealedPair;
    return { tenant: client.tenant, clientId: client.clientId, user, session, ...pair };
  }
  const ended = await ctx.store.sessions.revoke(session.id, now, "refresh_token_reuse");
  await recordAudit(ctx, {
    tenantId: session.tenantId,
    at: now,
    type: "refresh_token.reused",
    subjectUserId: session.userId,
    clientId: session.clientId,
    sessionId: session.id,
    ip,
    detail: { sessionsRevoked: ended.length },
  });
  throw revoked();
}

/** Marks a session refreshed and audits it; every dialect's refresh ends here. */
export async function recordRefresh(
  ctx: CoreContext,
  input: {
    readonly session: SessionRecord;
    readonly ip: string;
    readonly now: number;
    readonly rotated: boolean;
  },
): Promise<void> {
  await ctx.store.sessions.markRefreshed(input.session.id, input.now);
  await recordAudit(ctx, {
    tenantId: input.session.tenantId,
    at: input.now,
    type: "token.refreshed",
    subjectUserId: input.session.userId,
    clientId: input.session.clientId,
    sessionId: input.session.id,
    ip: input.ip,
    detail: { rotated: input.rotated },
  });
}
