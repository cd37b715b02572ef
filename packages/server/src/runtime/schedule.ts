/** Where a schedule reports; the server's pino logger fits. */
export interface ScheduleLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** A running schedule. */
export interface Schedule {
  /**
   * Stops scheduling, aborts a run in progress (through the signal it was
   * given), and resolves once it has finished, so the store can be closed.
   */
  stop(): Promise<void>;
}

/**
 * Runs `run` every `intervalMs`, counted from the end of the previous run,
 * so runs never overlap; the first comes after `firstAfterMs` (or one
 * interval, if that is shorter), so a server restarted more often than the
 * interval still runs it. `run` reports its own outcome and failures; one
 * that throws anyway is simply run again at the next turn. The timer is
 * unref'd, so a schedule alone never keeps the process alive.
 */
export function startSchedule(options: {
  readonly intervalMs: number;
  readonly firstAfterMs: number;
  readonly run: (signal: AbortSignal) => Promise<void>;
}): Schedule {
  const { intervalMs, run } = options;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      timer = undefined;
      running = run(abort.signal)
        .catch(() => {})
        .finally(() => {
          running = undefined;
          if (!abort.signal.aborted) {
            schedule(intervalMs);
          }
        });
    }, delayMs);
    timer.unref();
  };

  schedule(Math.min(intervalMs, options.firstAfterMs));
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
