import { describe, expect, it } from "vitest";
import { MemoryCache } from "../cache/memory-cache.js";
import { ManualClock } from "./clock.js";
import { TesseraError } from "./errors.js";
import type { TenantId } from "./ids.js";
import { type LoginAttempt, LoginThrottle, type LoginThrottleSettings } from "./login-throttle.js";

const SETTINGS: LoginThrottleSettings = {
  maxFailuresPerUserAndIp: 3,
  maxFailuresPerIp: 10,
  maxFailuresPerUser: 5,
  windowSeconds: 60,
};

const TENANT = "acme" as TenantId;
const OTHER_TENANT = "globex" as TenantId;
/** The start of a window: windows are aligned to multiples of `windowSeconds`. */
const START = Date.parse("2026-03-01T12:00:00Z");

function newThrottle(settings: LoginThrottleSettings = SETTINGS) {
  const clock = new ManualClock(START);
  return { throttle: new LoginThrottle(new MemoryCache(() => clock.now()), settings), clock };
}

/** The attempt `begin` counted, or the error it threw when it refused. */
async function begin(
  throttle: LoginThrottle,
  username: string,
  ip: string,
  tenantId: TenantId = TENANT,
): Promise<LoginAttempt | TesseraError> {
  try {
    return await throttle.begin(tenantId, username, ip);
  } catch (error) {
    if (error instanceof TesseraError) {
      return error;
    }
    throw error;
  }
}

/** Whether `begin` refuses this attempt (counting it as a failure when it does not). */
async function refused(
  throttle: LoginThrottle,
  username: string,
  ip: string,
  tenantId: TenantId = TENANT,
): Promise<boolean> {
  return (await begin(throttle, username, ip, tenantId)) instanceof TesseraError;
}

async function fail(
  throttle: LoginThrottle,
  times: number,
  username: string,
  ip: string,
  tenantId: TenantId = TENANT,
): Promise<void> {
  for (let i = 0; i < times; i++) {
    expect(await refused(throttle, username, ip, tenantId)).toBe(false);
  }
}

async function succeed(throttle: LoginThrottle, username: string, ip: string): Promise<void> {
  const attempt = await begin(throttle, username, ip);
  if (attempt instanceof TesseraError) {
    throw attempt;
  }
  await throttle.succeeded(attempt);
}

/** How many failures it takes before `begin` refuses this username and IP. */
async function failuresUntilRefused(
  throttle: LoginThrottle,
  username: string,
  ip: string,
): Promise<number> {
  for (let failures = 0; failures < 100; failures++) {
    if (await refused(throttle, username, ip)) {
      return failures;
    }
  }
  throw new Error("never refused");
}

