import { describe, expect, it } from "vitest";
import { MemoryCache } from "../cache/memory-cache.js";
import { TesseraError } from "./errors.js";
import type { TenantId } from "./ids.js";
import { LoginThrottle, type LoginThrottleSettings } from "./login-throttle.js";

const SETTINGS: LoginThrottleSettings = {
  maxFailuresPerUserAndIp: 3,
  maxFailuresPerIp: 10,
  maxFailuresPerUser: 5,
  windowSeconds: 60,
};

const TENANT = "acme" as TenantId;
const OTHER_TENANT = "globex" as TenantId;

function newThrottle(settings: LoginThrottleSettings = SETTINGS): LoginThrottle {
  return new LoginThrottle(new MemoryCache(), settings);
}

async function fail(
  throttle: LoginThrottle,
  times: number,
  username: string,
  ip: string,
  tenantId: TenantId = TENANT,
): Promise<void> {
  for (let i = 0; i < times; i++) {
    await throttle.recordFailure(tenantId, username, ip);
  }
}

/** The error `check` throws, or undefined when the attempt may go ahead. */
async function blocked(
  throttle: LoginThrottle,
  username: string,
  ip: string,
  tenantId: TenantId = TENANT,
): Promise<TesseraError | undefined> {
  try {
    await throttle.check(tenantId, username, ip);
    return undefined;
  } catch (error) {
    if (error instanceof TesseraError) {
      return error;
    }
    throw error;
  }
}

/** How many failures it takes before `check` refuses this username and IP. */
async function failuresUntilBlocked(
  throttle: LoginThrottle,
  username: string,
  ip: string,
): Promise<number> {
  for (let failures = 0; failures < 100; failures++) {
    if ((await blocked(throttle, username, ip)) !== undefined) {
      return failures;
    }
    await throttle.recordFailure(TENANT, username, ip);
  }
  throw new Error("never blocked");
}

describe("LoginThrottle", () => {
  it("lets attempts through until the user and IP pair reaches its limit", async () => {
    const throttle = newThrottle();

    await fail(throttle, SETTINGS.maxFailuresPerUserAndIp - 1, "alice", "198.51.100.1");
    expect(await blocked(throttle, "alice", "198.51.100.1")).toBeUndefined();

    await fail(throttle, 1, "alice", "198.51.100.1");
    const error = await blocked(throttle, "alice", "198.51.100.1");

    expect(error?.code).toBe("rate_limited");
    expect(error?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(error?.retryAfterSeconds).toBeLessThanOrEqual(SETTINGS.windowSeconds);
  });

  it("does not count checks as failures", async () => {
    const throttle = newThrottle();

    for (let i = 0; i < 20; i++) {
      expect(await blocked(throttle, "alice", "198.51.100.1")).toBeUndefined();
    }
  });

  it("does not block the same user from another IP until the per-user limit", async () => {
    const throttle = newThrottle();
    await fail(throttle, SETTINGS.maxFailuresPerUserAndIp, "alice", "198.51.100.1");

    expect(await blocked(throttle, "alice", "198.51.100.1")).toBeDefined();
    expect(await blocked(throttle, "alice", "198.51.100.2")).toBeUndefined();

    const toUserLimit = SETTINGS.maxFailuresPerUser - SETTINGS.maxFailuresPerUserAndIp;
    await fail(throttle, toUserLimit - 1, "alice", "198.51.100.2");
    expect(await blocked(throttle, "alice", "198.51.100.2")).toBeUndefined();

    await fail(throttle, 1, "alice", "198.51.100.2");
    expect((await blocked(throttle, "alice", "198.51.100.2"))?.code).toBe("rate_limited");
    expect((await blocked(throttle, "alice", "203.0.113.9"))?.code).toBe("rate_limited");
    expect(await blocked(throttle, "bob", "198.51.100.2")).toBeUndefined();
  });

  it("blocks an IP that fails across many usernames", async () => {
    const throttle = newThrottle();

    for (let i = 0; i < SETTINGS.maxFailuresPerIp; i++) {
      expect(await blocked(throttle, `user-${i}`, "198.51.100.1")).toBeUndefined();
      await fail(throttle, 1, `user-${i}`, "198.51.100.1");
    }

    expect((await blocked(throttle, "fresh-user", "198.51.100.1"))?.code).toBe("rate_limited");
    expect(await blocked(throttle, "fresh-user", "198.51.100.2")).toBeUndefined();
    expect(await blocked(throttle, "user-0", "198.51.100.2")).toBeUndefined();
  });

  it("clears the user and IP streak on success, but not the per-user count", async () => {
    const throttle = newThrottle();
    await fail(throttle, SETTINGS.maxFailuresPerUserAndIp - 1, "alice", "198.51.100.1");

    await throttle.recordSuccess(TENANT, "alice", "198.51.100.1");
    await fail(throttle, SETTINGS.maxFailuresPerUserAndIp - 1, "alice", "198.51.100.1");

    expect(await blocked(throttle, "alice", "198.51.100.1")).toBeUndefined();

    // 2 + 2 failures so far: one more from anywhere reaches the per-user limit of 5.
    await fail(throttle, 1, "alice", "203.0.113.9");
    expect((await blocked(throttle, "alice", "198.51.100.1"))?.code).toBe("rate_limited");
  });

  it("counts every username the same way, whether or not such a user exists", async () => {
    const throttle = newThrottle();

    const forExisting = await failuresUntilBlocked(throttle, "alice", "198.51.100.1");
    const forUnknown = await failuresUntilBlocked(throttle, "no-such-user", "198.51.100.2");

    expect(forExisting).toBe(SETTINGS.maxFailuresPerUserAndIp);
    expect(forUnknown).toBe(forExisting);
  });

  it("keeps usernames apart exactly, and per tenant", async () => {
    const throttle = newThrottle();
    await fail(throttle, SETTINGS.maxFailuresPerUserAndIp, "alice", "198.51.100.1");

    expect(await blocked(throttle, "Alice", "198.51.100.1")).toBeUndefined();
    expect(await blocked(throttle, "alice ", "198.51.100.1")).toBeUndefined();
    expect(await blocked(throttle, "alice", "198.51.100.1", OTHER_TENANT)).toBeUndefined();
  });

  it("shares counts between throttles built on one cache", async () => {
    // The Cache contract: "the same name shares counters across callers".
    const cache = new MemoryCache();
    const first = new LoginThrottle(cache, SETTINGS);
    const second = new LoginThrottle(cache, SETTINGS);

    await fail(first, SETTINGS.maxFailuresPerUserAndIp, "alice", "198.51.100.1");

    expect((await blocked(second, "alice", "198.51.100.1"))?.code).toBe("rate_limited");
  });
});
