import { TesseraError } from "./errors.js";
import type { RateLimiter } from "./ports/cache.js";

/** One counter an attempt is counted on: a limiter, and this attempt's key in it. */
export interface ThrottleCounter {
  readonly limiter: RateLimiter;
  readonly key: string;
}

/** A point an attempt spent on a counter, and the window it was spent in. */
export interface SpentPoint extends ThrottleCounter {
  readonly window: number;
}

/**
 * Counts one attempt on each counter in turn, before the attempt is checked,
 * and throws `rate_limited` (with `message`) at the first counter that has
 * no point left for it.
 *
 * Counting up front, one atomic step per counter, keeps a budget exact
 * however many attempts arrive at once, on however many instances: an
 * attempt goes ahead only when every counter, counting it and every attempt
 * still in flight, stays within its limit. So attempts in flight count too:
 * a caller with more attempts in flight at once than a budget allows sees
 * the excess refused, even when they would all succeed.
 *
 * A refused attempt checks nothing, so it spends nothing: the points it took
 * are given back at once, including on the counter that refused it, and no
 * window is extended. A counter a flood has exhausted refuses it before
 * the counters after it are touched, so order them from the one a flood
 * should hit first. Points taken before a later counter refuses are held
 * for an instant, so an attempt racing such a flood can be refused too:
 * never the reverse.
 *
 * @returns the points spent; give them back with {@link giveBack} when the
 *   attempt succeeds. A failed attempt keeps them: that is what counts it.
 */
export async function countAttempt(
  counters: readonly ThrottleCounter[],
  message: string,
): Promise<readonly SpentPoint[]> {
  const spent: SpentPoint[] = [];
  for (const counter of counters) {
    const state = await counter.limiter.consume(counter.key);
    spent.push({ ...counter, window: state.window });
    if (!state.allowed) {
      await giveBack(spent);
      throw new TesseraError("rate_limited", message, {
        retryAfterSeconds: Math.max(1, Math.ceil(state.resetMs / 1000)),
      });
    }
  }
  return spent;
}

/** Gives back points {@link countAttempt} spent, each to the window it came from. */
export async function giveBack(points: readonly SpentPoint[]): Promise<void> {
  await Promise.all(points.map((point) => point.limiter.reward(point.key, point.window)));
}
