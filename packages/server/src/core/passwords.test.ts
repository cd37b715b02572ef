import { beforeAll, describe, expect, it } from "vitest";
import { TesseraError } from "./errors.js";
import {
  checkNewPassword,
  MAX_PASSWORD_LENGTH,
  MIN_ARGON2_PARAMS,
  MIN_PASSWORD_LENGTH,
  PasswordHasher,
} from "./passwords.js";

const PASSWORD = "correct horse battery staple";

async function rejection(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => "resolved",
    (error: unknown) => error,
  );
}

describe("PasswordHasher", () => {
  const hasher = new PasswordHasher(MIN_ARGON2_PARAMS);
  let stored = "";

  beforeAll(async () => {
    stored = await hasher.hash(PASSWORD);
  });

  it("hashes with argon2id at the configured cost, salted", async () => {
    expect(stored.startsWith("$argon2id$v=19$m=19456,t=2,p=1$")).toBe(true);
    expect(stored).not.toContain(PASSWORD);
    expect(await hasher.hash(PASSWORD)).not.toBe(stored);
  });

  it("verifies the right password and rejects a wrong one", async () => {
    expect(await hasher.verify(stored, PASSWORD)).toBe(true);
    expect(await hasher.verify(stored, "correct horse battery stapler")).toBe(false);
  });

  it("rejects every password for an unknown user, even the dummy one", async () => {
    expect(await hasher.verify(undefined, PASSWORD)).toBe(false);
    expect(await hasher.verify(undefined, "tessera-dummy-password-for-timing")).toBe(false);
  });

  it("rejects instead of throwing when the stored hash is malformed", async () => {
    expect(await hasher.verify("not a hash", PASSWORD)).toBe(false);
  });

  it("keeps a password exactly: no trimming, no Unicode normalisation", async () => {
    const password = "  Pa\u0301ssw\u00f6rd \u5bc6\u7801 \u2615  ";
    expect(password.normalize("NFD")).not.toBe(password);
    expect(password.normalize("NFC")).not.toBe(password);

    const hash = await hasher.hash(password);

    expect(await hasher.verify(hash, password)).toBe(true);
    expect(await hasher.verify(hash, password.trim())).toBe(false);
    expect(await hasher.verify(hash, password.normalize("NFC"))).toBe(false);
    expect(await hasher.verify(hash, password.normalize("NFD"))).toBe(false);
  });

  it.each([
    ["shorter than the minimum", "x".repeat(MIN_PASSWORD_LENGTH - 1)],
    ["longer than the maximum", "x".repeat(MAX_PASSWORD_LENGTH + 1)],
    ["empty", ""],
  ])("refuses to hash a password %s with invalid_request", async (_, password) => {
    const error = await rejection(hasher.hash(password));

    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({ code: "invalid_request" });
  });

  it.each([
    { memoryKiB: 19_455, timeCost: 2, parallelism: 1 },
    { memoryKiB: 19_456, timeCost: 1, parallelism: 1 },
    { memoryKiB: 19_456, timeCost: 2, parallelism: 0 },
  ])("refuses parameters below the floor: %o", (params) => {
    expect(() => new PasswordHasher(params)).toThrow(/below the floor/);
  });

  it("accepts parameters above the floor", () => {
    expect(
      () => new PasswordHasher({ memoryKiB: 65_536, timeCost: 3, parallelism: 4 }),
    ).not.toThrow();
  });
});

describe("checkNewPassword", () => {
  it("accepts the shortest and the longest allowed lengths", () => {
    expect(() => checkNewPassword("x".repeat(MIN_PASSWORD_LENGTH))).not.toThrow();
    expect(() => checkNewPassword("x".repeat(MAX_PASSWORD_LENGTH))).not.toThrow();
  });

  it("counts characters, not UTF-16 code units (NIST SP 800-63B)", () => {
    // Seven characters, each outside the Basic Multilingual Plane (two code units).
    const sevenCharacters = "\u{1F600}".repeat(MIN_PASSWORD_LENGTH - 1);

    expect(() => checkNewPassword(sevenCharacters)).toThrow(TesseraError);
  });
});
