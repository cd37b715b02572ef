import { recordAudit } from "../audit.js";
import type { CoreContext } from "../context.js";
import { checkPassword } from "./check-password.js";
import type { SessionTokens } from "./session-tokens.js";
import { type SessionClient, startSession } from "./start-session.js";

/**
 * Starts a session from a username and password (see {@link checkPassword}
 * for how failures look alike and are throttled): the session API's login,
 * and OAuth's password grant, one function.
 */
export async function loginWithPassword(
  ctx: CoreContext,
  input: {
    readonly client: SessionClient;
    readonly username: string;
    readonly password: string;
    readonly ip: string;
    /** Only a user with admin access may log in (see {@link PasswordCheck.require}). */
    readonly require?: "admin_access";
  },
): Promise<SessionTokens> {
  const { client, ip } = input;
  const tenantId = client.tenant.id;
  const user = await checkPassword(ctx, { tenantId, ...input });
  const now = ctx.clock.now();
  const tokens = await startSession(ctx, {
    client,
    user,
    now,
    expiresAt: now + client.tenant.refreshTokenTtlSeconds * 1000,
  });
  await recordAudit(ctx, {
    tenantId,
    at: now,
    type: "login.succeeded",
    subjectUserId: user.id,
    clientId: client.clientId,
    sessionId: tokens.session.id,
    ip,
    detail: { clientId: client.clientId },
  });
  return tokens;
}
