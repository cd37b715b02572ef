import { RateLimiterMemory, type RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type {
  Cache,
  CacheStatus,
  LimitState,
  RateLimiter,
  RateLimiterOptions,
} from "./contract.js";

/** A {@link RateLimiter} over a `rate-limiter-flexible` limiter (in memory, or in Redis). */
export class FlexibleRateLimiter implements RateLimiter {
  constructor(
    private readonly limiter: RateLimiterMemory | RateLimiterRedis,
    private readonly points: number,
  ) {}

  async consume(key: string, points = 1): Promise<LimitState> {
    try {
      return this.#state(await this.limiter.consume(key, points));
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return this.#state(rejection);
      }
      throw rejection;
    }
  }

  async peek(key: string): Promise<LimitState> {
    const res = await this.limiter.get(key);
    if (res === null) {
      return { allowed: true, limit: this.points, remaining: this.points, resetMs: 0 };
    }
    return this.#state(res);
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }

  async reward(key: string, points = 1): Promise<void> {
    await this.limiter.reward(key, points);
  }

  #state(res: RateLimiterRes): LimitState {
    return {
      allowed: res.consumedPoints <= this.points,
      limit: this.points,
      remaining: Math.max(0, this.points - res.consumedPoints),
      resetMs: res.msBeforeNext,
    };
  }
}

/** The single-process {@link Cache}: state lives and dies with the process. */
export class MemoryCache implements Cache {
  readonly #limiters = new Map<string, RateLimiter>();
  rateLimiter(options: RateLimiterOptions): RateLimiter {
    const key = JSON.stringify([
      options.name,
      options.points,
      options.windowSeconds,
      options.blockSeconds,
    ]);
    const existing = this.#limiters.get(key);
    if (existing !== undefined) {
      return existing;
    }
    const limiter = new RateLimiterMemory({
      keyPrefix: options.name,
      points: options.points,
      duration: options.windowSeconds,
      blockDuration: options.blockSeconds ?? options.windowSeconds,
    });
    const created = new FlexibleRateLimiter(limiter, options.points);
    this.#limiters.set(key, created);
    return created;
  }

  status(): CacheStatus {
    return { backend: "memory", degraded: false, outages: 0 };
  }

  async close(): Promise<void> {}
}
