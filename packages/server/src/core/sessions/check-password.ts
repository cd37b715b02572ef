import { createHash } from "node:crypto";
import { recordAudit } from "../audit.js";
import type { CoreContext } from "../context.js";
import { isTesseraError, TesseraError } from "../errors.js";
import { checkUsernameLength, isIdentifierInput } from "../identifiers.js";
import type { TenantId } from "../ids.js";
import type { UserRecord } from "../model/index.js";
import { MAX_PASSWORD_LENGTH, passwordLength } from "../passwords.js";
import { hasAdminAccess } from "../permissions.js";

/** Credentials to prove, and the address they came from. */
export interface PasswordCheck {
  readonly tenantId: TenantId;
  readonly username: string;
  readonly password: string;
  readonly ip: string;
  /**
   * `admin_access`: only a user who may use the admin API (`admin` or
   * `admin:read`) logs in; any other fails as a wrong password does, so the
   * login cannot tell anyone whether a password is right.
   */
  readonly require?: "admin_access";
}

/** The one answer for unknown user, wrong password and disabled user. */
const BAD_CREDENTIALS = "Incorrect username or password";

/**
 * Proves a username and password, for every dialect that takes them.
 *
 * - The login throttle counts the attempt before anything else
 *   (`LoginThrottle.begin`), so guesses sent at once get no more
 *   checks than its limits allow; a refusal is audited as
 *   `login.throttled` and spends nothing.
 * - Unknown user, wrong password and disabled user fail identically: the
 *   same `invalid_credentials` error, and an argon2id verification runs in
 *   every case (against a dummy hash for an unknown user), so the answer
 *   takes the same time. The attempt stays counted; the real reason goes to
 *   the audit trail only. An attempt that ends before the password is
 *   checked (the store cannot be read) spends nothing.
 * - Success gives the attempt's points back and clears the failure streak
 *   of this username from this IP.
 * - The same credentials from the same IP, sent again while a check of them
 *   is still running on this instance, wait for that check's answer
 *   instead of starting another: a client making many calls at once with
 *   `Basic` credentials is one attempt, not many, so honest concurrency does
 *   not fill the throttle's budget (and costs one hash). Only identical
 *   guesses are joined, so a guesser learns nothing more from them.
 */
export function checkPassword(ctx: CoreContext, input: PasswordCheck): Promise<UserRecord> {
  let running = inFlight.get(ctx);
  if (running === undefined) {
    running = new Map();
    inFlight.set(ctx, running);
  }
  // A digest, so the map never holds a password, and the parts cannot run into each other.
  const key = createHash("sha256")
    .update(
      JSON.stringify([input.tenantId, input.username, input.ip, input.password, input.require]),
    )
    .digest("base64url");
  const joined = running.get(key);
  if (joined !== undefined) {
    return joined;
  }
  const checking = checkOnce(ctx, input);
  const checks = running;
  checks.set(key, checking);
  const forget = () => {
    checks.delete(key);
  };
  checking.then(forget, forget);
  return checking;
}

/** Checks in flight per core context, by a digest of what they check. */
const inFlight = new WeakMap<CoreContext, Map<string, Promise<UserRecord>>>();

/** One check of one set of credentials: what {@link checkPassword} describes. */
async function checkOnce(ctx: CoreContext, input: PasswordCheck): Promise<UserRecord> {
  const { tenantId, username, password, ip } = input;
  if (passwordLength(password) > MAX_PASSWORD_LENGTH) {
    throw new TesseraError(
      "invalid_request",
      `The password must be at most ${MAX_PASSWORD_LENGTH} characters`,
    );
  }
  // Bounded before it costs a throttle key, a hash or an audit row (Basic credentials have no schema).
  checkUsernameLength(username);
  const attempt = await ctx.loginThrottle
    .begin(tenantId, username, ip)
    .catch(async (error: unknown) => {
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

  // A username no user can have is never looked up; it fails as an unknown user does.
  const lookedUp = isIdentifierInput(username);
  let user: UserRecord | undefined;
  let passwordOk: boolean;
  try {
    user = lookedUp ? await ctx.store.users.getByUsername(tenantId, username) : undefined;
    passwordOk = await ctx.passwords.verify(user?.passwordHash, password);
  } catch (error) {
    await ctx.loginThrottle.unchecked(attempt);
    throw error;
  }
  const allowed = user !== undefined && (input.require !== "admin_access" || hasAdminAccess(user));
  if (user === undefined || !passwordOk || user.status !== "active" || !allowed) {
    await recordAudit(ctx, {
      tenantId,
      at: ctx.clock.now(),
      type: "login.failed",
      subjectUserId: user?.id ?? null,
      ip,
      detail: {
        username,
        reason:
          user === undefined
            ? lookedUp
              ? "unknown_user"
              : "invalid_username"
            : !passwordOk
              ? "bad_password"
              : user.status !== "active"
                ? "disabled"
                : "not_admin",
      },
    });
    throw new TesseraError("invalid_credentials", BAD_CREDENTIALS);
  }
  await ctx.loginThrottle.succeeded(attempt);
  return user;
}
