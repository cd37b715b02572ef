import { describe, expect, it } from "vitest";
import { isTesseraError } from "../../core/errors.js";
import { Joi, validateBody } from "./validation.js";

const HOSTILE = `\u001b[2K\u202e${"v".repeat(200)}`;

function messageOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    if (isTesseraError(error)) {
      return error.message;
    }
    throw error;
  }
  throw new Error("no error");
}

describe("validateBody", () => {
  it("words violations as Joi does, with HarperDB's quotes, joined with '. '", () => {
    const schema = Joi.object({ username: Joi.string().required(), active: Joi.boolean() });
    expect(messageOf(() => validateBody(schema, { active: "yes" }))).toBe(
      "'username' is required. 'active' must be a boolean",
    );
  });

  it("quotes a value a message names through echoInput", () => {
    const schema = Joi.object({ name: Joi.string().pattern(/^[a-z]+$/) });
    const message = messageOf(() => validateBody(schema, { name: HOSTILE }));
    expect(message).toBe(
      `'name' with value '\\x1b[2K\\u{202e}${"v".repeat(59)}…' fails to match the required pattern: /^[a-z]+$/`,
    );
  });

  it("quotes a key the caller chose through echoInput", () => {
    const schema = Joi.object({ permission: Joi.object().pattern(Joi.string(), Joi.boolean()) });
    const message = messageOf(() => validateBody(schema, { permission: { [HOSTILE]: "no" } }));
    expect(message).toBe(`'permission.\\x1b[2K\\u{202e}${"v".repeat(48)}…' must be a boolean`);
  });
});
