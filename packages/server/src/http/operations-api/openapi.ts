import type { FastifyInstance, FastifySchema } from "fastify";
import { joiToJsonSchema } from "./joi-json-schema.js";
import type { Operation } from "./operation.js";
import type { OPERATIONS_API_PATHS } from "./paths.js";

/** `create_authentication_tokens` → `CreateAuthenticationTokens`. */
function pascalCase(name: string): string {
  return name
    .split("_")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
}

/** The component naming an operation's body: `AddUserRequest`. */
export function requestComponentName(operation: string): string {
  return `${pascalCase(operation)}Request`;
}

/** The component naming an operation's answer: `AddUserResponse`. */
export function responseComponentName(operation: string): string {
  return `${pascalCase(operation)}Response`;
}

/** Every error body of the operations API (errors.ts): `{error}`, as HarperDB sends it. */
export const OPERATIONS_ERROR_COMPONENT = "OperationsError";

const operationsErrorSchema = {
  $id: OPERATIONS_ERROR_COMPONENT,
  type: "object",
  description: "HarperDB's error body",
  properties: {
    error: { type: "string", description: "What went wrong, in HarperDB's words" },
    unauthorized_access: {
      type: "array",
      items: { type: "string" },
      description: "403 for a role without the operation: which operation is restricted",
    },
    invalid_schema_items: { type: "array", items: { type: "string" } },
  },
  required: ["error"],
} as const;

const retryAfter = {
  "Retry-After": {
    type: "integer",
    minimum: 1,
    description: "Seconds to wait before trying again",
  },
} as const;

/**
 * Every error status the operations API answers, each with `{error}`
 * (`application/json`). 408 and 431 come from Node's parser before any
 * route runs (client-error.ts), in this dialect's shape all the same.
 */
const ERROR_ANSWERS: Readonly<
  Record<number, { readonly description: string; readonly headers?: typeof retryAfter }>
> = {
  400: {
    description:
      "No body, JSON that is not an object, no or an unknown `operation`, or a body the operation refuses (worded as HarperDB's Joi validation words it), or a malformed request",
  },
  401: {
    description:
      "Missing or failed credentials: `Must login`, `Login failed`, `invalid credentials`, `invalid token`, `token expired`. No WWW-Authenticate is sent, as HarperDB sends none",
  },
  403: {
    description:
      "The caller may not run the operation (a super user's operation, with `unauthorized_access`), may not act on another user, or sent an expired refresh token to refresh_operation_token",
  },
  404: { description: "The named user or role does not exist" },
  408: { description: "The request took too long to arrive" },
  409: { description: "The user or role already exists, or the role is still held by a user" },
  413: { description: "The body is over the server's limit (64 KiB by default)" },
  415: { description: "A body whose Content-Type is not application/json" },
  429: {
    description: "Too many failed logins for the username or address",
    headers: retryAfter,
  },
  431: { description: "The request headers are over 16 KiB" },
  500: { description: "An internal error; the message names the request id for the log" },
  503: {
    description:
      "The store is unavailable, or no signing key is ready; try again after Retry-After",
    headers: retryAfter,
  },
};

type OperationsApiPath = (typeof OPERATIONS_API_PATHS)[number];

/** Each path's OpenAPI operation id and summary. */
const ROUTES = {
  "/": {
    operationId: "runOperation",
    summary: "Run an operation (HarperDB's operations API, spec 002)",
  },
  "/operations": {
    operationId: "runOperationAtOperationsPath",
    summary: "Run an operation, at /operations for deployments mounted under a prefix",
  },
} as const satisfies Record<OperationsApiPath, object>;

const DESCRIPTION =
  "HarperDB's operations API: the body's `operation` names what to run. Callers authenticate with `Authorization: Basic` (username and password) or `Authorization: Bearer` (an operation token; refresh_operation_token takes its refresh token there); create_authentication_tokens with username and password in the body needs neither. Bodies are validated as HarperDB validates them (Joi), and every error is `{error}`.";

/** Every error status the route schema declares, for tests and readers. */
export const OPERATIONS_ERROR_STATUSES = Object.keys(ERROR_ANSWERS).map(Number);

/**
 * Registers the OpenAPI components of the operations API on `app`: one
 * request component per operation, derived from the Joi schema that
 * validates it (with `operation` as a `const`, which the body's
 * discriminator maps), one response component per operation (the schema
 * its handler's type is derived from), and `OperationsError`; and returns
 * each path's route schema. Routes keep validating with Joi, so the schema
 * describes and never validates (plugin.ts).
 */
export function operationsRouteSchemas(
  app: FastifyInstance,
  operations: ReadonlyMap<string, Operation>,
): Record<OperationsApiPath, FastifySchema> {
  app.addSchema(operationsErrorSchema);
  const requests: { $ref: string }[] = [];
  const responses: { $ref: string }[] = [];
  const mapping: Record<string, string> = {};
  for (const operation of operations.values()) {
    const request = joiToJsonSchema(operation.body);
    const name = requestComponentName(operation.name);
    app.addSchema({
      ...request,
      $id: name,
      properties: {
        operation: { const: operation.name },
        ...request.properties,
      },
      required: ["operation", ...(request.required ?? [])],
    });
    requests.push({ $ref: `${name}#` });
    mapping[operation.name] = `#/components/schemas/${name}`;
    const responseName = responseComponentName(operation.name);
    app.addSchema({ ...operation.response, $id: responseName });
    responses.push({ $ref: `${responseName}#` });
  }
  const errors = Object.fromEntries(
    Object.entries(ERROR_ANSWERS).map(([status, answer]) => [
      status,
      { ...answer, $ref: `${OPERATIONS_ERROR_COMPONENT}#` },
    ]),
  );
  const shared = {
    tags: ["operations"],
    description: DESCRIPTION,
    // HarperDB's two ways, and none for create_authentication_tokens with
    // username and password in the body.
    security: [{ OperationsBasic: [] }, { OperationToken: [] }, {}],
    body: {
      description: "One operation, named by `operation`",
      oneOf: requests,
      discriminator: { propertyName: "operation", mapping },
    },
    response: {
      200: {
        description:
          "The operation's answer, by the request's `operation`. Several operations answer alike (`{message}`, a role, a list that may be empty), so the answer matches any of these, not one only",
        anyOf: responses,
      },
      ...errors,
    },
  };
  return {
    "/": { ...shared, ...ROUTES["/"] },
    "/operations": { ...shared, ...ROUTES["/operations"] },
  };
}
