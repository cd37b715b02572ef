import { createHash } from "node:crypto";
import type { TenantId } from "./ids.js";
import type { Cache, RateLimiter } from "./ports/cache.js";
import { countAttempt, giveBack, type SpentPoint } from "./throttle-attempt.js";

/** Limits on failed password logins. Failures count; successes are given back. */
export interface LoginThrottleSettings {
  /** Consecutive failures for one username from one IP before that pair is blocked. */
  readonly maxFailuresPerUserAndIp: number;
  /** Failures from one IP, any usernames, before the IP is blocked. */
  readonly maxFailuresPerIp: number;
  /** Failures for one username, any IPs, before new logins for it are paused. */
  readonly maxFailuresPerUser: number;
  readonly windowSeconds: number;
}

/** What {@link LoginThrottle.begin} counted for one attempt: hand it back on success. */
export interface LoginAttempt {
  readonly userAndIpKey: string;
  readonly spent: readonly SpentPoint[];
}

const THROTTLED = "Too many failed login attempts; try again later";

/**
 * Throttles password guessing, following OWASP's three counters: one
 * username from one IP, one IP whatever the usernames, one username
 * whatever the IPs, each a fixed window of `windowSeconds`.
 *
 * Every attempt is counted before its password is checked
 * ({@link countAttempt}), so no number of guesses sent at once, to any
 * number of instances sharing the cache, gets more checked than a counter
 * allows; a success gives its points back. A refused attempt spends
 * nothing and extends nothing: a pair, an IP or a user over its limit is
 * refused until the window it reached the limit in ends.
 *
 * It guards only the password path: refreshing, using and revoking existing
 * sessions never consult it, so an attacker who trips a user's limit cannot
 * lock that user out of sessions they already have. Unknown usernames are
 * counted exactly like real ones, so the throttle reveals nothing about which
 * users exist.
 */
export class LoginThrottle {
  readonly #byUserAndIp: RateLimiter;
  readonly #byIp: RateLimiter;
  readonly #byUser: RateLimiter;

  constructor(cache: Cache, settings: LoginThrottleSettings) {
    const window = settings.windowSeconds;
    this.#byUserAndIp = cache.rateLimiter({
      name: "login-fail-user-ip",
      points: settings.maxFailuresPerUserAndIp,
      windowSeconds: window,
    });
    this.#byIp = cache.rateLimiter({
      name: "login-fail-ip",
      points: settings.maxFailuresPerIp,
      windowSeconds: window,
    });
    this.#byUser = cache.rateLimiter({
      name: "login-fail-user",
      points: settings.maxFailuresPerUser,
      windowSeconds: window,
    });
  }

  /**
   * Counts an attempt on all three counters before its password is checked,
   * or throws `rate_limited` (nothing spent) when one has no point left.
   * The order is this IP, then this user from this IP, then this user: a
   * flood from an address that is out of failures, at one user or at many,
   * is refused before it touches (or creates) any counter of a user, so it
   * can neither keep a user's logins from other addresses refused even for
   * an instant nor fill the cache with keys of made-up usernames. A failed
   * attempt needs nothing more: its points stay spent.
   */
  async begin(tenantId: TenantId, username: string, ip: string): Promise<LoginAttempt> {
    const keys = this.#keys(tenantId, username, ip);
    const spent = await countAttempt(
      [
        { limiter: this.#byIp, key: keys.ip },
        { limiter: this.#byUserAndIp, key: keys.userAndIp },
        { limiter: this.#byUser, key: keys.user },
      ],
      THROTTLED,
    );
    return { userAndIpKey: keys.userAndIp, spent };
  }

  /**
   * The attempt succeeded: gives its points back to the IP and user
   * counters, and clears the failure streak of this username from this IP.
   */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await Promise.all([
      this.#byUserAndIp.reset(attempt.userAndIpKey),
      giveBack(attempt.spent.filter((point) => point.limiter !== this.#byUserAndIp)),
    ]);
  }

  /**
   * The attempt ended before its password was checked (the store could not
   * be read, say): it was no guess, so every point it took is given back,
   * and an outage does not use up the budgets of the users it hits. Once
   * the password has been checked, a failure stays counted whatever happens
   * next.
   */
  async unchecked(attempt: LoginAttempt): Promise<void> {
    await giveBack(attempt.spent);
  }

  #keys(tenantId: TenantId, username: string, ip: string) {
    // JSON keeps the parts apart whatever characters a username holds; the
    // digest keeps every key one small size, and usernames out of the cache.
    return {
      userAndIp: digest([tenantId, username, ip]),
      ip: ip,
      user: digest([tenantId, username]),
    };
  }
}

/** A short, fixed-size key for `parts`. */
function digest(parts: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url");
}
