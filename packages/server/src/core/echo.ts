/** How many characters of a caller's input a message quotes before cutting it short. */
export const ECHO_MAX_LENGTH = 64;

/**
 * What a terminal, a log viewer or a text renderer would act on rather than
 * print: controls (C0, DEL, C1), format characters (the bidirectional
 * overrides and isolates, zero-width characters), line and paragraph
 * separators, surrogates without their pair, private-use and unassigned
 * code points, and every space but the plain one.
 */
const NOT_PRINTABLE = /(?! )[\p{C}\p{Z}]/gu;

/**
 * Caller input made safe to quote in a message: at most `maxLength`
 * characters (code points, so no pair is split) followed by `…` when cut,
 * with every character that is not plainly printable written as `\uXXXX`
 * (`\u{XXXXX}` past the BMP). Input that is short and printable comes back
 * unchanged, so a message quoting it reads exactly as before.
 *
 * Every message that quotes what a client sent goes through this one
 * function: a client printing Tessera's error must not have its terminal
 * rewritten (`ESC[2K`), its line reordered (U+202E), or its screen filled.
 *
 * @example
 * echoInput("alice"); // "alice"
 * echoInput("\u001b[2Kroot"); // "\\u001b[2Kroot"
 * echoInput("x".repeat(100)); // 64 times "x", then "…"
 */
export function echoInput(value: string, maxLength: number = ECHO_MAX_LENGTH): string {
  // UTF-16 length bounds the code point count: most input needs no walk.
  let kept = value.length <= maxLength ? value : "";
  let count = 0;
  for (const char of kept === value ? "" : value) {
    if (count === maxLength) {
      kept += "…";
      break;
    }
    kept += char;
    count += 1;
  }
  return kept.replace(NOT_PRINTABLE, escapeCodePoint);
}

function escapeCodePoint(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = code.toString(16).padStart(4, "0");
  return code > 0xffff ? `\\u{${hex}}` : `\\u${hex}`;
}
