import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "./errors.js";
import { backoffMs, retriesStatus, retryDelayMs, retryPolicyOf, sleep } from "./retry.js";

describe("full-jitter backoff", () => {
  it("draws in [0, min(cap, base * 2^attempt))", () => {
    const top = retryPolicyOf({ baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.999_999 });
    expect([0, 1, 2, 3, 4, 10].map((attempt) => backoffMs(top, attempt))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    const bottom = retryPolicyOf({ random: () => 0 });
    expect(backoffMs(bottom, 3)).toBe(0);
  });

  it("never waits less than Retry-After, and gives up past maxRetryAfterMs", () => {
    const policy = retryPolicyOf({ random: () => 0.5, maxRetryAfterMs: 10_000 });
    expect(retryDelayMs(policy, 0, undefined)).toBe(100);
    expect(retryDelayMs(policy, 0, 3)).toBe(3_000);
    expect(retryDelayMs(policy, 0, 10)).toBe(10_000);
    expect(retryDelayMs(policy, 0, 11)).toBeUndefined();
  });

  it("retries only 429 and 503, and never for an unsafe operation", () => {
    expect(retriesStatus("safe", 429)).toBe(true);
    expect(retriesStatus("idempotent", 503)).toBe(true);
    expect(retriesStatus("unsafe", 429)).toBe(false);
    expect([400, 401, 404, 500, 502, 504].some((status) => retriesStatus("safe", status))).toBe(
      false,
    );
  });

  it("has two retries by default, none with retry: false", () => {
    expect(retryPolicyOf(undefined).retries).toBe(2);
    expect(retryPolicyOf(false).retries).toBe(0);
  });
});

describe("Retry-After", () => {
  it("reads delay-seconds and HTTP dates, and nothing else", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe("sleep", () => {
  it("rejects with the signal's reason when it aborts, and at once when it already has", async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    await expect(sleep(60_000, AbortSignal.abort(new Error("gone")))).rejects.toThrow("gone");
  });

  it("resolves after its time without a signal", async () => {
    await expect(sleep(1, undefined)).resolves.toBeUndefined();
  });
});
