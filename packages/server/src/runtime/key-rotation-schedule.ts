import { TesseraError } from "../core/errors.js";
import type { KeyRotationOutcome } from "../core/scheduled-key-rotation.js";
import { type Schedule, type ScheduleLog, startSchedule } from "./schedule.js";

/** The first check after a start comes this soon (or after one interval, if shorter). */
export const FIRST_KEY_ROTATION_CHECK_AFTER_MS = 60_000;

/** Where the schedule reports; the server's pino logger fits. */
export type KeyRotationLog = ScheduleLog;

/** A running schedule. */
export type KeyRotationSchedule = Schedule;

/**
 * Runs `rotate` (the core's `rotateDueSigningKeys`) every `intervalMs`
 * ({@link startSchedule}: never overlapping, the first after
 * `FIRST_KEY_ROTATION_CHECK_AFTER_MS` or one interval). `rotate` takes the
 * store's lock itself: with several instances, the one that gets it
 * rotates and the others skip that turn.
 *
 * Nothing a check does stops the server: each tenant's failure is a
 * warning, the others still rotate, and an unavailable store is tried again
 * at the next turn.
 */
export function startKeyRotationSchedule(options: {
  readonly intervalMs: number;
  readonly rotate: (signal: AbortSignal) => Promise<KeyRotationOutcome>;
  readonly log: KeyRotationLog;
}): KeyRotationSchedule {
  const { intervalMs, rotate, log } = options;
  return startSchedule({
    intervalMs,
    firstAfterMs: FIRST_KEY_ROTATION_CHECK_AFTER_MS,
    run: async (signal) => {
      const nextInSeconds = Math.round(intervalMs / 1000);
      try {
        const outcome = await rotate(signal);
        if (!outcome.ran) {
          log.debug(
            { event: "key_rotation_skipped" },
            "Another instance is rotating keys; skipped this turn",
          );
          return;
        }
        for (const { tenantId, algorithm, kid } of outcome.rotated) {
          log.info(
            { event: "signing_key_rotated", tenantId, algorithm, kid },
            "Rotated a signing key on schedule",
          );
        }
        for (const { tenantId, error } of outcome.failed) {
          log.warn(
            { event: "key_rotation_failed", tenantId, err: error, nextInSeconds },
            "Scheduled signing key rotation failed for a tenant; trying again at the next turn",
          );
        }
        if (outcome.rotated.length === 0 && outcome.failed.length === 0) {
          log.debug({ event: "key_rotation_checked" }, "No signing key was due for rotation");
        }
      } catch (error) {
        if (error instanceof TesseraError && error.code === "unavailable") {
          log.warn(
            { event: "key_rotation_unavailable", detail: error.detail, nextInSeconds },
            "Key rotation check skipped: the store is unavailable; trying again at the next turn",
          );
          return;
        }
        log.warn(
          { event: "key_rotation_failed", err: error, nextInSeconds },
          "Key rotation check failed",
        );
      }
    },
  });
}
