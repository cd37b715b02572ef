/**
 * One in-flight run of a task, shared by every caller that asks while it
 * runs: fifty callers that find a token due start one renewal and all get
 * its outcome. A failure rejects every caller that waited on that run and
 * is not remembered: the next `run` starts afresh. Nothing is cached once
 * the run ends; keeping its result is the caller's business.
 *
 * @example
 * const renewal = new SingleFlight<string>();
 * const tokens = await Promise.all(
 *   Array.from({ length: 50 }, () => renewal.run(() => fetchNewToken())),
 * ); // fetchNewToken ran once
 */
export class SingleFlight<T> {
  #current: Promise<T> | undefined;

  /**
   * True while a run is in flight.
   *
   * @example
   * if (!renewal.pending) console.log("idle");
   */
  get pending(): boolean {
    return this.#current !== undefined;
  }

  /**
   * Joins the run in flight, or starts `task` when there is none. The task
   * starts on a later microtask, so a task that throws at once rejects the
   * returned promise like one that fails later, and is never left in flight.
   *
   * @example
   * const token = await renewal.run(async () => (await api.issueShortTermToken()).data.access_token);
   */
  run(task: () => Promise<T>): Promise<T> {
    if (this.#current !== undefined) {
      return this.#current;
    }
    const run: Promise<T> = Promise.resolve()
      .then(task)
      .finally(() => {
        if (this.#current === run) {
          this.#current = undefined;
        }
      });
    this.#current = run;
    return run;
  }

  /**
   * Waits until the run in flight, if any, has ended, whatever its outcome:
   * for a caller that must not overlap it (a logout waiting for a refresh)
   * but does not want its result.
   *
   * @example
   * await renewal.settled();
   */
  async settled(): Promise<void> {
    await this.#current?.then(
      () => undefined,
      () => undefined,
    );
  }
}
