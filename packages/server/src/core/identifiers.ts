import { TesseraError } from "./errors.js";

/**
 * What an identifier, a name or an audience may hold, for every dialect,
 * the CLI and the core. Three rules, from loosest to strictest:
 *
 * - **Identifier input** (any username, role, id, audience or name a caller
 *   sends, lookups included): at most {@link MAX_IDENTIFIER_INPUT_LENGTH}
 *   UTF-16 code units and none of the characters that are never valid
 *   ({@link NEVER_VALID_CHARACTERS}). Nothing else is refused, so a name
 *   stored under an older, looser rule can still be named.
 * - **Names** (role, client, token and API key names, audiences): visible
 *   text, no outer spaces ({@link checkName}).
 * - **Usernames**: a profile stricter than RFC 8265's
 *   UsernameCasePreserved ({@link checkUsername}).
 *
 * docs/identifiers.md states the rules for users of every API.
 */

/**
 * The longest identifier, name or audience any API accepts as input, the
 * session API's username limit from the start. The core's own limits on
 * what may be created are shorter.
 */
export const MAX_IDENTIFIER_INPUT_LENGTH = 1024;

/**
 * One character that is never valid in any identifier, name or audience:
 *
 * - control characters (general category Cc): C0 (U+0000-U+001F, with NUL,
 *   which PostgreSQL cannot store, and the line breaks and ESC that forge or
 *   erase lines in a log or a terminal), DEL and C1 (U+007F-U+009F);
 * - the Unicode bidirectional controls (UAX #9 §2: ALM U+061C, LRM U+200E,
 *   RLM U+200F, the embeddings and overrides U+202A-U+202E, the isolates
 *   U+2066-U+2069), which make text display as other text;
 * - the line and paragraph separators U+2028 and U+2029, line breaks to
 *   some log readers;
 * - lone surrogates, which are not text at all.
 */
export const NEVER_VALID_CHARACTERS =
  "\\p{Cc}\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\u2028\\u2029\\p{Cs}";

const NEVER_VALID = new RegExp(`[${NEVER_VALID_CHARACTERS}]`, "u");

/** The end of the sentence refusing a {@link NEVER_VALID_CHARACTERS} character. */
export const HOLDS_NEVER_VALID =
  "must not hold control characters, bidirectional controls or line separators";

/**
 * A JSON Schema `pattern` (ECMA-262 syntax, compiled with the `u` flag) that
 * a string matches when it holds no {@link NEVER_VALID_CHARACTERS}: what
 * every wire schema puts on its identifier fields.
 */
export const IDENTIFIER_INPUT_PATTERN = `^[^${NEVER_VALID_CHARACTERS}]*$`;

/** The same test as a regular expression, for validators that take one (Joi). */
export const IDENTIFIER_INPUT = new RegExp(IDENTIFIER_INPUT_PATTERN, "u");

/**
 * True when `value` may be looked up: within {@link MAX_IDENTIFIER_INPUT_LENGTH}
 * and free of {@link NEVER_VALID_CHARACTERS}. A value that is not can match
 * nothing stored, so a caller may answer "no such thing" without asking the
 * store.
 */
export function isIdentifierInput(value: string): boolean {
  return value.length <= MAX_IDENTIFIER_INPUT_LENGTH && !NEVER_VALID.test(value);
}

/**
 * Checks that a username sent to log in is at most
 * {@link MAX_IDENTIFIER_INPUT_LENGTH} characters, as the wire schemas check
 * a username field; `Authorization: Basic` credentials have no schema.
 *
 * @throws `invalid_request`.
 */
export function checkUsernameLength(username: string): void {
  if (username.length > MAX_IDENTIFIER_INPUT_LENGTH) {
    throw new TesseraError(
      "invalid_request",
      `A username must be at most ${MAX_IDENTIFIER_INPUT_LENGTH} characters`,
    );
  }
}

/**
 * Checks an identifier a caller sent before it is used to look anything up.
 *
 * @param what how the message names the field, e.g. "A username".
 * @throws `invalid_request` when {@link isIdentifierInput} is false.
 */
