import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TesseraError } from "../core/errors.js";
import type { PurgeOutcome } from "../core/maintenance.js";
import { FIRST_PURGE_AFTER_MS, type PurgeLog, startPurgeSchedule } from "./purge-schedule.js";

const HOUR = 3_600_000;
const NOTHING: PurgeOutcome = {
  ran: true,
  counts: { sessions: 0, refreshTokens: 0, automationTokens: 0, oneTimeClaims: 0 },
  endedBefore: 0,
};

interface Logged {
  readonly level: "debug" | "info" | "warn";
  readonly fields: Record<string, unknown>;
}

function recordingLog(): { readonly log: PurgeLog; readonly lines: Logged[] } {
  const lines: Logged[] = [];
  const at =
    (level: Logged["level"]) =>
    (fields: object): void => {
      lines.push({ level, fields: fields as Record<string, unknown> });
    };
  return { log: { debug: at("debug"), info: at("info"), warn: at("warn") }, lines };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("startPurgeSchedule", () => {
  it("purges a minute after start, then one interval after each run", async () => {
    const { log } = recordingLog();
    const purge = vi.fn(async () => NOTHING);
    const schedule = startPurgeSchedule({ intervalMs: HOUR, purge, log });

    await vi.advanceTimersByTimeAsync(FIRST_PURGE_AFTER_MS - 1);
    expect(purge).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(purge).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(purge).toHaveBeenCalledTimes(2);
    await schedule.stop();
  });

  it("never overlaps itself: a slow run pushes the next one back", async () => {
    const { log } = recordingLog();
    let active = 0;
    let most = 0;
    const purge = vi.fn(async () => {
      active += 1;
      most = Math.max(most, active);
      await new Promise((resolve) => setTimeout(resolve, 3 * 1000));
      active -= 1;
      return NOTHING;
    });
    const schedule = startPurgeSchedule({ intervalMs: 1000, purge, log });

    await vi.advanceTimersByTimeAsync(1000);
    expect(purge).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3 * 1000);
    expect(purge).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(purge).toHaveBeenCalledTimes(2);
    expect(most).toBe(1);
    const stopped = schedule.stop();
    await vi.advanceTimersByTimeAsync(3 * 1000);
    await stopped;
  });

  it("logs a failure or an unavailable store as a warning and tries again next turn", async () => {
    const { log, lines } = recordingLog();
    const purge = vi
      .fn<(signal: AbortSignal) => Promise<PurgeOutcome>>()
      .mockRejectedValueOnce(new TesseraError("unavailable", "down", { detail: "store: 57P01" }))
      .mockRejectedValueOnce(new Error("boom"))
      .mockResolvedValue({ ...NOTHING, counts: { ...NOTHING.counts, sessions: 3 } });
    const schedule = startPurgeSchedule({ intervalMs: 1000, purge, log });

    await vi.advanceTimersByTimeAsync(3000);

    expect(purge).toHaveBeenCalledTimes(3);
    expect(lines.map((l) => [l.level, l.fields.event])).toEqual([
      ["warn", "purge_unavailable"],
      ["warn", "purge_failed"],
      ["info", "purged"],
    ]);
    expect(lines[2]?.fields).toMatchObject({ sessions: 3 });
    await schedule.stop();
  });

  it("says at debug level when another instance held the lock", async () => {
    const { log, lines } = recordingLog();
    const schedule = startPurgeSchedule({
      intervalMs: 1000,
      purge: async () => ({ ran: false }),
      log,
    });

    await vi.advanceTimersByTimeAsync(1000);

    expect(lines).toEqual([{ level: "debug", fields: { event: "purge_skipped" } }]);
    await schedule.stop();
  });

  it("on stop, aborts the run in progress, waits for it, and schedules no more", async () => {
    const { log } = recordingLog();
    let finished = false;
    const purge = vi.fn(async (signal: AbortSignal) => {
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      finished = true;
      return NOTHING;
    });
    const schedule = startPurgeSchedule({ intervalMs: 1000, purge, log });
    await vi.advanceTimersByTimeAsync(1000);
    expect(purge).toHaveBeenCalledTimes(1);

    await schedule.stop();

    expect(finished).toBe(true);
    await vi.advanceTimersByTimeAsync(10 * 1000);
    expect(purge).toHaveBeenCalledTimes(1);
  });

  it("does not keep the process alive by itself", () => {
    const { log } = recordingLog();
    const setTimer = vi.spyOn(globalThis, "setTimeout");
    const schedule = startPurgeSchedule({ intervalMs: 1000, purge: async () => NOTHING, log });

    const timer = setTimer.mock.results[0]?.value as NodeJS.Timeout | undefined;
    expect(timer?.hasRef()).toBe(false);
    setTimer.mockRestore();
    return schedule.stop();
  });
});
