import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTesseraError } from "../../core/errors.js";
import { joiToJsonSchema } from "./joi-json-schema.js";
import { OPERATIONS } from "./plugin.js";
import { Joi, validateBody } from "./validation.js";

/** True when the operations API's Joi validation (validation.ts) accepts `body`. */
function joiAccepts(schema: Joi.ObjectSchema, body: unknown): boolean {
  try {
    validateBody(schema, body);
    return true;
  } catch (error) {
    if (isTesseraError(error)) {
      return false;
    }
    throw error;
  }
}

/** Values a field may be sent with: right and wrong types, edges of the rules the operations use. */
const fieldValue = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constant(""),
  fc.constantFrom("a".repeat(64), "a".repeat(65), "a".repeat(1024), "a".repeat(1025)),
  fc.constantFrom("bell\u0007", "rlo\u202e", "ok name", "1h", "30"),
  fc.integer({ min: -5, max: 1005 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.boolean(), { maxKeys: 2 }),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
);

/** A body of any of `keys` (some, all or none) and an unknown field now and then. */
function bodyOf(keys: readonly string[]) {
  return fc.dictionary(fc.constantFrom(...keys, "unknown_field"), fieldValue, {
    maxKeys: keys.length + 1,
  });
}

describe("joiToJsonSchema", () => {
  const ajv = new Ajv2020({ allErrors: false });

  it.each([...OPERATIONS.values()].map((operation) => [operation.name, operation] as const))(
    "accepts exactly what Joi accepts for %s",
    (_, operation) => {
      const validate = ajv.compile(joiToJsonSchema(operation.body));
      const keys = Object.keys(operation.body.describe().keys ?? {});
      fc.assert(
        fc.property(bodyOf(keys), (body) => {
          expect(validate(body), JSON.stringify(body)).toBe(joiAccepts(operation.body, body));
        }),
        { numRuns: 400 },
      );
    },
  );

  it("writes required keys, lengths, patterns, integers and at-most-one-of", () => {
    const schema = Joi.object({
      name: Joi.string()
        .max(10)
        .pattern(/^[a-z]*$/u)
        .required()
        .description("A name"),
      note: Joi.string().allow(""),
      count: Joi.number().integer().min(1).max(9),
      a: Joi.boolean(),
      b: Joi.boolean(),
    }).oxor("a", "b");
    expect(joiToJsonSchema(schema)).toEqual({
      type: "object",
      properties: {
        name: {
          description: "A name",
          type: "string",
          maxLength: 10,
          minLength: 1,
          pattern: "^[a-z]*$",
        },
        note: { type: "string" },
        count: { type: "integer", minimum: 1, maximum: 9 },
        a: { type: "boolean" },
        b: { type: "boolean" },
      },
      required: ["name"],
      not: { anyOf: [{ properties: { a: {}, b: {} }, required: ["a", "b"] }] },
    });
  });

  it.each([
    ["a date", Joi.object({ at: Joi.date() }), "the type date at 'at'"],
    ["an email rule", Joi.object({ to: Joi.string().email() }), "the string rule email at 'to'"],
    ["a case-insensitive pattern", Joi.object({ x: Joi.string().pattern(/^a$/i) }), "/^a$/i"],
    ["allowed values", Joi.object({ x: Joi.string().valid("a", "b") }), "the flag only"],
    ["an xor", Joi.object({ a: Joi.string(), b: Joi.string() }).xor("a", "b"), "relation xor"],
    [
      "a conditional",
      Joi.object({ a: Joi.alternatives().conditional("b", { is: 1, otherwise: Joi.string() }) }),
      "a conditional alternative at 'a'",
    ],
  ])("refuses to describe %s rather than describe it wrong", (_, schema, message) => {
    expect(() => joiToJsonSchema(schema)).toThrow(message);
  });
});
