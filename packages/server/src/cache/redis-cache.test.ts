import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { expect, it } from "vitest";
import { describeWithService, newRedisPrefix, REDIS_URL } from "../../test/support/services.js";
import type { TenantId } from "../core/ids.js";
import { LoginThrottle } from "../core/login-throttle.js";
import { describeCacheConformance } from "./conformance/cache-conformance.js";
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
  // Each deployment a prefix of its own; a peer is a second connection under the same prefix.
  describeCacheConformance("redis", {
    backend: "redis",
    shared: true,
    open: async (now) => {
      const prefix = newRedisPrefix();
      const connect = async () => {
        const cache = new RedisCache(REDIS_URL, prefix, quiet, now);
        expect(await cache.ready()).toBe(true);
        return cache;
      };
      return { cache: await connect(), peer: connect };
    },
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
    const warnings: string[] = [];
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
