import type { Cache, LimitState, RateLimiter } from "../cache/contract.js";
import { TesseraError } from "./errors.js";
import type { TenantId } from "./ids.js";

/** Limits on failed password logins. Only failures count; successes never do. */
export interface LoginThrottleSettings {
  /** Consecutive failures for one username from one IP before that pair is blocked. */
  readonly maxFailuresPerUserAndIp: number;
  /** Failures from one IP, any usernames, before the IP is blocked. */
  readonly maxFailuresPerIp: number;
  /** Failures for one username, any IPs, before new logins for it are paused. */
  readonly maxFailuresPerUser: number;
  readonly windowSeconds: number;
}

/**
 * Throttles password guessing, following OWASP's three counters.
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

  /** Throws `rate_limited` when any counter for this attempt is exhausted. */
  async check(tenantId: TenantId, username: string, ip: string): Promise<void> {
    const keys = this.#keys(tenantId, username, ip);
    const states = await Promise.all([
      this.#byUserAndIp.peek(keys.userAndIp),
      this.#byIp.peek(keys.ip),
      this.#byUser.peek(keys.user),
    ]);
    throwIfBlocked(states);
  }

  /** Counts a failed attempt. */
  async recordFailure(tenantId: TenantId, username: string, ip: string): Promise<void> {
    const keys = this.#keys(tenantId, username, ip);
    await Promise.all([
      this.#byUserAndIp.consume(keys.userAndIp),
      this.#byIp.consume(keys.ip),
      this.#byUser.consume(keys.user),
    ]);
  }

  /** Clears the failure streak of this username from this IP. */
  async recordSuccess(tenantId: TenantId, username: string, ip: string): Promise<void> {
    await this.#byUserAndIp.reset(this.#keys(tenantId, username, ip).userAndIp);
  }

  #keys(tenantId: TenantId, username: string, ip: string) {
    // JSON keeps the parts apart whatever characters a username holds.
    return {
      userAndIp: JSON.stringify([tenantId, username, ip]),
      ip: ip,
      user: JSON.stringify([tenantId, username]),
    };
  }
}

/**
 * Throws `rate_limited` when any of `states` is exhausted, with the longest
 * wait as `Retry-After`.
 */
export function throwIfBlocked(
  states: readonly LimitState[],
  message = "Too many failed login attempts; try again later",
): void {
  // `remaining === 0` with a live window means the last allowed failure was spent.
  const blocked = states.filter((s) => !s.allowed || (s.remaining === 0 && s.resetMs > 0));
  if (blocked.length > 0) {
    const waitMs = Math.max(...blocked.map((s) => s.resetMs));
    throw new TesseraError("rate_limited", message, {
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    });
  }
}
