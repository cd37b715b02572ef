import { TesseraError } from "../errors.js";
import type { ClientId, TenantId } from "../ids.js";
import type { Cache, RateLimiter } from "../ports/cache.js";
import { countAttempt, giveBack, type ThrottleCounter } from "../throttle-attempt.js";

const REFUSAL = "Too many failed client authentications; try again later";

/** One client authentication under way: say how it ended. */
export interface StepUpAttempt {
  readonly succeeded: () => Promise<void>;
  readonly failed: () => Promise<void>;
}

/** Limits on failed client authentications. Only failures count. */
export interface StepUpThrottleSettings {
  /** Failures naming one client id from one IP address (and, for OTP codes, from any). */
  readonly maxFailuresPerClient: number;
  readonly maxFailuresPerIp: number;
  readonly windowSeconds: number;
}

/** How a step-up proves its client: only a TOTP code can be guessed. */
export type ThrottledProof = "client_secret" | "otp" | "assertion";

/**
 * Throttles guessing at a client's secret, OTP codes or assertions, per IP
 * (whatever client), per client id and IP, and, for OTP codes alone, per
 * client id whatever the IP. Stricter than the token API's request limits.
 *
 * Client ids are not secrets (every client access token carries its
 * client's), so a budget a stranger could spend from anywhere would let
 * anyone lock a client out by naming it. A 256-bit secret and a signed
 * assertion cannot be guessed, so their failures count per IP and per
 * client id from that IP only; a six-digit code can be, from many
 * addresses at once, so its failures also count per client id from
 * anywhere (locking out that client's OTP step-ups, not its others).
 *
 * A client id is counted whether or not the tenant has that client, under
 * the tenant asked: an unknown client runs out of failures, and is then
 * refused with `rate_limited`, exactly as a known one, so the refusal says
 * nothing of which exist. Naming another tenant's client counts under the
 * tenant asked, never against that client.
 */
export class StepUpThrottle {
  readonly #byClientIp: RateLimiter;
  readonly #byIp: RateLimiter;
  readonly #otpByClient: RateLimiter;

  constructor(cache: Cache, settings: StepUpThrottleSettings) {
    this.#byClientIp = cache.rateLimiter({
      name: "step-up-fail-client-ip",
      points: settings.maxFailuresPerClient,
      windowSeconds: settings.windowSeconds,
    });
    this.#byIp = cache.rateLimiter({
      name: "step-up-fail-ip",
      points: settings.maxFailuresPerIp,
      windowSeconds: settings.windowSeconds,
    });
    this.#otpByClient = cache.rateLimiter({
      name: "step-up-fail-client-otp",
      points: settings.maxFailuresPerClient,
      windowSeconds: settings.windowSeconds,
    });
  }

  /**
   * Starts an attempt, throwing `rate_limited` (having spent nothing) when
   * one of its counters has used up its failures: the IP, the client id
   * from that IP when one is named, and for an OTP code the client id alone.
   * The IP comes first so that a flood from an address out of failures never
   * touches a client's counters, even for an instant.
   *
   * An OTP code can be guessed, so its attempt is counted up front and given
   * back on success ({@link countAttempt}): the budget holds exactly however
   * many codes arrive at once, on however many instances. A 256-bit secret
   * or a signed assertion cannot be guessed, so its attempt only checks that
   * no counter has run out, and counts when it fails: a gateway sending many
   * requests at once with its right secret is never refused for having them
   * in flight. Parallel wrong secrets may then overshoot the budget by the
   * number in flight, which buys nothing against 256 bits.
   *
   * @param clientId the client id the attempt names, whether or not the tenant has it.
   */
  async begin(
    tenantId: TenantId,
    clientId: ClientId | undefined,
    ip: string,
    proof: ThrottledProof,
  ): Promise<StepUpAttempt> {
    const counters: ThrottleCounter[] = [
      { limiter: this.#byIp, key: ip },
      ...(clientId === undefined
        ? []
        : [
            { limiter: this.#byClientIp, key: JSON.stringify([tenantId, clientId, ip]) },
            ...(proof === "otp"
              ? [{ limiter: this.#otpByClient, key: JSON.stringify([tenantId, clientId]) }]
              : []),
          ]),
    ];
    if (proof === "otp") {
      const spent = await countAttempt(counters, REFUSAL);
      return { succeeded: () => giveBack(spent), failed: async () => {} };
    }
    for (const counter of counters) {
      const state = await counter.limiter.peek(counter.key);
      if (state.remaining <= 0) {
        throw new TesseraError("rate_limited", REFUSAL, {
          retryAfterSeconds: Math.max(1, Math.ceil(state.resetMs / 1000)),
        });
      }
    }
    return {
      succeeded: async () => {},
      failed: async () => {
        await Promise.all(counters.map((counter) => counter.limiter.consume(counter.key)));
      },
    };
  }
}
