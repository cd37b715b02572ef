/**
 * Runs tasks one after another, each starting when the one before it has
 * ended, whatever its outcome: what keeps a token client's renewal, rotation
 * and close from overlapping (a short-term token issued from a long-term
 * token that a rotation is revoking would be dead on arrival). Each task's
 * own outcome is its caller's.
 *
 * @example
 * const serial = new Serial();
 * await Promise.all([serial.run(renew), serial.run(rotate)]); // rotate starts after renew ends
 */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  /**
   * Runs `task` after every task queued before it.
   *
   * @example
   * const token = await serial.run(() => issueToken());
   */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
