import type Joi from "joi";

/** A JSON Schema (2020-12) object, as {@link joiToJsonSchema} writes one. */
export type JsonSchemaObject = { readonly [keyword: string]: unknown };

/** The JSON Schema of an object: its fields, and which of them are required. */
export type ObjectJsonSchema = JsonSchemaObject & {
  readonly properties?: Readonly<Record<string, JsonSchemaObject>>;
  readonly required?: readonly string[];
};

/** A node of what Joi's `describe()` returns, read only where this converter needs it. */
interface Described {
  readonly type: string;
  readonly flags?: Readonly<Record<string, unknown>>;
  readonly rules?: readonly { readonly name: string; readonly args?: Record<string, unknown> }[];
  readonly allow?: readonly unknown[];
  readonly keys?: Readonly<Record<string, Described>>;
  readonly matches?: readonly { readonly schema?: Described }[];
  readonly dependencies?: readonly { readonly rel: string; readonly peers: readonly string[] }[];
}

/** What a described node may hold; `preferences` carries messages, which a document has no use for. */
const KNOWN_PARTS = new Set([
  "type",
  "flags",
  "rules",
  "allow",
  "keys",
  "matches",
  "dependencies",
  "preferences",
]);
/** `presence` says required; `unsafe` only widens a number past 2^53, which JSON numbers are anyway. */
const KNOWN_FLAGS = new Set(["presence", "description", "unsafe"]);

class UnsupportedJoi extends Error {
  constructor(path: string, what: string) {
    super(`joiToJsonSchema: ${what} at '${path || "(root)"}' has no JSON Schema here`);
    this.name = "UnsupportedJoi";
  }
}

function numberArg(node: Described, index: number, path: string): number {
  const limit = node.rules?.[index]?.args?.limit;
  if (typeof limit !== "number") {
    throw new UnsupportedJoi(path, `a ${node.rules?.[index]?.name} rule without a number`);
  }
  return limit;
}

/** `"/^[^a]*$/u"` as a JSON Schema pattern; flags other than `u` (which Ajv always uses) change meaning. */
function patternOf(regex: unknown, path: string): string {
  const text = String(regex);
  const end = text.lastIndexOf("/");
  const flags = text.slice(end + 1);
  if (!text.startsWith("/") || end <= 0 || !/^u?$/.test(flags)) {
    throw new UnsupportedJoi(path, `the pattern ${text}`);
  }
  return text.slice(1, end);
}

function stringSchema(node: Described, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = { type: "string" };
  for (const [index, rule] of (node.rules ?? []).entries()) {
    if (rule.name === "max") {
      out.maxLength = numberArg(node, index, path);
    } else if (rule.name === "min") {
      out.minLength = numberArg(node, index, path);
    } else if (rule.name === "pattern" && rule.args?.options === undefined) {
      out.pattern = patternOf(rule.args?.regex, path);
    } else {
      throw new UnsupportedJoi(path, `the string rule ${rule.name}`);
    }
  }
  // Joi counts UTF-16 code units where JSON Schema counts characters, so
  // `maxLength` is looser than Joi by the astral characters in a value.
  // Joi refuses an empty string unless it is allowed explicitly.
  if (!(node.allow ?? []).includes("") && out.minLength === undefined) {
    out.minLength = 1;
  }
  return out;
}

function numberSchema(node: Described, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = { type: "number" };
  for (const [index, rule] of (node.rules ?? []).entries()) {
    if (rule.name === "integer") {
      out.type = "integer";
    } else if (rule.name === "min") {
      out.minimum = numberArg(node, index, path);
    } else if (rule.name === "max") {
      out.maximum = numberArg(node, index, path);
    } else if (rule.name === "greater") {
      out.exclusiveMinimum = numberArg(node, index, path);
    } else if (rule.name === "less") {
      out.exclusiveMaximum = numberArg(node, index, path);
    } else {
      throw new UnsupportedJoi(path, `the number rule ${rule.name}`);
    }
  }
  return out;
}

/**
 * At most one of `peers` (oxor): no two of them together. Each pair names
 * its two fields as properties too (any value), so that a linter reading
 * the branch alone finds what it requires defined.
 */
