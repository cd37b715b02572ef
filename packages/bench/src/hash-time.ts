import { type Algorithm, hash } from "@node-rs/argon2";
import { percentile } from "./load.js";

// `Algorithm` is an ambient const enum, which isolated modules cannot read: 2 is argon2id.
const ARGON2ID = 2 as Algorithm;

/** The server's default argon2id cost (`TESSERA_ARGON2_*`). */
export const ARGON2_DEFAULTS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * The median time of one argon2id hash at the server's default cost, in
 * milliseconds: what every password login pays on purpose. Measured with the
 * same library and thread pool the server uses, one hash at a time.
 */
export async function measureHashTime(samples: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples + 3; i++) {
    const started = performance.now();
    await hash(`bench-password-${i}`, { algorithm: ARGON2ID, ...ARGON2_DEFAULTS });
    if (i >= 3) {
      times.push(performance.now() - started);
    }
  }
  times.sort((a, b) => a - b);
  return percentile(times, 0.5);
}

/**
 * How many argon2id hashes a second this machine completes with `parallel`
 * running at once (one per core): what the password path could do if it
 * did nothing but hash. Cores that share a physical core, or memory
 * bandwidth, make it less than `parallel` ÷ the single-hash time.
 */
export async function measureHashCapacity(parallel: number, hashes: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next++ < hashes) {
        await hash(`bench-password-${next}`, { algorithm: ARGON2ID, ...ARGON2_DEFAULTS });
      }
    }),
  );
  return hashes / ((performance.now() - started) / 1000);
}
