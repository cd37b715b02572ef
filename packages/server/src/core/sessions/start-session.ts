import type { AuthenticatedClient } from "../api-keys.js";
import type { CoreContext } from "../context.js";
import {
  type ApiKeyId,
  type ClientId,
  newSessionId,
  type SessionId,
  type TenantId,
  type UserId,
} from "../ids.js";
import type {
  RefreshTokenRecord,
  SessionRecord,
  TenantRecord,
  UserRecord,
} from "../model/index.js";
import { generateOpaqueToken, hashSecret } from "../opaque-token.js";
import { signSessionTokens } from "../tokens/session-tokens.js";
import { type SessionTokens, sessionState } from "./session-tokens.js";

/**
 * The client a session is started for: what an API key identifies (the
 * session API), or a client that authenticated at OAuth's token endpoint,
 * where no API key is involved.
 */
export type SessionClient = Pick<AuthenticatedClient, "tenant" | "client" | "clientId"> & {
  readonly apiKey: AuthenticatedClient["apiKey"] | null;
};

/**
 * Starts a session (a refresh family): the session row and its first
 * refresh token are written in one transaction, and its first access and ID
 * tokens are signed. Login and impersonation both begin here.
 */
export async function startSession(
  ctx: CoreContext,
  input: {
    readonly client: SessionClient;
    readonly user: UserRecord;
    readonly now: number;
    readonly expiresAt: number;
    readonly impersonatorUserId?: UserId;
    readonly parentSessionId?: SessionId;
  },
): Promise<SessionTokens> {
  const { client, user, now } = input;
  const tenant: TenantRecord = client.tenant;
  const refreshToken = generateOpaqueToken("tsr_rt");
  const session = newSession({
    tenantId: tenant.id,
    userId: user.id,
    clientId: client.clientId,
    apiKeyId: client.apiKey?.id ?? null,
    now,
    expiresAt: input.expiresAt,
    ...(input.impersonatorUserId === undefined
      ? {}
      : { impersonatorUserId: input.impersonatorUserId }),
    ...(input.parentSessionId === undefined ? {} : { parentSessionId: input.parentSessionId }),
  });
  const signed = await signSessionTokens(ctx, { tenant, user, session, now });
  await ctx.store.sessions.create(session, refreshTokenRecord(refreshToken, session, now));
  return { tenant, clientId: client.clientId, user, session, refreshToken, ...signed };
}

/** A new, live session record (not yet stored): the one shape every dialect's sessions take. */
export function newSession(input: {
  readonly tenantId: TenantId;
  readonly userId: UserId;
  readonly clientId: ClientId;
  readonly apiKeyId: ApiKeyId | null;
  readonly now: number;
  readonly expiresAt: number;
  readonly impersonatorUserId?: UserId;
  readonly parentSessionId?: SessionId;
}): SessionRecord {
  return {
    id: newSessionId(),
    tenantId: input.tenantId,
    userId: input.userId,
    clientId: input.clientId,
    apiKeyId: input.apiKeyId,
    authTime: input.now,
    createdAt: input.now,
    expiresAt: input.expiresAt,
    lastRefreshedAt: null,
    revokedAt: null,
    revokedReason: null,
    impersonatorUserId: input.impersonatorUserId ?? null,
    parentSessionId: input.parentSessionId ?? null,
  };
}

/**
 * The stored form of a new refresh token of `session`: its hash only, valid
 * until the session's absolute end. `secret` is the opaque token, or for a
 * JWT refresh token its `jti`.
 */
export function refreshTokenRecord(
  secret: string,
  session: SessionRecord,
  now: number,
): RefreshTokenRecord {
  return {
    hash: hashSecret(secret),
    sessionId: session.id,
    tenantId: session.tenantId,
    createdAt: now,
    expiresAt: session.expiresAt,
    rotatedAt: null,
    successorSealed: null,
  };
}

/** Whether a session may be used, and for which user; or why not. */
export type SessionUse =
  | { readonly usable: true; readonly user: UserRecord }
  | { readonly usable: false; readonly reason: "revoked" | "expired" };

/**
 * Tells whether `session` may still be used at `now` (not revoked, not
 * expired, its parent too for an impersonation session, its user active).
 * Every path that honours a session token asks here, so a revocation is
 * seen by all of them at once. A reason, not an error: each caller words
 * the refusal for the credential it was given.
 */
export async function checkUsableSession(
  ctx: Pick<CoreContext, "store">,
  session: SessionRecord,
  now: number,
): Promise<SessionUse> {
  const state = sessionState(session, now);
  if (state !== "live") {
    return { usable: false, reason: state };
  }
  if (session.parentSessionId !== null) {
    const parent = await ctx.store.sessions.get(session.parentSessionId);
    if (parent === undefined || sessionState(parent, now) !== "live") {
      return { usable: false, reason: "revoked" };
    }
  }
  const user = await ctx.store.users.getById(session.tenantId, session.userId);
  if (user === undefined || user.status !== "active") {
    return { usable: false, reason: "revoked" };
  }
  return { usable: true, user };
}