function atMostOneOf(peers: readonly string[]): Record<string, unknown> {
  const pairs = peers.flatMap((first, i) =>
    peers.slice(i + 1).map((second) => ({
      properties: { [first]: {}, [second]: {} },
      required: [first, second],
    })),
  );
  return { not: { anyOf: pairs } };
}

function objectSchema(node: Described, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = { type: "object" };
  if (node.keys === undefined) {
    // A free-form object (a permission object): said outright, so that
    // generators type it as a map of anything, not as an empty object.
    out.additionalProperties = true;
  } else {
    const entries = Object.entries(node.keys);
    out.properties = Object.fromEntries(
      entries.map(([key, child]) => [key, convert(child, path === "" ? key : `${path}.${key}`)]),
    );
    const required = entries
      .filter(([, child]) => child.flags?.presence === "required")
      .map(([key]) => key);
    if (required.length > 0) {
      out.required = required;
    }
  }
  const relations = (node.dependencies ?? []).map((dependency) => {
    if (dependency.rel !== "oxor") {
      throw new UnsupportedJoi(path, `the object relation ${dependency.rel}`);
    }
    return atMostOneOf(dependency.peers);
  });
  if (relations.length === 1) {
    Object.assign(out, relations[0]);
  } else if (relations.length > 1) {
    out.allOf = relations;
  }
  // No `additionalProperties`: the operations API validates with
  // `allowUnknown` (validation.ts), so other fields are ignored, not refused.
  return out;
}

function convert(node: Described, path: string): JsonSchemaObject {
  for (const part of Object.keys(node)) {
    if (!KNOWN_PARTS.has(part)) {
      throw new UnsupportedJoi(path, `'${part}'`);
    }
  }
  for (const flag of Object.keys(node.flags ?? {})) {
    if (!KNOWN_FLAGS.has(flag)) {
      throw new UnsupportedJoi(path, `the flag ${flag}`);
    }
  }
  const presence = node.flags?.presence;
  if (presence !== undefined && presence !== "required" && presence !== "optional") {
    throw new UnsupportedJoi(path, `presence ${String(presence)}`);
  }
  const allowed = (node.allow ?? []).filter((value) => !(node.type === "string" && value === ""));
  if (allowed.length > 0) {
    throw new UnsupportedJoi(path, "allow()");
  }
  let out: Record<string, unknown>;
  if (node.type === "string") {
    out = stringSchema(node, path);
  } else if (node.type === "number") {
    out = numberSchema(node, path);
  } else if (node.type === "boolean" && node.rules === undefined) {
    out = { type: "boolean" };
  } else if (node.type === "object" && node.rules === undefined) {
    out = objectSchema(node, path);
  } else if (node.type === "alternatives" && node.rules === undefined) {
    out = {
      anyOf: (node.matches ?? []).map((match) => {
        if (match.schema === undefined) {
          throw new UnsupportedJoi(path, "a conditional alternative");
        }
        return convert(match.schema, path);
      }),
    };
  } else {
    throw new UnsupportedJoi(path, `the type ${node.type}`);
  }
  const description = node.flags?.description;
  return typeof description === "string" ? { description, ...out } : out;
}

/**
 * The JSON Schema of what a Joi schema accepts, under the operations API's
 * validation options (validation.ts: unknown keys allowed, no conversion),
 * read from Joi's own `describe()`. So the OpenAPI document is derived from
 * the schema that validates, not kept beside it. Only the Joi the operations
 * use is understood (strings, numbers, booleans, objects with `oxor`,
 * alternatives); anything else throws when the server starts, so a new rule
 * cannot be documented wrong by omission. Joi's wording of failures is Joi's
 * own and is not part of the result.
 *
 * @throws Error naming the path of the first part it cannot express.
 */
export function joiToJsonSchema(schema: Joi.ObjectSchema): ObjectJsonSchema {
  // An object schema converts to `objectSchema`'s shape: fields and required.
  return convert(schema.describe() as Described, "") as ObjectJsonSchema;
}
