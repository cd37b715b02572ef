import { cutToCodePoints, escapeText, UNSAFE_TO_DISPLAY } from "./escape-text.js";

/** How many characters of a caller's input a message quotes before cutting it short. */
export const ECHO_MAX_LENGTH = 64;

/**
 * Caller input made safe to quote in a message: at most `maxLength`
 * characters (code points, so no pair is split) followed by `…` when cut,
 * with every character that is not plainly printable
 * ({@link UNSAFE_TO_DISPLAY}) written as a visible escape (`\n`, `\x1b`,
 * `\u{202e}`; see {@link escapeText}). Input that is short and printable comes back
 * unchanged, so a message quoting it reads exactly as before.
 *
 * Every message that quotes what a client sent goes through this one
 * function: a client printing Tessera's error must not have its terminal
 * rewritten (`ESC[2K`), its line reordered (U+202E), or its screen filled.
 *
 * @example
 * echoInput("alice"); // "alice"
 * echoInput("\u001b[2Kroot"); // "\\x1b[2Kroot"
 * echoInput("x".repeat(100)); // 64 times "x", then "…"
 */
export function echoInput(value: string, maxLength: number = ECHO_MAX_LENGTH): string {
  const { kept, more } = cutToCodePoints(value, maxLength);
  return escapeText(more > 0 ? `${kept}…` : kept, UNSAFE_TO_DISPLAY);
}
