import { recordAudit } from "../audit.js";
import type { CoreContext } from "../context.js";
import type { SessionRecord, TenantRecord, UserRecord } from "../model/index.js";
import { checkPassword } from "../sessions/check-password.js";
import { newSession, refreshTokenRecord } from "../sessions/start-session.js";
import { OPERATIONS_CLIENT_ID, signOperationToken } from "./operation-tokens.js";

/** What `create_authentication_tokens` hands back. */
export interface OperationTokens {
  readonly session: SessionRecord;
  readonly operationToken: string;
  readonly refreshToken: string;
}

/**
 * Starts an operations API session for `user`: a session row with its
 * refresh token (stored as the hash of the refresh JWT's `jti`), an
 * operation token and a refresh token. Every call is a new session, so a
 * user may hold many live refresh tokens, each revocable on its own.
 *
 * - `expiresInSeconds` shortens the operation token; it never lengthens it
 *   past the tenant's operation token lifetime.
 * - `parent`: tokens asked for with a token (not a password) belong to a
 *   child of the caller's session, which ends when the parent ends and never
 *   outlives it, so a stolen operation token cannot be turned into a session
 *   that survives its revocation.
 */
export async function issueOperationTokens(
  ctx: CoreContext,
  input: {
    readonly tenant: TenantRecord;
    readonly user: UserRecord;
    readonly ip: string;
    readonly expiresInSeconds?: number;
    readonly parent?: SessionRecord;
  },
): Promise<OperationTokens> {
  const { tenant, user, parent } = input;
  const now = ctx.clock.now();
  let expiresAt = now + tenant.refreshTokenTtlSeconds * 1000;
  if (parent !== undefined) {
    expiresAt = Math.min(expiresAt, parent.expiresAt);
  }
  // A child hangs from the root session, never from another child: revoking
  // a session ends its direct children, so the family is never deeper than
  // one level and no descendant can outlive the revocation of its root.
  const parentSessionId = parent === undefined ? undefined : (parent.parentSessionId ?? parent.id);
  const session = newSession({
    tenantId: tenant.id,
    userId: user.id,
    clientId: OPERATIONS_CLIENT_ID,
    apiKeyId: null,
    now,
    expiresAt,
    ...(parentSessionId === undefined ? {} : { parentSessionId }),
  });
  const operationTtlMs =
    Math.min(tenant.operationTokenTtlSeconds, input.expiresInSeconds ?? Number.POSITIVE_INFINITY) *
    1000;
  const signing = { tenant, user, session, now };
  const refresh = await signOperationToken(ctx, { ...signing, kind: "refresh", expiresAt });
  const operation = await signOperationToken(ctx, {
    ...signing,
    kind: "operation",
    expiresAt: Math.min(now + operationTtlMs, expiresAt),
  });
  await ctx.store.sessions.create(session, refreshTokenRecord(refresh.jti, session, now));
  await recordAudit(ctx, {
    tenantId: tenant.id,
    at: now,
    type: "login.succeeded",
    subjectUserId: user.id,
    clientId: OPERATIONS_CLIENT_ID,
    sessionId: session.id,
    ip: input.ip,
    detail: {
      clientId: OPERATIONS_CLIENT_ID,
      method: parent === undefined ? "password" : "token",
      parentSessionId: parentSessionId ?? null,
    },
  });
  return { session, operationToken: operation.token, refreshToken: refresh.token };
}

/** `create_authentication_tokens` with a username and password. */
export async function createOperationTokensWithPassword(
  ctx: CoreContext,
  input: {
    readonly tenant: TenantRecord;
    readonly username: string;
    readonly password: string;
    readonly ip: string;
    readonly expiresInSeconds?: number;
  },
): Promise<OperationTokens> {
  const { tenant, ip } = input;
  const user = await checkPassword(ctx, { ...input, tenantId: tenant.id });
  return issueOperationTokens(ctx, {
    tenant,
    user,
    ip,
    ...(input.expiresInSeconds === undefined ? {} : { expiresInSeconds: input.expiresInSeconds }),
  });
}
