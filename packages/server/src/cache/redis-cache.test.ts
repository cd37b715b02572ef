import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithService, newRedisPrefix, REDIS_URL } from "../../test/support/services.js";
import type { TenantId } from "../core/ids.js";
import { LoginThrottle } from "../core/login-throttle.js";
import { RedisCache } from "./redis-cache.js";

async function redisAvailable(): Promise<boolean> {
  const probe = new RedisCache(REDIS_URL, newRedisPrefix(), { warn: () => {}, info: () => {} });
  try {
    if (!(await probe.ready())) {
      return false;
    }
    const limiter = probe.rateLimiter({
      name: `probe-${randomBytes(4).toString("hex")}`,
      points: 1,
      windowSeconds: 1,
    });
    await limiter.consume("probe");
    return !probe.status().degraded;
  } catch {
    return false;
  } finally {
    await probe.close();
  }
}

const available = await redisAvailable();

/** The start of a one-minute window. */
const START = Date.parse("2026-03-01T12:00:00Z");
const quiet = { warn: () => {}, info: () => {} };

describeWithService("Redis", available, "the Redis cache", () => {
  const warnings: string[] = [];
  const prefix = newRedisPrefix();
  let first: RedisCache;
  let second: RedisCache;
  beforeAll(async () => {
    first = new RedisCache(REDIS_URL, prefix, { warn: (m) => warnings.push(m), info: () => {} });
    second = new RedisCache(REDIS_URL, prefix, { warn: (m) => warnings.push(m), info: () => {} });
    expect(await first.ready()).toBe(true);
    expect(await second.ready()).toBe(true);
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it("shares one limit between two instances: together they allow it, not twice it", async () => {
    const options = {
      name: `shared-${randomBytes(4).toString("hex")}`,
      points: 4,
      windowSeconds: 60,
    };
    const a = first.rateLimiter(options);
    const b = second.rateLimiter(options);

    const states = [];
    for (let i = 0; i < 3; i++) {
      states.push(await a.consume("client-1"));
      states.push(await b.consume("client-1"));
    }

    expect(states.map((s) => s.allowed)).toEqual([true, true, true, true, false, false]);
    expect(states[3]).toMatchObject({ limit: 4, remaining: 0 });
    expect((await b.peek("client-1")).allowed).toBe(false);
    await a.reset("client-1");
    expect((await b.peek("client-1")).remaining).toBe(4);
    expect(first.status()).toEqual({ backend: "redis", degraded: false, outages: 0 });
  });

  it("keeps counters of caches with different prefixes apart, and writes every key under its prefix", async () => {
    const now = () => START;
    const mine = new RedisCache(REDIS_URL, newRedisPrefix(), quiet, now);
    const theirs = new RedisCache(REDIS_URL, newRedisPrefix(), quiet, now);
    const raw = new Redis(REDIS_URL);
    try {
      expect(await mine.ready()).toBe(true);
      expect(await theirs.ready()).toBe(true);
      const options = { name: "login-fail-user-ip", points: 2, windowSeconds: 60 };
      const ours = mine.rateLimiter(options);

      await ours.consume("alice");
      await ours.consume("alice");
      expect((await ours.consume("alice")).allowed).toBe(false);
      expect((await theirs.rateLimiter(options).consume("alice")).allowed).toBe(true);

      const window = START / 60_000;
      for (const cache of [mine, theirs]) {
        const prefix = cache.prefix;
        expect(await raw.keys(`${prefix}:*`)).toEqual([
          `${prefix}:login-fail-user-ip:alice:${window}`,
        ]);
      }
    } finally {
      raw.disconnect();
      await mine.close();
      await theirs.close();
    }
  });

  it("gives points back only to the window they were spent in", async () => {
    let now = START;
    const cache = new RedisCache(REDIS_URL, newRedisPrefix(), quiet, () => now);
    try {
      expect(await cache.ready()).toBe(true);
      const limiter = cache.rateLimiter({ name: "give-back", points: 2, windowSeconds: 60 });
      const spent = await limiter.consume("k");
      await limiter.reward("k", spent.window);
      expect((await limiter.peek("k")).remaining).toBe(2);

      const late = await limiter.consume("k");
      now += 60_000;
      await limiter.consume("k");
      await limiter.consume("k");
      await limiter.reward("k", late.window);

      expect((await limiter.consume("k")).allowed).toBe(false);
    } finally {
      await cache.close();
    }
  });

  it("never gives back more than a window holds, so a reset count cannot go below zero", async () => {
    const cache = new RedisCache(REDIS_URL, newRedisPrefix(), quiet);
    try {
      expect(await cache.ready()).toBe(true);
      const limiter = cache.rateLimiter({ name: "floor", points: 2, windowSeconds: 60 });
      const spent = await limiter.consume("k");
      // A success resets the count while another attempt still holds its point...
      await limiter.reset("k");
      // ...which that attempt then gives back: it must not buy a third attempt.
      await limiter.reward("k", spent.window);

      const states = [await limiter.consume("k"), await limiter.consume("k")];
      expect(states.map((state) => state.allowed)).toEqual([true, true]);
      expect((await limiter.consume("k")).allowed).toBe(false);
    } finally {
      await cache.close();
    }
  });

  it("keys a refused login flood from an exhausted address under that address only", async () => {
    const prefix = newRedisPrefix();
    const cache = new RedisCache(REDIS_URL, prefix, quiet);
    const redis = new Redis(REDIS_URL);
    try {
      expect(await cache.ready()).toBe(true);
      const throttle = new LoginThrottle(cache, {
        maxFailuresPerUserAndIp: 10,
        maxFailuresPerIp: 2,
        maxFailuresPerUser: 50,
        windowSeconds: 60,
      });
      const tenant = "default" as TenantId;
      await throttle.begin(tenant, "first", "192.0.2.1");
      await throttle.begin(tenant, "second", "192.0.2.1");
      const before = await redis.keys(`${prefix}*`);

      for (let i = 0; i < 20; i++) {
        await expect(throttle.begin(tenant, `made-up-${i}`, "192.0.2.1")).rejects.toMatchObject({
          code: "rate_limited",
        });
      }

      expect((await redis.keys(`${prefix}*`)).sort()).toEqual(before.sort());
      expect(before.every((key) => !key.includes("first") && !key.includes("second"))).toBe(true);
    } finally {
      redis.disconnect();
      await cache.close();
    }
  });

  it("falls back to this instance's memory, with a warning, when Redis cannot be reached", async () => {
    const lost = new RedisCache("redis://127.0.0.1:1", newRedisPrefix(), {
      warn: (m) => warnings.push(m),
      info: () => {},
    });
    try {
      expect(await lost.ready(500)).toBe(false);
      const limiter = lost.rateLimiter({ name: "fallback", points: 2, windowSeconds: 60 });
      const states = [
        await limiter.consume("k"),
        await limiter.consume("k"),
        await limiter.consume("k"),
      ];
      expect(states.map((s) => s.allowed)).toEqual([true, true, false]);
      expect(lost.status()).toMatchObject({ backend: "redis", degraded: true });
      expect(warnings.some((w) => /fall back to this instance's memory/.test(w))).toBe(true);
    } finally {
      await lost.close();
    }
  });
});
