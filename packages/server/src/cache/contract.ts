/**
 * Fast shared state that is not the truth: rate-limit counters now; later
 * revocation fan-out. (One-time claims must survive a restart, so they live
 * in the store.) Implementations: memory (one
 * process) and, for many instances, Redis.
 */
export interface Cache {
  /** A named fixed-window limiter; the same name shares counters across callers. */
  rateLimiter(options: RateLimiterOptions): RateLimiter;
  /** Which backend holds the counters, and whether it is degraded to this instance's memory. */
  status(): CacheStatus;
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  /** Distinguishes counters of different limiters sharing one backend. */
  readonly name: string;
  /** Points allowed per window. */
  readonly points: number;
  readonly windowSeconds: number;
  /** Once the limit is passed, how long the key stays blocked (defaults to the window). */
  readonly blockSeconds?: number;
}

/** Where a key stands against its limit. */
export interface LimitState {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Milliseconds until the window (or block) ends. */
  readonly resetMs: number;
}

export interface RateLimiter {
  /** Spends `points` (default 1) for `key` and reports the state after it. */
  consume(key: string, points?: number): Promise<LimitState>;
  /** Reports the state for `key` without spending anything. */
  peek(key: string): Promise<LimitState>;
  /** Forgets `key` (a successful login clears its failure streak). */
  reset(key: string): Promise<void>;
  /** Gives back `points` (default 1) spent for `key`: an attempt counted up front that succeeded. */
  reward(key: string, points?: number): Promise<void>;
}

/** What a {@link Cache} reports about its health. */
export interface CacheStatus {
  readonly backend: "memory" | "redis";
  /** True while a shared backend is unreachable and limits hold per instance. */
  readonly degraded: boolean;
  /** How many times the shared backend has been lost since start. */
  readonly outages: number;
}
