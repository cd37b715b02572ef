import { type Algorithm, hash, verify } from "@node-rs/argon2";
import { TesseraError } from "./errors.js";
import { Slots } from "./slots.js";

// `Algorithm` is an ambient const enum, which isolated modules cannot read;
// 2 is its `Argon2id` member.
const ARGON2ID = 2 as Algorithm;

/** argon2id cost parameters. OWASP's floor is m=19456 KiB, t=2, p=1. */
export interface Argon2Params {
  readonly memoryKiB: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

export const MIN_ARGON2_PARAMS: Argon2Params = { memoryKiB: 19_456, timeCost: 2, parallelism: 1 };

/**
 * The longest password accepted, in characters. Longer ones are refused with
 * a clear error rather than truncated; the cap bounds the hashing work a
 * single request can ask for.
 */
export const MAX_PASSWORD_LENGTH = 1024;
/** The shortest password accepted when one is set (NIST SP 800-63B §3.1.1.2). */
export const MIN_PASSWORD_LENGTH = 8;

/**
 * Hashes and verifies passwords with argon2id. Both run on the libuv thread
 * pool (`@node-rs/argon2` tasks), never on the event loop.
 *
 * At most `concurrency` hashes run at once (2 unless given; the server
 * gives one per core, which is all the hashing a machine can do at a time);
 * the rest wait here, not in the pool. A burst of logins then cannot fill the pool's four threads
 * with 8 ms hashes while a refresh's signature or a log write waits behind
 * them, and memory holds at `concurrency` × the argon2 memory cost.
 */
export class PasswordHasher {
  readonly #params: Argon2Params;
  readonly #slots: Slots;
  #dummyHash: Promise<string> | undefined;

  constructor(params: Argon2Params = MIN_ARGON2_PARAMS, options: { concurrency?: number } = {}) {
    if (
      params.memoryKiB < MIN_ARGON2_PARAMS.memoryKiB ||
      params.timeCost < MIN_ARGON2_PARAMS.timeCost ||
      params.parallelism < 1
    ) {
      throw new Error("argon2id parameters are below the floor m=19456 KiB, t=2, p=1");
    }
    this.#params = params;
    this.#slots = new Slots(Math.max(1, options.concurrency ?? 2));
  }

  /** Hashes a new password after checking it against the length policy. */
  async hash(password: string): Promise<string> {
    checkNewPassword(password);
    return this.#slots.run(() => hash(password, this.#options()));
  }

  /**
   * Verifies `password` against `storedHash`. With `storedHash` undefined (an
   * unknown user) it verifies against a dummy hash of the same cost, so the
   * answer takes as long as for a real user, and returns false.
   */
  async verify(storedHash: string | undefined, password: string): Promise<boolean> {
    const target = storedHash ?? (await this.#dummy());
    try {
      const ok = await this.#slots.run(() => verify(target, password));
      return ok && storedHash !== undefined;
    } catch {
      return false;
    }
  }

  #dummy(): Promise<string> {
    this.#dummyHash ??= this.#slots.run(() =>
      hash("tessera-dummy-password-for-timing", this.#options()),
    );
    return this.#dummyHash;
  }

  #options() {
    return {
      algorithm: ARGON2ID,
      memoryCost: this.#params.memoryKiB,
      timeCost: this.#params.timeCost,
      parallelism: this.#params.parallelism,
    };
  }
}

/** Refuses a password that is too short or too long to be set. Never trims or normalises. */
export function checkNewPassword(password: string): void {
  if (passwordLength(password) < MIN_PASSWORD_LENGTH) {
    throw new TesseraError(
      "invalid_request",
      `The password must be at least ${MIN_PASSWORD_LENGTH} characters`,
    );
  }
  if (passwordLength(password) > MAX_PASSWORD_LENGTH) {
    throw new TesseraError(
      "invalid_request",
      `The password must be at most ${MAX_PASSWORD_LENGTH} characters`,
    );
  }
}

/** A password's length in characters (Unicode code points, as NIST counts), not UTF-16 units. */
export function passwordLength(password: string): number {
  let count = 0;
  for (const _ of password) {
    count++;
  }
  return count;
}
