import type { AuthenticatedClient } from "../api-keys.js";
import { recordAudit } from "../audit.js";
import type { CoreContext } from "../context.js";
import { isTesseraError, TesseraError } from "../errors.js";
import { MAX_PASSWORD_LENGTH, passwordLength } from "../passwords.js";
import type { SessionTokens } from "./session-tokens.js";
import { startSession } from "./start-session.js";

/** The one answer for unknown user, wrong password and disabled user. */
const BAD_CREDENTIALS = "Incorrect username or password";

/**
 * Starts a session from a username and password.
 *
 * Unknown user, wrong password and disabled user fail identically: same
 * error, and an argon2id verification runs in every case (against a dummy
 * hash for an unknown user), so the answer takes the same time.
 */
export async function loginWithPassword(
  ctx: CoreContext,
  input: {
    readonly client: AuthenticatedClient;
    readonly username: string;
    readonly password: string;
    readonly ip: string;
  },
): Promise<SessionTokens> {
  const { client, username, password, ip } = input;
  const tenantId = client.tenant.id;
  if (passwordLength(password) > MAX_PASSWORD_LENGTH) {
    throw new TesseraError(
      "invalid_request",
      `The password must be at most ${MAX_PASSWORD_LENGTH} characters`,
    );
  }
  await ctx.loginThrottle.check(tenantId, username, ip).catch(async (error: unknown) => {
    // Only a refusal is a throttled login; a failing cache is just a failure.
    if (!isTesseraError(error) || error.code !== "rate_limited") {
      throw error;
    }
    await recordAudit(ctx, {
      tenantId,
      at: ctx.clock.now(),
      type: "login.throttled",
      ip,
      detail: { username },
    });
    throw error;
  });

  const user = await ctx.store.users.getByUsername(tenantId, username);
  const passwordOk = await ctx.passwords.verify(user?.passwordHash, password);
  const now = ctx.clock.now();
  if (user === undefined || !passwordOk || user.status !== "active") {
    await ctx.loginThrottle.recordFailure(tenantId, username, ip);
    await recordAudit(ctx, {
      tenantId,
      at: now,
      type: "login.failed",
      subjectUserId: user?.id ?? null,
      ip,
      // The reason stays in the audit trail, never in the answer.
      detail: {
        username,
        reason: user === undefined ? "unknown_user" : passwordOk ? "disabled" : "bad_password",
      },
    });
    throw new TesseraError("invalid_credentials", BAD_CREDENTIALS);
  }
  await ctx.loginThrottle.recordSuccess(tenantId, username, ip);

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
    sessionId: tokens.session.id,
    ip,
    detail: { clientId: client.clientId },
  });
  return tokens;
}
