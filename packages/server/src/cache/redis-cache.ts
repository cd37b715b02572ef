import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";
import type { Cache, CacheStatus, RateLimiter, RateLimiterOptions } from "../core/ports/cache.js";
import { FlexibleRateLimiter, flexibleOptions, type Now } from "./memory-cache.js";

/** Where {@link RedisCache} reports a lost or regained connection. */
export interface CacheEvents {
  warn(message: string): void;
  info(message: string): void;
}

/**
 * The {@link Cache} shared by many instances: rate-limit counters in Redis
 * (rate-limiter-flexible's atomic Lua scripts), so two instances together
 * allow the limit, not twice it.
 *
 * When Redis cannot be reached, every limiter falls back at once to its
 * in-memory twin (rate-limiter-flexible's insurance limiter): limits then
 * hold per instance, a warning is logged, and the status says so. The
 * client keeps reconnecting; when Redis answers again the shared counters
 * are used again. Nothing that must not fail open (revocation) depends on
 * Redis.
 *
 * Every key it writes starts with its deployment's prefix
 * (`TESSERA_REDIS_PREFIX`), then the limiter's name: deployments sharing one
 * Redis never meet, and every instance of one deployment shares its counters.
 */
export class RedisCache implements Cache {
  readonly #redis: Redis;
  readonly #limiters = new Map<string, RateLimiter>();
  #degraded = false;
  #outages = 0;
  #markLost: () => void = () => {};
  readonly #prefix: string;

  readonly #now: Now;

  /**
   * `prefix` starts every key: one per deployment (config's `redisPrefix`).
   * `now` places the windows: the wall clock unless a test moves it.
   */
  constructor(url: string, prefix: string, events: CacheEvents, now: Now = Date.now) {
    this.#prefix = prefix;
    this.#now = now;
    this.#redis = new Redis(url, {
      // Fail fast while Redis is away: the memory fallback answers instead.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 1_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    const lost = () => {
      if (!this.#degraded) {
        this.#degraded = true;
        this.#outages += 1;
        events.warn(
          "Redis is unreachable: rate limits fall back to this instance's memory until it returns",
        );
      }
    };
    this.#markLost = lost;
    this.#redis.on("error", lost);
    this.#redis.on("close", lost);
    this.#redis.on("ready", () => {
      if (this.#degraded) {
        this.#degraded = false;
        events.info("Redis is reachable again: rate limits are shared again");
      }
    });
  }

  /**
   * Waits until Redis answers, or `timeoutMs` passes. True when it answered;
   * false leaves the cache working, degraded, while it keeps reconnecting.
   */
  async ready(timeoutMs = 2_000): Promise<boolean> {
    if (this.#redis.status === "ready") {
      return true;
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#redis.off("ready", onReady);
        this.#markLost();
        resolve(false);
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#redis.once("ready", onReady);
    });
  }

  rateLimiter(options: RateLimiterOptions): RateLimiter {
    const key = JSON.stringify([options.name, options.points, options.windowSeconds]);
    const existing = this.#limiters.get(key);
    if (existing !== undefined) {
      return existing;
    }
    const shape = flexibleOptions(`${this.#prefix}:${options.name}`, options);
    const limiter = new RateLimiterRedis({
      ...shape,
      storeClient: this.#redis,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(shape),
    });
    const created = new FlexibleRateLimiter(limiter, options, this.#now);
    this.#limiters.set(key, created);
    return created;
  }

  /** What every key this cache writes starts with. */
  get prefix(): string {
    return this.#prefix;
  }

  /** Whether limits are shared right now. */
  status(): CacheStatus {
    return { backend: "redis", degraded: this.#degraded, outages: this.#outages };
  }

  async close(): Promise<void> {
    this.#redis.off("close", this.#markLost);
    this.#redis.disconnect();
  }
}
