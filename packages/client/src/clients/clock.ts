/**
 * The time the token clients read, in epoch milliseconds. Injectable, so a
 * test (or an app whose clock it trusts more than the host's) decides when a
 * token is due without waiting for it.
 *
 * @example
 * let now = Date.now();
 * const clock: Clock = () => now;
 * now += 3_600_000; // an hour later, at once
 */
export type Clock = () => number;

/**
 * The host's clock.
 *
 * @example
 * new SessionClient({ configuration, clock: systemClock });
 */
export const systemClock: Clock = () => Date.now();

/**
 * How long before its end a token is renewed by default, in seconds: long
 * enough that a token handed out is not refused in flight or on a server
 * whose clock runs a little ahead.
 *
 * @example
 * new SessionClient({ configuration, refreshSkewSeconds: DEFAULT_REFRESH_SKEW_SECONDS * 2 });
 */
export const DEFAULT_REFRESH_SKEW_SECONDS = 60;

/**
 * When a token that lives from `issuedAt` to `expiresAt` should be renewed:
 * `skewMs` before its end, but never earlier than half-way through its
 * life, so a token shorter than twice the skew (a 60-second short-term
 * token) is still used before it is replaced, instead of on every call.
 *
 * @example
 * renewalTime(0, 900_000, 60_000); // 840_000
 * renewalTime(0, 60_000, 60_000); // 30_000
 */
export function renewalTime(issuedAt: number, expiresAt: number, skewMs: number): number {
  const lifetime = Math.max(0, expiresAt - issuedAt);
  return expiresAt - Math.min(Math.max(0, skewMs), lifetime / 2);
}

/**
 * The skew option in milliseconds, checked: a negative or non-finite value
 * is a programming error, caught when the client is built.
 *
 * @example
 * skewMsOf(undefined); // 60_000
 */
export function skewMsOf(refreshSkewSeconds: number | undefined): number {
  const seconds = refreshSkewSeconds ?? DEFAULT_REFRESH_SKEW_SECONDS;
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError("refreshSkewSeconds must be a finite number of seconds, 0 or more");
  }
  return seconds * 1000;
}
