/**
 * Fast shared state that is not the truth: rate-limit counters now; later
 * revocation fan-out. (One-time claims must survive a restart, so they live
 * in the store.) Implementations: memory (one
 * process) and, for many instances, Redis.
 */
export interface Cache {
  /** A named fixed-window limiter; the same name shares counters across callers. */
  rateLimiter(options: RateLimiterOptions): RateLimiter;
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
}
