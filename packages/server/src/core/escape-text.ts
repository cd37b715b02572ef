import { NEVER_VALID_CHARACTERS } from "./identifiers.js";

/** Characters that are never valid in an identifier ({@link NEVER_VALID_CHARACTERS}). */
export const NEVER_VALID_TEXT = new RegExp(`[${NEVER_VALID_CHARACTERS}]`, "gu");

/**
 * Characters a terminal, a log viewer or a text renderer acts on or hides
 * rather than prints: the never-valid ones (controls, bidirectional
 * controls, line separators, lone surrogates), every other format character
 * (zero-width spaces and joiners, the soft hyphen, the byte order mark,
 * tags), private-use and unassigned code points, and every space but the
 * plain one. What Tessera shows of a value it did not write (the CLI's
 * output, an error message quoting a caller) escapes these.
 */
export const UNSAFE_TO_DISPLAY = /(?! )[\p{C}\p{Z}]/gu;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** `\n`, `\r`, `\t`, `\xhh` below U+0100, `\u{hhhh}` above. */
function escapeOne(character: string): string {
  const short = SHORT_ESCAPES[character];
  if (short !== undefined) {
    return short;
  }
  const code = character.codePointAt(0) ?? 0;
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u{${code.toString(16).padStart(4, "0")}}`;
}

/**
 * Replaces every character `which` matches (a global, `u` regular
 * expression such as {@link UNSAFE_TO_DISPLAY}) with a visible escape, so
 * the text stays on one line and shows what it holds.
 *
 * @example
 * escapeText("alice\n2001-01-01 login.succeeded", UNSAFE_TO_DISPLAY)
 * // "alice\\n2001-01-01 login.succeeded"
 */
export function escapeText(text: string, which: RegExp): string {
  return text.replace(which, escapeOne);
}

/**
 * `value` cut to its first `max` code points (never splitting a surrogate
 * pair), and how many code points were left out: what every bounded quote
 * of caller input (an error message, an audit row) starts from.
 */
export function cutToCodePoints(value: string, max: number): { kept: string; more: number } {
  // UTF-16 length bounds the code point count: most input needs no walk.
  if (value.length <= max) {
    return { kept: value, more: 0 };
  }
  const codePoints = [...value];
  if (codePoints.length <= max) {
    return { kept: value, more: 0 };
  }
  return { kept: codePoints.slice(0, max).join(""), more: codePoints.length - max };
}
