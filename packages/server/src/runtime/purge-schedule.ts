import { TesseraError } from "../core/errors.js";
import type { PurgeOutcome } from "../core/maintenance.js";
import { type Schedule, type ScheduleLog, startSchedule } from "./schedule.js";

/** The first purge after a start comes this soon (or after one interval, if shorter). */
export const FIRST_PURGE_AFTER_MS = 60_000;

/** Where the schedule reports; the server's pino logger fits. */
export type PurgeLog = ScheduleLog;

/** A running schedule: `stop` also aborts a purge in progress between two of its batches. */
export type PurgeSchedule = Schedule;

/**
 * Runs `purge` every `intervalMs` ({@link startSchedule}: never
 * overlapping, the first after `FIRST_PURGE_AFTER_MS` or one interval).
 * `purge` takes the store's lock itself: with several instances, the one
 * that gets it purges and the others skip that turn.
 *
 * Nothing a run does stops the server: a failure is a warning, and an
 * unavailable store is simply tried again at the next turn.
 */
export function startPurgeSchedule(options: {
  readonly intervalMs: number;
  readonly purge: (signal: AbortSignal) => Promise<PurgeOutcome>;
  readonly log: PurgeLog;
}): PurgeSchedule {
  const { intervalMs, purge, log } = options;
  return startSchedule({
    intervalMs,
    firstAfterMs: FIRST_PURGE_AFTER_MS,
    run: async (signal) => {
      try {
        const outcome = await purge(signal);
        if (!outcome.ran) {
          log.debug({ event: "purge_skipped" }, "Another instance is purging; skipped this turn");
          return;
        }
        const fields = { event: "purged", ...outcome.counts, endedBefore: outcome.endedBefore };
        if (Object.values(outcome.counts).some((count) => count > 0)) {
          log.info(fields, "Purged ended sessions and tokens");
        } else {
          log.debug(fields, "Purge found nothing to delete");
        }
      } catch (error) {
        const nextInSeconds = Math.round(intervalMs / 1000);
        if (error instanceof TesseraError && error.code === "unavailable") {
          log.warn(
            { event: "purge_unavailable", detail: error.detail, nextInSeconds },
            "Purge skipped: the store is unavailable; trying again at the next turn",
          );
          return;
        }
        log.warn({ event: "purge_failed", err: error, nextInSeconds }, "Purge failed");
      }
    },
  });
}
