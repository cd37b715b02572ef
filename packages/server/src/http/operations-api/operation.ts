import type Joi from "joi";
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

/** One operation, ready for the dispatcher: its name and how to run it. */
export interface Operation {
  readonly name: string;
  run(request: OperationRequest<unknown>): Promise<unknown>;
}

/**
 * An operation whose credentials may be in its body
 * (`create_authentication_tokens`: `username` and `password`), so its body
 * is validated first and the handler authenticates.
 */
export function selfAuthenticatingOperation<B>(
  name: string,
  schema: Joi.ObjectSchema<B>,
  handle: (request: OperationRequest<B>) => Promise<unknown>,
): Operation {
  return {
    name,
    run: (request) => handle({ ...request, body: validateBody(schema, request.body) }),
  };
}

/**
 * An operation that authenticates its caller in its own way, before its
 * body is validated, as HarperDB does: failed credentials are a 401
 * whatever the body holds. `authenticate` sees the body unvalidated; it may
 * look at which fields are present, never rely on what they hold.
 */
export function authenticatedOperation<A, B>(
  name: string,
  authenticate: (request: OperationRequest<unknown>) => Promise<A>,
  schema: Joi.ObjectSchema<B>,
  handle: (request: OperationRequest<B> & { readonly authenticated: A }) => Promise<unknown>,
): Operation {
  return {
    name,
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
export function callerOperation<B>(
  name: string,
  access:
    | { readonly superUser: false }
    | { readonly superUser: true; readonly internalName: string },
  schema: Joi.ObjectSchema<B>,
  handle: (request: CallerRequest<B>) => Promise<unknown>,
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
    ({ authenticated, ...request }) => handle({ ...request, caller: authenticated }),
  );
}