export function checkIdentifierInput(value: string, what: string): void {
  if (value.length > MAX_IDENTIFIER_INPUT_LENGTH) {
    throw new TesseraError(
      "invalid_request",
      `${what} must be at most ${MAX_IDENTIFIER_INPUT_LENGTH} characters`,
    );
  }
  if (NEVER_VALID.test(value)) {
    throw new TesseraError("invalid_request", `${what} ${HOLDS_NEVER_VALID}`);
  }
}

/** Invisible characters a new name may not hold: every format character (Cf) besides the above. */
const INVISIBLE = new RegExp(`[${NEVER_VALID_CHARACTERS}\\p{Cf}]`, "u");

/**
 * Why `value` is not a valid new name (a role, client, token or API key
 * name, an audience, a tenant's display name), or undefined when it is: 1
 * to `max` characters of visible text, without outer spaces, so that two
 * names that look alike are alike.
 *
 * @param what how the message names the field, e.g. "A role name".
 */
export function nameProblem(value: string, what: string, max: number): string | undefined {
  if (value.length === 0 || value.length > max) {
    return `${what} must be 1-${max} characters`;
  }
  if (INVISIBLE.test(value) || value.trim() !== value) {
    return `${what} must be visible text without outer spaces: no control, format or bidirectional characters`;
  }
  return undefined;
}

/**
 * Checks a new name (see {@link nameProblem}).
 *
 * @throws `invalid_request`.
 */
export function checkName(value: string, what: string, max: number): void {
  const problem = nameProblem(value, what, max);
  if (problem !== undefined) {
    throw new TesseraError("invalid_request", problem);
  }
}

/** The longest username that may be created, in code points. */
export const MAX_USERNAME_LENGTH = 128;

/**
 * One character a new username may hold: RFC 8264's LetterDigits (general
 * categories Ll, Lu, Lo, Lm, Nd, Mn, Mc) and the ASCII punctuation of an
 * unquoted e-mail address (RFC 5322 §3.2.3 atext, with `.` and `@`).
 */
const USERNAME_CHARACTER = /^[\p{Ll}\p{Lu}\p{Lo}\p{Lm}\p{Nd}\p{Mn}\p{Mc}!#$%&'*+\-/=?^_`{|}~.@]$/u;
const MARK = /^\p{M}$/u;

/** The ASCII punctuation a username may hold, for messages and docs. */
export const USERNAME_PUNCTUATION = "! # $ % & ' * + - / = ? ^ _ ` { | } ~ . @";

/**
 * Checks a new username against Tessera's username profile, a stricter
 * form of RFC 8265 §3.3 (UsernameCasePreserved):
 *
 * - 1 to {@link MAX_USERNAME_LENGTH} code points;
 * - already in NFKC, so there is no second spelling of the same name
 *   (RFC 8265 maps full-width letters and normalises; Tessera refuses
 *   instead, since usernames match exactly and are never rewritten);
 * - letters, digits and combining marks of any script, and
 *   {@link USERNAME_PUNCTUATION}: no spaces, no symbols, no control, format
 *   or bidirectional characters, and no `:`, which `Basic` credentials
 *   cannot carry (RFC 7617 §2);
 * - not starting with a combining mark.
 *
 * Only new names are checked: a stored username from before this rule is
 * still looked up as it is (see {@link checkIdentifierInput}).
 *
 * @throws `invalid_request` saying which part of the rule failed.
 */
export function checkUsername(username: string): void {
  const codePoints = [...username];
  if (codePoints.length === 0 || codePoints.length > MAX_USERNAME_LENGTH) {
    throw new TesseraError("invalid_request", `A username is 1-${MAX_USERNAME_LENGTH} characters`);
  }
  if (!codePoints.every((c) => USERNAME_CHARACTER.test(c)) || MARK.test(codePoints[0] ?? "")) {
    throw new TesseraError(
      "invalid_request",
      `A username may hold only letters, digits, combining marks and ${USERNAME_PUNCTUATION}, and may not start with a combining mark`,
    );
  }
  if (username.normalize("NFKC") !== username) {
    throw new TesseraError(
      "invalid_request",
      "A username must be in Unicode normalization form NFKC (no full-width or other compatibility characters)",
    );
  }
}
