import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ECHO_MAX_LENGTH, echoInput } from "./echo.js";

const INVISIBLE = /(?! )[\p{C}\p{Z}]/u;
/** Any code points, lone surrogates included (fast-check's "binary" unit is far slower). */
const anyCodePoints = fc
  .array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 100 })
  .map((points) => String.fromCodePoint(...points));

describe("echoInput", () => {
  it.each([
    ["alice", "alice"],
    ["Zoë Ångström 山田", "Zoë Ångström 山田"],
    ["a b", "a b"],
    ["", ""],
  ])("leaves short printable input as it is (%j)", (input, expected) => {
    expect(echoInput(input)).toBe(expected);
  });

  it.each([
    ["C0 and ESC", "a\u0000b\u001b[2K\nc\r\t", "a\\x00b\\x1b[2K\\nc\\r\\t"],
    ["DEL and C1", "\u007f\u0085\u009b", "\\x7f\\x85\\x9b"],
    [
      "bidi overrides and isolates",
      "\u202eabc\u202c\u2066\u2069\u200f",
      "\\u{202e}abc\\u{202c}\\u{2066}\\u{2069}\\u{200f}",
    ],
    ["zero-width and BOM", "a\u200bb\u200dc\ufeff", "a\\u{200b}b\\u{200d}c\\u{feff}"],
    ["line and paragraph separators", "a\u2028b\u2029", "a\\u{2028}b\\u{2029}"],
    ["spaces other than the plain one", "a\u00a0b\u3000c", "a\\xa0b\\u{3000}c"],
    ["a lone surrogate", "a\ud800b", "a\\u{d800}b"],
    ["a tag character past the BMP", "a\u{e0041}", "a\\u{e0041}"],
  ])("escapes %s visibly", (_, input, expected) => {
    expect(echoInput(input)).toBe(expected);
  });

  it("keeps printable characters past the BMP whole", () => {
    expect(echoInput("🔑 key")).toBe("🔑 key");
  });

  it("cuts at 64 characters with an ellipsis, counting code points", () => {
    expect(echoInput("x".repeat(64))).toBe("x".repeat(64));
    expect(echoInput("x".repeat(65))).toBe(`${"x".repeat(64)}…`);
    expect(echoInput("🔑".repeat(70))).toBe(`${"🔑".repeat(64)}…`);
    expect(echoInput("abcdef", 3)).toBe("abc…");
  });

  it("cuts before it escapes, so the cut never splits an escape", () => {
    expect(echoInput(`${"x".repeat(63)}\u001b\u001b`)).toBe(`${"x".repeat(63)}\\x1b…`);
  });

  it("never returns anything invisible, and never more than the limit's worth of input", () => {
    fc.assert(
      fc.property(anyCodePoints, (input) => {
        const echoed = echoInput(input);
        const unescaped = echoed.replace(/\\u\{[0-9a-f]+\}|\\u[0-9a-f]{4}/g, "?");
        return (
          !INVISIBLE.test(echoed) && [...unescaped.replace(/…$/, "")].length <= ECHO_MAX_LENGTH
        );
      }),
    );
  });
});
