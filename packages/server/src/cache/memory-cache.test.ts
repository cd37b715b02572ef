import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryCache } from "./memory-cache.js";

const START = Date.parse("2026-01-01T00:00:00Z");
const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** A cache over a clock that only moves when told to. */
function setup() {
  let now = START;
  const cache = new MemoryCache(() => now);
  return {
    cache,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("MemoryCache.claimOnce", () => {
  it("grants a key once, then refuses it until its ttl has passed", async () => {
    const { cache, advance } = setup();

    expect(await cache.claimOnce("jti:a", 30)).toBe(true);
    expect(await cache.claimOnce("jti:a", 30)).toBe(false);
    advance(30 * SECOND - 1);
    expect(await cache.claimOnce("jti:a", 30)).toBe(false);
    advance(1);
    expect(await cache.claimOnce("jti:a", 30)).toBe(true);
    expect(await cache.claimOnce("jti:a", 30)).toBe(false);
  });

  it("keeps keys independent", async () => {
    const { cache, advance } = setup();

    expect(await cache.claimOnce("totp:client-1:100", 120)).toBe(true);
    expect(await cache.claimOnce("totp:client-2:100", 120)).toBe(true);
    expect(await cache.claimOnce("totp:client-1:101", 120)).toBe(true);
    advance(MINUTE);
    expect(await cache.claimOnce("totp:client-1:100", 120)).toBe(false);
    expect(await cache.claimOnce("totp:client-2:100", 120)).toBe(false);
    expect(await cache.claimOnce("totp:client-2:101", 120)).toBe(true);
  });

  it("lets exactly one of many concurrent claims win", async () => {
    const { cache } = setup();

    const results = await Promise.all(
      Array.from({ length: 20 }, () => cache.claimOnce("jti:raced", 60)),
    );

    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("keeps live claims through sweeps, dropping only lapsed ones", async () => {
    const { cache, advance } = setup();
    expect(await cache.claimOnce("long", 10 * 60)).toBe(true);
    expect(await cache.claimOnce("short", 10)).toBe(true);

    // Each claim after a minute or more sweeps lapsed claims away.
    for (let minute = 1; minute <= 9; minute++) {
      advance(MINUTE);
      expect(await cache.claimOnce(`tick-${minute}`, 90)).toBe(true);
      expect(await cache.claimOnce("long", 10 * 60), `minute ${minute}`).toBe(false);
      if (minute > 1) {
        expect(await cache.claimOnce(`tick-${minute - 1}`, 90), `minute ${minute}`).toBe(false);
      }
    }
    expect(await cache.claimOnce("short", 10)).toBe(true);
    advance(MINUTE);
    expect(await cache.claimOnce("long", 10 * 60)).toBe(true);
  });

  it("answers every claim as a map of expiry times would, through any sequence of sweeps", async () => {
    const step = fc.record({
      advanceMs: fc.oneof(
        fc.integer({ min: 0, max: 2 * SECOND }),
        fc.integer({ min: 0, max: 3 * MINUTE }),
      ),
      key: fc.constantFrom("a", "b", "c", "d"),
      ttlSeconds: fc.integer({ min: 1, max: 200 }),
    });

    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const { cache, advance } = setup();
        const model = new Map<string, number>();
        let now = START;

        for (const { advanceMs, key, ttlSeconds } of steps) {
          advance(advanceMs);
          now += advanceMs;
          const until = model.get(key);
          const expected = until === undefined || until <= now;
          if (expected) {
            model.set(key, now + ttlSeconds * SECOND);
          }

          expect(await cache.claimOnce(key, ttlSeconds)).toBe(expected);
        }
      }),
    );
  });
});
