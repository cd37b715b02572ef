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
}

/** Where a key stands against its limit. */
export interface LimitState {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Milliseconds until the window ends. */
  readonly resetMs: number;
  /** The window the points were counted in: {@link RateLimiter.reward} gives them back there. */
  readonly window: number;
}

/**
 * Fixed windows of `windowSeconds`, aligned to the clock (window `n` runs
 * from `n × windowSeconds` since the epoch), each with its own count per
 * key. A key over its limit is refused until its window ends, and spending
 * more extends nothing. Every change is one atomic step on the backend, so
 * concurrent callers (on every instance sharing it) never count past each
 * other.
 */
export interface RateLimiter {
  /** Spends `points` (default 1) for `key` in the current window and reports the state after it. */
  consume(key: string, points?: number): Promise<LimitState>;
  /** Reports the state for `key` without spending anything. */
  peek(key: string): Promise<LimitState>;
  /** Forgets `key`'s count in the current window (a successful login clears its failure streak). */
  reset(key: string): Promise<void>;
  /**
   * Gives back `points` (default 1) that {@link consume} spent for `key` in
   * `window` (its state's `window`): an attempt counted up front that
   * succeeded, or was refused. A window that has ended is left alone, so a
   * late give-back never adds to the next window's budget.
   */
  reward(key: string, window: number, points?: number): Promise<void>;
}

/** What a {@link Cache} reports about its health. */
export interface CacheStatus {
  readonly backend: "memory" | "redis";
  /** True while a shared backend is unreachable and limits hold per instance. */
  readonly degraded: boolean;
  /** How many times the shared backend has been lost since start. */
  readonly outages: number;
}
