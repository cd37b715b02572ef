import { NEVER_VALID_CHARACTERS } from "./identifiers.js";

/** Characters that are never valid in an identifier ({@link NEVER_VALID_CHARACTERS}). */
export const NEVER_VALID_TEXT = new RegExp(`[${NEVER_VALID_CHARACTERS}]`, "gu");

/**
 * Characters a terminal or a log reader acts on or hides: the never-valid
 * ones and every other format character (general category Cf: zero-width
 * spaces and joiners, the soft hyphen, the byte order mark, tags).
 */
export const UNSAFE_TO_DISPLAY = new RegExp(`[${NEVER_VALID_CHARACTERS}\\p{Cf}]`, "gu");

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
