import type { ClientId, TenantId } from "../ids.js";
import type { Cache, RateLimiter } from "../ports/cache.js";
import { countAttempt, giveBack, type SpentPoint } from "../throttle-attempt.js";

/** Limits on failed client authentications. Only failures count. */
export interface StepUpThrottleSettings {
  readonly maxFailuresPerClient: number;
  readonly maxFailuresPerIp: number;
  readonly windowSeconds: number;
}

/**
 * Throttles guessing at a client's secret, OTP codes or assertions, per
 * client (whatever IP) and per IP (whatever client), stricter than the token
 * API's request limits. Only a client of the tenant asked is counted, under
 * that tenant: naming another tenant's client, or an unknown one, counts
 * against the IP alone, so nobody can lock a client out from elsewhere.
 */
export class StepUpThrottle {
  readonly #byClient: RateLimiter;
  readonly #byIp: RateLimiter;

  constructor(cache: Cache, settings: StepUpThrottleSettings) {
    this.#byClient = cache.rateLimiter({
      name: "step-up-fail-client",
      points: settings.maxFailuresPerClient,
      windowSeconds: settings.windowSeconds,
    });
    this.#byIp = cache.rateLimiter({
      name: "step-up-fail-ip",
      points: settings.maxFailuresPerIp,
      windowSeconds: settings.windowSeconds,
    });
  }

  /**
   * Counts an attempt up front (IP first, then the client, when there is
   * one), and throws `rate_limited`, having spent nothing, when the IP or
   * the client has used up its failures ({@link countAttempt}). The IP goes
   * first so that a flood from an address out of failures never touches the
   * client's own counter, even for an instant. Counting before the
   * attempt (not after a failure) keeps the budget exact however many
   * guesses arrive at once, on however many instances; {@link succeeded}
   * gives the points back.
   */
  begin(
    tenantId: TenantId,
    clientId: ClientId | undefined,
    ip: string,
  ): Promise<readonly SpentPoint[]> {
    return countAttempt(
      [
        { limiter: this.#byIp, key: ip },
        ...(clientId === undefined
          ? []
          : [{ limiter: this.#byClient, key: clientKey(tenantId, clientId) }]),
      ],
      "Too many failed client authentications; try again later",
    );
  }

  /** Gives back what {@link begin} counted: the attempt succeeded. */
  succeeded(spent: readonly SpentPoint[]): Promise<void> {
    return giveBack(spent);
  }
}

function clientKey(tenantId: TenantId, clientId: ClientId): string {
  return JSON.stringify([tenantId, clientId]);
}
