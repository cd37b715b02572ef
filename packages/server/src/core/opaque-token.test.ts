import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  constantTimeEqual,
  generateOpaqueToken,
  hashSecret,
  isWellFormedOpaqueToken,
  type OpaquePrefix,
} from "./opaque-token.js";

const PREFIXES: readonly OpaquePrefix[] = ["tsr_rt", "tsr_ak", "tsr_lt", "tsr_cs"];
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** 43 body characters and 6 checksum characters follow `<prefix>_`. */
const SECRET_LENGTH = 49;

const prefix = fc.constantFrom(...PREFIXES);
const base62Char = fc.constantFrom(...BASE62);
/** Any Unicode text, without lone surrogates (which UTF-8 cannot carry). */
const text = fc.string({ unit: "binary" });

function replaceAt(value: string, index: number, char: string): string {
  return `${value.slice(0, index)}${char}${value.slice(index + 1)}`;
}

describe("generateOpaqueToken", () => {
  it("is well-formed for its own prefix and for no other", () => {
    fc.assert(
      fc.property(prefix, prefix, (own, other) => {
        const token = generateOpaqueToken(own);
        expect(isWellFormedOpaqueToken(token, own)).toBe(true);
        expect(isWellFormedOpaqueToken(token, other)).toBe(own === other);
      }),
    );
  });

  it("is the prefix, an underscore and 49 base62 characters", () => {
    fc.assert(
      fc.property(prefix, (own) => {
        const token = generateOpaqueToken(own);
        expect(token).toHaveLength(own.length + 1 + SECRET_LENGTH);
        expect(token).toMatch(new RegExp(`^${own}_[0-9A-Za-z]{${SECRET_LENGTH}}$`));
      }),
    );
  });

  it("never repeats", () => {
    const tokens = new Set(Array.from({ length: 2000 }, () => generateOpaqueToken("tsr_rt")));

    expect(tokens.size).toBe(2000);
  });
});

describe("isWellFormedOpaqueToken", () => {
  it("rejects any single-character change in the body or the checksum", () => {
    fc.assert(
      fc.property(prefix, fc.nat(SECRET_LENGTH - 1), base62Char, (own, offset, char) => {
        const token = generateOpaqueToken(own);
        const index = own.length + 1 + offset;
        fc.pre(token[index] !== char);

        expect(isWellFormedOpaqueToken(replaceAt(token, index, char), own)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("rejects a token moved to another prefix", () => {
    fc.assert(
      fc.property(prefix, prefix, (own, other) => {
        fc.pre(own !== other);
        const moved = `${other}${generateOpaqueToken(own).slice(own.length)}`;

        expect(isWellFormedOpaqueToken(moved, other)).toBe(false);
        expect(isWellFormedOpaqueToken(moved, own)).toBe(false);
      }),
    );
  });

  it("rejects a token with a character dropped or added", () => {
    fc.assert(
      fc.property(prefix, base62Char, (own, char) => {
        const token = generateOpaqueToken(own);

        expect(isWellFormedOpaqueToken(token.slice(0, -1), own)).toBe(false);
        expect(isWellFormedOpaqueToken(`${token}${char}`, own)).toBe(false);
        expect(isWellFormedOpaqueToken(` ${token}`, own)).toBe(false);
      }),
    );
  });

  it("rejects arbitrary text", () => {
    fc.assert(
      fc.property(prefix, text, (own, value) => {
        expect(isWellFormedOpaqueToken(value, own)).toBe(false);
      }),
    );
  });
});

describe("hashSecret", () => {
  it("is SHA-256 in lowercase hex", () => {
    // FIPS 180-2, appendix B.1.
    expect(hashSecret("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("is 64 hex characters and deterministic", () => {
    fc.assert(
      fc.property(text, (secret) => {
        const hash = hashSecret(secret);
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
        expect(hashSecret(secret)).toBe(hash);
      }),
    );
  });

  it("differs for different secrets", () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        fc.pre(a !== b);
        expect(hashSecret(a)).not.toBe(hashSecret(b));
      }),
    );
  });
});

describe("constantTimeEqual", () => {
  it("is true for equal strings", () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(constantTimeEqual(value, `${value}`)).toBe(true);
      }),
    );
  });

  it("is false for different strings", () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        fc.pre(a !== b);
        expect(constantTimeEqual(a, b)).toBe(false);
      }),
    );
  });

  it("is false when one string is a prefix of the other", () => {
    fc.assert(
      fc.property(text, fc.string({ unit: "binary", minLength: 1 }), (head, tail) => {
        expect(constantTimeEqual(head, `${head}${tail}`)).toBe(false);
        expect(constantTimeEqual(`${head}${tail}`, head)).toBe(false);
      }),
    );
  });

  it("compares empty strings as equal", () => {
    expect(constantTimeEqual("", "")).toBe(true);
    expect(constantTimeEqual("", "a")).toBe(false);
  });
});
