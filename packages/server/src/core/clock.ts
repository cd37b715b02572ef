import type { Clock } from "./ports/clock.js";

export type { Clock };

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that only moves when told to.
 *
 * @example
 * const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
 * clock.advance(3_600_000); // one hour later
 */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#now += ms;
  }

  /** Sets the clock to an absolute time. */
  set(ms: number): void {
    this.#now = ms;
  }
}

/** Whole seconds since the epoch, as JWT `iat`/`exp` use. */
export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