describe("LoginThrottle", () => {
  it("lets attempts through until the user and IP pair reaches its limit", async () => {
    const { throttle } = newThrottle();

    await fail(throttle, SETTINGS.maxFailuresPerUserAndIp, "alice", "198.51.100.1");
    const error = await begin(throttle, "alice", "198.51.100.1");

    expect(error).toBeInstanceOf(TesseraError);
    expect((error as TesseraError).code).toBe("rate_limited");
    expect((error as TesseraError).retryAfterSeconds).toBe(SETTINGS.windowSeconds);
  });

  it("counts attempts made at once exactly, before any of them is checked", async () => {
    const { throttle } = newThrottle();

    const attempts = await Promise.all(
      Array.from({ length: 20 }, () => begin(throttle, "alice", "198.51.100.1")),
    );

    const counted = attempts.filter((attempt) => !(attempt instanceof TesseraError));
    expect(counted).toHaveLength(SETTINGS.maxFailuresPerUserAndIp);
  });

  it("does not block the same user from another IP until the per-user limit", async () => {
    const { throttle } = newThrottle();
    await fail(throttle, SETTINGS.maxFailuresPerUserAndIp, "alice", "198.51.100.1");

    expect(await refused(throttle, "alice", "198.51.100.1")).toBe(true);
    const toUserLimit = SETTINGS.maxFailuresPerUser - SETTINGS.maxFailuresPerUserAndIp;
    await fail(throttle, toUserLimit, "alice", "198.51.100.2");

    expect(await refused(throttle, "alice", "198.51.100.2")).toBe(true);
    expect(await refused(throttle, "alice", "203.0.113.9")).toBe(true);
    expect(await refused(throttle, "bob", "198.51.100.2")).toBe(false);
  });

  it("blocks an IP that fails across many usernames", async () => {
    const { throttle } = newThrottle();

    for (let i = 0; i < SETTINGS.maxFailuresPerIp; i++) {
      await fail(throttle, 1, `user-${i}`, "198.51.100.1");
    }

    expect(await refused(throttle, "fresh-user", "198.51.100.1")).toBe(true);
    expect(await refused(throttle, "fresh-user", "198.51.100.2")).toBe(false);
    expect(await refused(throttle, "user-0", "198.51.100.2")).toBe(false);
  });

  it("spends nothing on a refused attempt: the user's other addresses keep their budget", async () => {
    const { throttle } = newThrottle();
    await fail(throttle, SETTINGS.maxFailuresPerUserAndIp, "alice", "198.51.100.1");

    for (let i = 0; i < 20; i++) {
      expect(await refused(throttle, "alice", "198.51.100.1")).toBe(true);
    }

    const toUserLimit = SETTINGS.maxFailuresPerUser - SETTINGS.maxFailuresPerUserAndIp;
    await fail(throttle, toUserLimit, "alice", "198.51.100.2");
    expect(await refused(throttle, "alice", "198.51.100.2")).toBe(true);
  });

  it("gives a success's points back, and clears the user and IP streak", async () => {
    const { throttle } = newThrottle();
    await fail(throttle, SETTINGS.maxFailuresPerUserAndIp - 1, "alice", "198.51.100.1");

    await succeed(throttle, "alice", "198.51.100.1");
    await fail(throttle, SETTINGS.maxFailuresPerUserAndIp - 1, "alice", "198.51.100.1");
    expect(await refused(throttle, "bob", "198.51.100.1")).toBe(false);

    // 2 + 2 failures so far, the success not among them: one more from anywhere reaches 5.
    await fail(throttle, 1, "alice", "203.0.113.9");
    expect(await refused(throttle, "alice", "198.51.100.1")).toBe(true);
  });

  it("refuses until the window ends, and a refused attempt extends nothing", async () => {
    const { throttle, clock } = newThrottle();
    await fail(throttle, SETTINGS.maxFailuresPerUserAndIp, "alice", "198.51.100.1");

    clock.advance(SETTINGS.windowSeconds * 1000 - 1);
    const late = await begin(throttle, "alice", "198.51.100.1");
    expect((late as TesseraError).retryAfterSeconds).toBe(1);

    clock.advance(1);
    expect(await failuresUntilRefused(throttle, "alice", "198.51.100.1")).toBe(
      SETTINGS.maxFailuresPerUserAndIp,
    );
  });

  it("gives back a success that ends after its window into nothing, never into the next window", async () => {
    const { throttle, clock } = newThrottle({ ...SETTINGS, maxFailuresPerIp: 2 });
    const slow = await begin(throttle, "alice", "198.51.100.1");

    clock.advance(SETTINGS.windowSeconds * 1000);
    await fail(throttle, 2, "bob", "198.51.100.1");
    await throttle.succeeded(slow as LoginAttempt);

    expect(await refused(throttle, "carol", "198.51.100.1")).toBe(true);
  });

  it("counts every username the same way, whether or not such a user exists", async () => {
    const { throttle } = newThrottle();

    const forExisting = await failuresUntilRefused(throttle, "alice", "198.51.100.1");
    const forUnknown = await failuresUntilRefused(throttle, "no-such-user", "198.51.100.2");

    expect(forExisting).toBe(SETTINGS.maxFailuresPerUserAndIp);
    expect(forUnknown).toBe(forExisting);
  });

  it("keeps usernames apart exactly, and per tenant", async () => {
    const { throttle } = newThrottle();
    await fail(throttle, SETTINGS.maxFailuresPerUserAndIp, "alice", "198.51.100.1");

    expect(await refused(throttle, "Alice", "198.51.100.1")).toBe(false);
    expect(await refused(throttle, "alice ", "198.51.100.1")).toBe(false);
    expect(await refused(throttle, "alice", "198.51.100.1", OTHER_TENANT)).toBe(false);
  });

  it("shares counts between throttles built on one cache", async () => {
    // The Cache contract: "the same name shares counters across callers".
    const cache = new MemoryCache();
    const first = new LoginThrottle(cache, SETTINGS);
    const second = new LoginThrottle(cache, SETTINGS);

    await fail(first, SETTINGS.maxFailuresPerUserAndIp, "alice", "198.51.100.1");

    expect(await refused(second, "alice", "198.51.100.1")).toBe(true);
  });
});
