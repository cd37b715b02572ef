import type { RetryOptions } from "./configuration.js";

/**
 * How an operation may be repeated, as its table declares it:
 *
 * - `safe`: it changes nothing (a GET, introspection), so any failure to get
 *   an answer may be retried, as may a 429 or 503;
 * - `idempotent`: repeating it ends where one call ends (a revocation), so a
 *   429 or 503, which the server answers before acting, may be retried; a
 *   network failure is not, since whether it acted is unknown;
 * - `unsafe`: every call has its own effect (issuing a token), never retried.
 *
 * @example
 * const retry: RetryClass = "idempotent";
 */
export type RetryClass = "safe" | "idempotent" | "unsafe";

/**
 * {@link RetryOptions} with every default filled in.
 *
 * @example
 * const policy: RetryPolicy = retryPolicyOf({ retries: 1 });
 */
export interface RetryPolicy {
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly random: () => number;
  readonly sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/**
 * The defaults: two retries, 200 ms doubling up to 5 s, a `Retry-After` of at most 30 s.
 *
 * @example
 * new Configuration({ retry: { ...DEFAULT_RETRY, retries: 5 } });
 */
export const DEFAULT_RETRY = {
  retries: 2,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
} as const;

/**
 * Waits `ms`; rejects with the signal's reason as soon as it aborts, and at
 * once when it already has. The timer is cleared either way, so nothing is
 * left pending.
 *
 * @example
 * await sleep(250, AbortSignal.timeout(1_000));
 */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The policy of a configuration's `retry` option: `false` is no retries.
 *
 * @example
 * retryPolicyOf({ retries: 4 }).retries; // 4
 */
export function retryPolicyOf(option: RetryOptions | false | undefined): RetryPolicy {
  if (option === false) {
    return { ...DEFAULT_RETRY, retries: 0, random: Math.random, sleep };
  }
  return {
    retries: Math.max(0, Math.floor(option?.retries ?? DEFAULT_RETRY.retries)),
    baseDelayMs: option?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: option?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    maxRetryAfterMs: option?.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs,
    random: option?.random ?? Math.random,
    sleep: option?.sleep ?? sleep,
  };
}

/**
 * Full jitter (`random(0, min(cap, base * 2^attempt))`), so clients that
 * failed together do not retry together. `attempt` counts from 0.
 *
 * @example
 * backoffMs(retryPolicyOf(undefined), 1); // somewhere in [0, 400)
 */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(policy.random() * ceiling);
}

/**
 * How long to wait before retrying an answer that allows it: the backoff,
 * but never less than its `Retry-After`; `undefined` when that is longer
 * than the policy waits for (the caller should fail at once).
 *
 * @example
 * retryDelayMs(policy, 0, 2); // at least 2000
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfterSeconds: number | undefined,
): number | undefined {
  const retryAfterMs = (retryAfterSeconds ?? 0) * 1000;
  if (retryAfterMs > policy.maxRetryAfterMs) {
    return undefined;
  }
  return Math.max(backoffMs(policy, attempt), retryAfterMs);
}

/**
 * True when an answer's status may be retried for an operation of `retry`:
 * only 429 and 503, which Tessera answers before acting, and only for safe
 * and idempotent operations.
 *
 * @example
 * retriesStatus("idempotent", 503); // true
 */
export function retriesStatus(retry: RetryClass, status: number): boolean {
  return retry !== "unsafe" && (status === 429 || status === 503);
}
