import { RateLimiterMemory, type RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type {
  Cache,
  CacheStatus,
  LimitState,
  RateLimiter,
  RateLimiterOptions,
} from "../core/ports/cache.js";

/** Where the current time comes from (tests move it; the windows follow the wall clock otherwise). */
export type Now = () => number;

/**
 * A {@link RateLimiter} over a `rate-limiter-flexible` limiter (in memory,
 * or in Redis). Each window's count lives under its own key (`<key>:<window>`),
 * so a give-back names the window it belongs to and can never land in
 * another; the backend's own expiry only clears windows that have ended.
 * Without a block duration, a key over its limit stays refused until its
 * window ends and nothing extends it.
 */
export class FlexibleRateLimiter implements RateLimiter {
  readonly #windowMs: number;

  constructor(
    private readonly limiter: RateLimiterMemory | RateLimiterRedis,
    private readonly options: RateLimiterOptions,
    private readonly now: Now,
  ) {
    this.#windowMs = options.windowSeconds * 1000;
  }

  async consume(key: string, points = 1): Promise<LimitState> {
    const window = this.#current();
    try {
      return this.#state(await this.limiter.consume(windowKey(key, window), points), window);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return this.#state(rejection, window);
      }
      throw rejection;
    }
  }

  async peek(key: string): Promise<LimitState> {
    const window = this.#current();
    const res = await this.limiter.get(windowKey(key, window));
    return this.#state(res ?? new RateLimiterRes(this.options.points, 0, 0), window);
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(windowKey(key, this.#current()));
  }

  /**
   * Gives back at most what the window's count holds: a count that a reset
   * (a success) or an expiry cleared in the meantime is not taken below
   * zero, which would let an extra attempt through.
   */
  async reward(key: string, window: number, points = 1): Promise<void> {
    if (window !== this.#current()) {
      return;
    }
    const counted = (await this.limiter.get(windowKey(key, window)))?.consumedPoints ?? 0;
    const back = Math.min(points, counted);
    if (back > 0) {
      await this.limiter.reward(windowKey(key, window), back);
    }
  }

  #current(): number {
    return Math.floor(this.now() / this.#windowMs);
  }

  #state(res: RateLimiterRes, window: number): LimitState {
    const limit = this.options.points;
    return {
      allowed: res.consumedPoints <= limit,
      limit,
      remaining: Math.max(0, limit - res.consumedPoints),
      resetMs: Math.max(0, (window + 1) * this.#windowMs - this.now()),
      window,
    };
  }
}

/** The backend key of `key`'s count in `window`; the window number holds no `:`, so keys stay apart. */
function windowKey(key: string, window: number): string {
  return `${key}:${window}`;
}

/** The `rate-limiter-flexible` settings of a limiter: no blocks, counts kept for one window. */
export function flexibleOptions(keyPrefix: string, options: RateLimiterOptions) {
  return {
    keyPrefix,
    points: options.points,
    duration: options.windowSeconds,
    blockDuration: 0,
  };
}

/** The single-process {@link Cache}: state lives and dies with the process. */
export class MemoryCache implements Cache {
  readonly #limiters = new Map<string, RateLimiter>();

  /** `now` places the windows; the wall clock unless a test moves it. */
  constructor(private readonly now: Now = Date.now) {}

  rateLimiter(options: RateLimiterOptions): RateLimiter {
    const key = JSON.stringify([options.name, options.points, options.windowSeconds]);
    const existing = this.#limiters.get(key);
    if (existing !== undefined) {
      return existing;
    }
    const limiter = new RateLimiterMemory(flexibleOptions(options.name, options));
    const created = new FlexibleRateLimiter(limiter, options, this.now);
    this.#limiters.set(key, created);
    return created;
  }

  status(): CacheStatus {
    return { backend: "memory", degraded: false, outages: 0 };
  }

  async close(): Promise<void> {}
}
