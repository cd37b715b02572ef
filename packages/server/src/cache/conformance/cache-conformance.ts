import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../core/clock.js";
import type {
  Cache,
  CacheStatus,
  RateLimiter,
  RateLimiterOptions,
} from "../../core/ports/cache.js";

/** One deployment's cache, opened for a test. */
export interface OpenedCache {
  readonly cache: Cache;
  /**
   * Another instance of the same deployment: its own {@link Cache} over the
   * same counters (for Redis, a second connection under the same prefix).
   * A backend whose counters live in one process returns `cache` itself.
   */
  peer(): Promise<Cache>;
}

/** How the suite reaches an implementation of the Cache port. */
export interface CacheUnderTest {
  /** What {@link Cache.status} names as its backend. */
  readonly backend: CacheStatus["backend"];
  /** Whether separate {@link OpenedCache.peer} objects share counters (a shared backend). */
  readonly shared: boolean;
  /** A fresh deployment's cache, sharing no counter with any other, its windows placed by `now`. */
  open(now: () => number): Promise<OpenedCache>;
}

/** The start of a window for every window length the suite uses. */
const START = Date.parse("2026-03-01T12:00:00Z");
const WINDOW_S = 60;
const WINDOW_MS = WINDOW_S * 1000;

/**
 * Declares the Cache port's conformance suite (the contract is
 * `core/ports/cache.ts`): every implementation runs it unchanged against a
 * real backend. Time is a {@link ManualClock}, so window edges are tested to
 * the millisecond and no test waits.
 *
 * @example
 * describeCacheConformance("memory", {
 *   backend: "memory",
 *   shared: false,
 *   open: async (now) => {
 *     const cache = new MemoryCache(now);
 *     return { cache, peer: async () => cache };
 *   },
 * });
 */
