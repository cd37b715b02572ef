import { argon2id } from "@noble/hashes/argon2.js";
import { describe, expect, it } from "vitest";
import { MIN_ARGON2_PARAMS, PasswordHasher } from "./passwords.js";

/**
 * A password hash made once by Tessera and committed here. Every user's
 * stored hash has this form: a change that stops this one from verifying
 * would lock every existing user out.
 */
const PASSWORD = "correct horse battery staple";
const STORED =
  "$argon2id$v=19$m=19456,t=2,p=1$8epRgcTZkCq5r3PP64Sy0A$wvespZa3JbweHpy053pZ8nuQsUM07PKOnF6N3OEg4xY";

/** The fields of a PHC string (`$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`, unpadded base64). */
function parsePhc(phc: string) {
  const match =
    /^\$(argon2id)\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(
      phc,
    );
  if (match === null) {
    throw new Error(`not an argon2id PHC string: ${phc}`);
  }
  const [, algorithm, version, m, t, p, salt, hash] = match;
  return {
    algorithm,
    version: Number(version),
    memoryKiB: Number(m),
    timeCost: Number(t),
    parallelism: Number(p),
    salt: Buffer.from(salt ?? "", "base64"),
    hash: Buffer.from(hash ?? "", "base64"),
  };
}

describe("password hashes: the format, by known answer", () => {
  const hasher = new PasswordHasher();

  it("verifies a hash stored by an earlier Tessera, and only with its password", async () => {
    expect(await hasher.verify(STORED, PASSWORD)).toBe(true);
    expect(await hasher.verify(STORED, `${PASSWORD}!`)).toBe(false);
  });

  it("stores what another argon2id implementation computes from the same inputs", () => {
    const stored = parsePhc(STORED);
    const computed = argon2id(PASSWORD, stored.salt, {
      m: stored.memoryKiB,
      t: stored.timeCost,
      p: stored.parallelism,
      version: stored.version,
      dkLen: stored.hash.length,
    });
    expect(Buffer.from(computed).toString("hex")).toBe(stored.hash.toString("hex"));
  });

  it("hashes a new password with argon2id v1.3 at OWASP's floor, a 16-byte salt and a 32-byte hash", async () => {
    const fresh = parsePhc(await hasher.hash(PASSWORD));
    expect({ ...fresh, salt: fresh.salt.length, hash: fresh.hash.length }).toEqual({
      algorithm: "argon2id",
      version: 0x13,
      memoryKiB: MIN_ARGON2_PARAMS.memoryKiB,
      timeCost: MIN_ARGON2_PARAMS.timeCost,
      parallelism: MIN_ARGON2_PARAMS.parallelism,
      salt: 16,
      hash: 32,
    });
    expect(MIN_ARGON2_PARAMS).toEqual({ memoryKiB: 19_456, timeCost: 2, parallelism: 1 });
  });

  it("records the cost it was given in the hash", async () => {
    const params = { memoryKiB: 19_456 * 2, timeCost: 3, parallelism: 2 };
    const fresh = parsePhc(await new PasswordHasher(params).hash(PASSWORD));
    expect({
      memoryKiB: fresh.memoryKiB,
      timeCost: fresh.timeCost,
      parallelism: fresh.parallelism,
    }).toEqual(params);
  });
});
