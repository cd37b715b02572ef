import { TesseraError } from "../core/errors.js";
import type { PurgeOutcome } from "../core/maintenance.js";

/** The first purge after a start comes this soon (or after one interval, if shorter). */
export const FIRST_PURGE_AFTER_MS = 60_000;

/** Where the schedule reports; the server's pino logger fits. */
export interface PurgeLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** A running schedule. */
export interface PurgeSchedule {
  /**
   * Stops scheduling, aborts a purge in progress between two of its
   * batches, and resolves once it has finished, so the store can be closed.
   */
  stop(): Promise<void>;
}

/**
 * Runs `purge` every `intervalMs`, counted from the end of the previous
 * run, so runs never overlap; the first comes after `FIRST_PURGE_AFTER_MS`
 * (or one interval, if shorter), so a server restarted more often than the
 * interval still purges. `purge` takes the store's lock itself: with several
 * instances, the one that gets it purges and the others skip that turn.
 *
 * Nothing a run does stops the server: a failure is a warning, and an
 * unavailable store is simply tried again at the next turn. The timer is
 * unref'd, so the schedule alone never keeps the process alive.
 */
export function startPurgeSchedule(options: {
  readonly intervalMs: number;
  readonly purge: (signal: AbortSignal) => Promise<PurgeOutcome>;
  readonly log: PurgeLog;
}): PurgeSchedule {
  const { intervalMs, purge, log } = options;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      timer = undefined;
      running = runOnce().finally(() => {
        running = undefined;
        if (!abort.signal.aborted) {
          schedule(intervalMs);
        }
      });
    }, delayMs);
    timer.unref();
  };

  const runOnce = async () => {
    try {
      const outcome = await purge(abort.signal);
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
  };

  schedule(Math.min(intervalMs, FIRST_PURGE_AFTER_MS));
  return {
    async stop() {
      abort.abort();
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      await running;
    },
  };
}
