import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  boundAuditDetail,
  boundAuditString,
  MAX_AUDIT_DETAIL_LENGTH,
  MAX_AUDIT_STRING_LENGTH,
} from "./audit-detail.js";

describe("boundAuditString", () => {
  it("keeps a short string as it is", () => {
    expect(boundAuditString("alice")).toBe("alice");
    expect(boundAuditString("x".repeat(MAX_AUDIT_STRING_LENGTH))).toBe(
      "x".repeat(MAX_AUDIT_STRING_LENGTH),
    );
  });

  it("cuts a long string at 256 code points and says how much was left out", () => {
    expect(boundAuditString("😀".repeat(300))).toBe(`${"😀".repeat(256)}…[44 more characters]`);
    expect(boundAuditString("u".repeat(56_000))).toBe(`${"u".repeat(256)}…[55744 more characters]`);
  });

  it("escapes control and bidirectional characters, so no stored value breaks a line", () => {
    expect(boundAuditString("a\nb\rc\u001b[2Kd\u0000e\u0085f\u202eg")).toBe(
      "a\\nb\\rc\\x1b[2Kd\\x00e\\x85f\\u{202e}g",
    );
  });

  it("never returns a control or bidirectional character, whatever it is given", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (value) => {
        expect(boundAuditString(value)).not.toMatch(
          /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\p{Cs}]/u,
        );
      }),
    );
  });
});

describe("boundAuditDetail", () => {
  it("keeps numbers, booleans and nulls, and bounds strings", () => {
    expect(boundAuditDetail({ username: "x".repeat(300), count: 3, ok: true, role: null })).toEqual(
      {
        username: `${"x".repeat(256)}…[44 more characters]`,
        count: 3,
        ok: true,
        role: null,
      },
    );
  });

  it(`keeps the whole detail within ${MAX_AUDIT_DETAIL_LENGTH} characters of JSON, marking what it dropped`, () => {
    const detail = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`field${i}`, "\u0000".repeat(300)]),
    );
    const bounded = boundAuditDetail(detail);
    expect(JSON.stringify(bounded).length).toBeLessThanOrEqual(MAX_AUDIT_DETAIL_LENGTH);
    expect(bounded.truncated).toBe(true);
    expect(bounded.field0).toBe(`${"\\x00".repeat(256)}…[44 more characters]`);
  });
});
