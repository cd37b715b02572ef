import Joi from "joi";
import { echoInput } from "../../core/echo.js";
import { TesseraError } from "../../core/errors.js";
import {
  HOLDS_NEVER_VALID,
  IDENTIFIER_INPUT,
  MAX_IDENTIFIER_INPUT_LENGTH,
} from "../../core/identifiers.js";

/**
 * HarperDB validates operations with Joi and these options, which word
 * failures as `'username' must be a string` and report all of them at once.
 * Unlike HarperDB, Tessera does not convert types: `"true"` is not a
 * boolean and `"5"` is not a number.
 */
const OPTIONS: Joi.ValidationOptions = {
  allowUnknown: true,
  abortEarly: false,
  convert: false,
  errors: { wrap: { label: "'" } },
};

/**
 * Joi's message for one violation, with what came from the caller quoted
 * through {@link echoInput}: a template may name the value (`with value
 * "…" fails to match`) and the label is the path of keys, which below a
 * free-form object are the caller's own. Joi has no hook to escape what it
 * interpolates, so each such string is replaced where it appears; the
 * template's own words are never touched (echoInput leaves them as they are).
 */
export function describeViolation(detail: Joi.ValidationErrorItem): string {
  const context = detail.context ?? {};
  const echoed = [context.value, context.label, context.key]
    .filter((text): text is string => typeof text === "string" && echoInput(text) !== text)
    .sort((a, b) => b.length - a.length);
  return echoed.reduce(
    (message, text) => message.replaceAll(text, echoInput(text)),
    detail.message,
  );
}

/**
 * Validates an operation's body against its schema.
 *
 * @throws `invalid_request` with every violation, joined as Joi joins them.
 */
export function validateBody<T>(schema: Joi.ObjectSchema<T>, body: unknown): T {
  const { error, value } = schema.validate(body, OPTIONS);
  if (error !== undefined) {
    throw new TesseraError("invalid_request", error.details.map(describeViolation).join(". "));
  }
  return value;
}

/**
 * A username, role name or id, as every operation takes one: a string of
 * at most {@link MAX_IDENTIFIER_INPUT_LENGTH} characters without control or
 * bidirectional characters, refused in HarperDB's words
 * (`'username' must not hold control characters, …`).
 */
export function identifier(): Joi.StringSchema {
  return Joi.string()
    .max(MAX_IDENTIFIER_INPUT_LENGTH)
    .pattern(IDENTIFIER_INPUT)
    .messages({ "string.pattern.base": `{{#label}} ${HOLDS_NEVER_VALID}` });
}

/**
 * A username sent to log in: only bounded, since a username no user can
 * have must fail as a wrong one does (401, in the core), not as a 400.
 */
export function loginUsername(): Joi.StringSchema {
  return Joi.string().max(MAX_IDENTIFIER_INPUT_LENGTH);
}

/** A password: longer than the core's limit, so the core words that refusal. */
export function password(): Joi.StringSchema {
  return Joi.string().max(4096);
}

/** An operation or refresh token: a JWT, as long as the session API takes one. */
export function token(): Joi.StringSchema {
  return Joi.string().max(16_384);
}

export { Joi };