export function describeCacheConformance(name: string, subject: CacheUnderTest): void {
  describe(`Cache conformance: ${name}`, () => {
    const opened: Cache[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((cache) => cache.close()));
    });

    /** A fresh deployment on a clock at a window's start, and a limiter of `points` per minute. */
    async function fresh(points = 3, at = START) {
      const clock = new ManualClock(at);
      const deployment = await subject.open(() => clock.now());
      opened.push(deployment.cache);
      const options: RateLimiterOptions = { name: uniqueName(), points, windowSeconds: WINDOW_S };
      const peer = async () => {
        const other = await deployment.peer();
        if (other !== deployment.cache) {
          opened.push(other);
        }
        return other;
      };
      return {
        clock,
        cache: deployment.cache,
        options,
        limiter: deployment.cache.rateLimiter(options),
        peer,
      };
    }

    describe("rateLimiter", () => {
      it("gives limiters of the same options one count, and limiters of another name their own", async () => {
        const { cache, options, limiter } = await fresh(2);
        const again = cache.rateLimiter(options);
        const other = cache.rateLimiter({ ...options, name: uniqueName() });

        await limiter.consume("k");
        await again.consume("k");

        expect(await allowed(limiter, "k")).toBe(false);
        expect((await other.consume("k")).remaining).toBe(1);
      });

      it("shares one limit between instances of a deployment: together they allow it, not twice it", async () => {
        const { options, limiter, peer } = await fresh(4);
        const theirs = (await peer()).rateLimiter(options);
        const states = [];
        for (let i = 0; i < 3; i++) {
          states.push(await limiter.consume("client-1"));
          states.push(await theirs.consume("client-1"));
        }
        expect(states.map((s) => s.allowed)).toEqual([true, true, true, true, false, false]);
        expect((await theirs.peek("client-1")).remaining).toBe(0);
      });

      it("keeps deployments apart: a fresh deployment starts from empty counters", async () => {
        const first = await fresh(1);
        await first.limiter.consume("k");
        const second = await fresh(1);
        expect((await second.cache.rateLimiter(first.options).consume("k")).allowed).toBe(true);
      });
    });

    describe("consume", () => {
      it("spends one point by default and reports the state after it", async () => {
        const { clock, limiter } = await fresh(3, START + 17_250);
        const states = [];
        for (let i = 0; i < 4; i++) {
          states.push(await limiter.consume("k"));
        }
        const window = Math.floor(clock.now() / WINDOW_MS);
        expect(states).toEqual([
          { allowed: true, limit: 3, remaining: 2, resetMs: WINDOW_MS - 17_250, window },
          { allowed: true, limit: 3, remaining: 1, resetMs: WINDOW_MS - 17_250, window },
          { allowed: true, limit: 3, remaining: 0, resetMs: WINDOW_MS - 17_250, window },
          { allowed: false, limit: 3, remaining: 0, resetMs: WINDOW_MS - 17_250, window },
        ]);
      });

      it("spends the points it is given", async () => {
        const { limiter } = await fresh(5);
        expect(await limiter.consume("k", 3)).toMatchObject({ allowed: true, remaining: 2 });
        expect(await limiter.consume("k", 3)).toMatchObject({ allowed: false, remaining: 0 });
      });

      it("counts each key apart", async () => {
        const { limiter } = await fresh(1);
        await limiter.consume("alice");
        expect(await allowed(limiter, "alice")).toBe(false);
        expect(await allowed(limiter, "bob")).toBe(true);
        expect(await allowed(limiter, "alice:1")).toBe(true);
      });

      it("refuses a key over its limit to the window's last millisecond, and spending more extends nothing", async () => {
        const { clock, limiter } = await fresh(2);
        for (let i = 0; i < 5; i++) {
          await limiter.consume("k");
        }
        clock.set(START + WINDOW_MS - 1);
        expect(await limiter.consume("k")).toMatchObject({ allowed: false, resetMs: 1 });

        clock.set(START + WINDOW_MS);
        expect(await limiter.consume("k")).toEqual({
          allowed: true,
          limit: 2,
          remaining: 1,
          resetMs: WINDOW_MS,
          window: START / WINDOW_MS + 1,
        });
      });

      it("never counts concurrent callers past each other, on one instance or two", async () => {
        const { options, limiter, peer } = await fresh(5);
        const theirs = (await peer()).rateLimiter(options);
        const states = await Promise.all(
          Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? limiter : theirs).consume("k")),
        );
        expect(states.filter((s) => s.allowed)).toHaveLength(5);
        expect((await limiter.peek("k")).remaining).toBe(0);
      });
    });

    describe("peek", () => {
      it("reports the state without spending anything", async () => {
        const { clock, limiter } = await fresh(2, START + 1_000);
        const window = START / WINDOW_MS;
        expect(await limiter.peek("k")).toEqual({
          allowed: true,
          limit: 2,
          remaining: 2,
          resetMs: WINDOW_MS - 1_000,
          window,
        });
        await limiter.consume("k");
        for (let i = 0; i < 3; i++) {
          expect(await limiter.peek("k")).toMatchObject({ allowed: true, remaining: 1 });
        }
        await limiter.consume("k", 2);
        expect(await limiter.peek("k")).toMatchObject({ allowed: false, remaining: 0 });

        clock.set(START + WINDOW_MS);
        expect(await limiter.peek("k")).toMatchObject({
          allowed: true,
          remaining: 2,
          window: window + 1,
        });
      });
    });

    describe("reset", () => {
      it("forgets the key's count in the current window, and only that key's", async () => {
        const { limiter } = await fresh(2);
        await limiter.consume("k", 3);
        await limiter.consume("other");
        await limiter.reset("k");
        expect((await limiter.peek("k")).remaining).toBe(2);
        expect((await limiter.peek("other")).remaining).toBe(1);
        await limiter.reset("never-seen");
        expect((await limiter.peek("never-seen")).remaining).toBe(2);
      });

      it("is seen by every instance of the deployment", async () => {
        const { options, limiter, peer } = await fresh(1);
        const theirs = (await peer()).rateLimiter(options);
        await limiter.consume("k");
        await theirs.reset("k");
        expect(await allowed(limiter, "k")).toBe(true);
      });
    });

    describe("reward", () => {
      it("gives back points spent in the window named, one by default", async () => {
        const { limiter } = await fresh(3);
        const spent = await limiter.consume("k", 3);
        await limiter.reward("k", spent.window);
        expect((await limiter.peek("k")).remaining).toBe(1);
        await limiter.reward("k", spent.window, 2);
        expect((await limiter.peek("k")).remaining).toBe(3);
      });

      it("lets a refused attempt's point go back, leaving the key at its limit", async () => {
        const { limiter } = await fresh(1);
        await limiter.consume("k");
        const refused = await limiter.consume("k");
        expect(refused.allowed).toBe(false);
        await limiter.reward("k", refused.window);
        expect(await limiter.peek("k")).toMatchObject({ remaining: 0 });
        expect(await allowed(limiter, "k")).toBe(false);
      });

      it("leaves an ended window alone, so a late give-back never adds to the next window's budget", async () => {
        const { clock, limiter } = await fresh(2);
        const late = await limiter.consume("k");
        clock.set(START + WINDOW_MS);
        await limiter.consume("k");
        await limiter.consume("k");
        await limiter.reward("k", late.window);
        expect(await allowed(limiter, "k")).toBe(false);
      });

      it("never gives back more than the window holds, so a reset count cannot go below zero", async () => {
        const { limiter } = await fresh(2);
        const spent = await limiter.consume("k");
        // A success resets the count while another attempt still holds its point...
        await limiter.reset("k");
        // ...which that attempt then gives back: it must not buy a third attempt.
        await limiter.reward("k", spent.window);
        const states = [
          await limiter.consume("k"),
          await limiter.consume("k"),
          await limiter.consume("k"),
        ];
        expect(states.map((s) => s.allowed)).toEqual([true, true, false]);
      });

      it("gives back exactly what concurrent callers spent", async () => {
        const { limiter, peer, options } = await fresh(10);
        const theirs = (await peer()).rateLimiter(options);
        const spent = await Promise.all(
          Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? limiter : theirs).consume("k")),
        );
        await Promise.all(
          spent.map((s, i) => (i % 2 === 0 ? theirs : limiter).reward("k", s.window)),
        );
        expect((await limiter.peek("k")).remaining).toBe(10);
      });
    });

    describe("status and close", () => {
      it(`reports the ${subject.backend} backend, not degraded, with no outage`, async () => {
        const { cache, limiter } = await fresh();
        await limiter.consume("k");
        expect(cache.status()).toEqual({ backend: subject.backend, degraded: false, outages: 0 });
      });

      // A backend whose counters live in one process has no other instance to keep them.
      if (subject.shared) {
        it("lets one instance close while the deployment's other instances keep its counts", async () => {
          const { options, cache, limiter, peer } = await fresh(2);
          const other = await peer();
          await limiter.consume("k");
          await cache.close();
          opened.splice(opened.indexOf(cache), 1);
          expect((await other.rateLimiter(options).consume("k")).remaining).toBe(0);
        });
      }
    });
  });
}

function uniqueName(): string {
  return `conformance-${randomBytes(4).toString("hex")}`;
}

/** Whether one more point for `key` would be allowed: spends it. */
async function allowed(limiter: RateLimiter, key: string): Promise<boolean> {
  return (await limiter.consume(key)).allowed;
}
