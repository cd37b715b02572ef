import Joi from "joi";
import { TesseraError } from "../../core/errors.js";

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
 * Validates an operation's body against its schema.
 *
 * @throws `invalid_request` with every violation, joined as Joi joins them.
 */
export function validateBody<T>(schema: Joi.ObjectSchema<T>, body: unknown): T {
  const { error, value } = schema.validate(body, OPTIONS);
  if (error !== undefined) {
    throw new TesseraError("invalid_request", error.message);
  }
  return value;
}

export { Joi };
