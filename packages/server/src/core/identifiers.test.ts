import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTesseraError } from "./errors.js";
import {
  checkIdentifierInput,
  checkName,
  checkUsername,
  IDENTIFIER_INPUT,
  isIdentifierInput,
  MAX_IDENTIFIER_INPUT_LENGTH,
} from "./identifiers.js";

/** Every character that may never be part of an identifier. */
const NEVER_VALID = [
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)),
  ...Array.from({ length: 0x21 }, (_, i) => String.fromCharCode(0x7f + i)),
  "\u061c",
  "\u200e",
  "\u200f",
  "\u202a",
  "\u202b",
  "\u202c",
  "\u202d",
  "\u202e",
  "\u2066",
  "\u2067",
  "\u2068",
  "\u2069",
  "\u2028",
  "\u2029",
  "\ud800",
  "\udfff",
];

function refusal(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (!isTesseraError(error)) {
      throw error;
    }
    expect(error.code).toBe("invalid_request");
    return error.message;
  }
}

describe("identifier input", () => {
  it("refuses every control, bidirectional control, line separator and lone surrogate, anywhere", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.constantFrom(...NEVER_VALID),
        fc.string({ maxLength: 20 }),
        (before, bad, after) => {
          const value = `${before}${bad}${after}`;
          expect(isIdentifierInput(value)).toBe(false);
          expect(IDENTIFIER_INPUT.test(value)).toBe(false);
          expect(refusal(() => checkIdentifierInput(value, "A username"))).toMatch(
            /^A username must not hold control characters/,
          );
        },
      ),
    );
  });

  it("accepts names stored under older rules: spaces, symbols, any script", () => {
    for (const value of [
      "HDB_ADMIN",
      "Jane Doe",
      " padded ",
      "ünïcödé",
      "用户",
      "a:b",
      "😀",
      "x",
    ]) {
      expect(isIdentifierInput(value)).toBe(true);
      expect(IDENTIFIER_INPUT.test(value)).toBe(true);
    }
  });

  it(`refuses more than ${MAX_IDENTIFIER_INPUT_LENGTH} characters`, () => {
    expect(isIdentifierInput("a".repeat(MAX_IDENTIFIER_INPUT_LENGTH))).toBe(true);
    expect(isIdentifierInput("a".repeat(MAX_IDENTIFIER_INPUT_LENGTH + 1))).toBe(false);
    expect(
      refusal(() => checkIdentifierInput("a".repeat(MAX_IDENTIFIER_INPUT_LENGTH + 1), "An id")),
    ).toBe(`An id must be at most ${MAX_IDENTIFIER_INPUT_LENGTH} characters`);
  });
});

describe("usernames", () => {
  it.each([
    "alice",
    "HDB_ADMIN",
    "cluster_user",
    "bob@example.com",
    "first.last+tag@example.org",
    "o'brien",
    "deploy-bot",
    "José",
    "Ωμέγα",
    "用户",
    "पत्र",
    "a",
    "x".repeat(128),
  ])("accepts %j", (username) => {
    expect(refusal(() => checkUsername(username))).toBeUndefined();
  });

  it.each([
    ["empty", ""],
    ["too long", "x".repeat(129)],
    ["a space", "Jane Doe"],
    ["a colon, which Basic credentials cannot carry", "a:b"],
    ["a symbol", "a☃b"],
    ["an emoji", "😀"],
    ["full-width letters", "ＡＤＭＩＮ"],
    ["a decomposed accent (NFD)", "Jose\u0301"],
    ["a leading combining mark", "\u0301a"],
    ["a zero-width space", "ad\u200bmin"],
    ["a soft hyphen", "ad\u00admin"],
    ["a right-to-left override", "ad\u202emin"],
    ["a NUL", "ad\u0000min"],
    ["a C1 control", "ad\u0085min"],
    ["a line feed", "admin\n"],
  ])("refuses %s", (_label, username) => {
    expect(refusal(() => checkUsername(username))).toMatch(/^A username /);
  });

  it("counts code points, not UTF-16 units", () => {
    expect(refusal(() => checkUsername("𠀀".repeat(128)))).toBeUndefined();
  });
});

describe("names", () => {
  it("accepts visible text with inner spaces", () => {
    expect(refusal(() => checkName("Release bot ✓", "A name", 100))).toBeUndefined();
  });

  it.each([
    ["empty", ""],
    ["too long", "x".repeat(101)],
    ["outer spaces", " name "],
    ["a format character", "na\u200bme"],
    ["a bidirectional override", "na\u202eme"],
    ["a control character", "na\u001bme"],
  ])("refuses %s", (_label, name) => {
    expect(refusal(() => checkName(name, "A name", 100))).toMatch(/^A name must be/);
  });
});
