import type Joi from "joi";
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import type { CoreContext } from "../../core/context.js";
import type { TenantRecord } from "../../core/model/index.js";
import type { OperationsCaller } from "../../core/operation-tokens/caller.js";
import { isAdmin } from "../../core/permissions.js";
import { authenticateCaller, type Credentials } from "./authorization.js";
import { restrictedOperation } from "./errors.js";
import { validateBody } from "./validation.js";

/** What every operation is handed: the core, the served tenant, the raw request. */
export interface OperationRequest<B> {
  readonly ctx: CoreContext;
  readonly tenant: TenantRecord;
  readonly body: B;
  readonly credentials: Credentials;
  readonly ip: string;
}

/** An operation's request once its caller is authenticated. */
export interface CallerRequest<B> extends OperationRequest<B> {
  readonly caller: OperationsCaller;
}

/** A JSON Schema object (not `true`/`false`), as an operation's answer is described. */
export type ResponseSchema = Exclude<JSONSchema, boolean>;

declare const answerType: unique symbol;

/**
 * The schema of an operation's answer, carrying the type derived from it.
 * Built by {@link answer}; the factories below make the handler return
 * exactly that type, so the OpenAPI document and the code cannot disagree.
 */
export interface Answer<T> {
  readonly schema: ResponseSchema;
  /** Never set: it only carries `T` to the factories. */
  readonly [answerType]?: T;
}

/**
 * Declares an operation's answer by its JSON Schema, written beside the
 * operation (read `as const`), and derives the handler's return type from
 * it with `FromSchema`.
 *
 * @example
 * const response = answer({
 *   type: "object",
 *   properties: { message: { type: "string" } },
 *   required: ["message"],
 *   additionalProperties: false,
 * });
 */
export function answer<const S extends ResponseSchema>(schema: S): Answer<FromSchema<S>> {
  return { schema };
}

/**
 * One operation, ready for the dispatcher: its name, how to run it, and
 * what the OpenAPI document says of it (the Joi schema that validates its
 * body, and the schema of its answer).
 */
export interface Operation {
  readonly name: string;
  readonly body: Joi.ObjectSchema;
  readonly response: ResponseSchema;
  run(request: OperationRequest<unknown>): Promise<unknown>;
}

/**
 * An operation whose credentials may be in its body
 * (`create_authentication_tokens`: `username` and `password`), so its body
 * is validated first and the handler authenticates.
 */
export function selfAuthenticatingOperation<B, T>(
  name: string,
  schema: Joi.ObjectSchema<B>,
  response: Answer<T>,
  handle: (request: OperationRequest<B>) => Promise<NoInfer<T>>,
): Operation {
  return {
    name,
    body: schema,
    response: response.schema,
    run: (request) => handle({ ...request, body: validateBody(schema, request.body) }),
  };
}

/**
 * An operation that authenticates its caller in its own way, before its
 * body is validated, as HarperDB does: failed credentials are a 401
 * whatever the body holds. `authenticate` sees the body unvalidated; it may
 * look at which fields are present, never rely on what they hold.
 */
export function authenticatedOperation<A, B, T>(
  name: string,
  authenticate: (request: OperationRequest<unknown>) => Promise<A>,
  schema: Joi.ObjectSchema<B>,
  response: Answer<T>,
  handle: (request: OperationRequest<B> & { readonly authenticated: A }) => Promise<NoInfer<T>>,
): Operation {
  return {
    name,
    body: schema,
    response: response.schema,
    run: async (request) => {
      const authenticated = await authenticate(request);
      return handle({ ...request, authenticated, body: validateBody(schema, request.body) });
    },
  };
}

/**
 * An operation for an authenticated caller. Authentication comes first,
 * then, for `superUser` operations, the role check (with HarperDB's 403
 * naming its internal function), then the body.
 */
export function callerOperation<B, T>(
  name: string,
  access:
    | { readonly superUser: false }
    | { readonly superUser: true; readonly internalName: string },
  schema: Joi.ObjectSchema<B>,
  response: Answer<T>,
  handle: (request: CallerRequest<B>) => Promise<NoInfer<T>>,
): Operation {
  return authenticatedOperation(
    name,
    async (request) => {
      const caller = await authenticateCaller(request.ctx, request);
      if (access.superUser && !isAdmin(caller.user)) {
        throw restrictedOperation(access.internalName);
      }
      return caller;
    },
    schema,
    response,
    ({ authenticated, ...request }) => handle({ ...request, caller: authenticated }),
  );
}
