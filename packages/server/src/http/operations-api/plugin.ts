import type { FastifyInstance, FastifyRequest } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { echoInput } from "../../core/echo.js";
import { TesseraError } from "../../core/errors.js";
import type { TenantId } from "../../core/ids.js";
import { getTenant } from "../../core/tenants.js";
import { noStore } from "../no-store.js";
import { authenticateCaller, parseAuthorization } from "./authorization.js";
import { OperationsApiError, operationsApiErrorHandler } from "./errors.js";
import { operationsRouteSchemas } from "./openapi.js";
import type { Operation } from "./operation.js";
import { addRole } from "./operations/add-role.js";
import { addUser } from "./operations/add-user.js";
import { alterRole } from "./operations/alter-role.js";
import { alterUser } from "./operations/alter-user.js";
import { createAuthenticationTokens } from "./operations/create-authentication-tokens.js";
import { dropRole } from "./operations/drop-role.js";
import { dropUser } from "./operations/drop-user.js";
import { listRoles } from "./operations/list-roles.js";
import { listSessions } from "./operations/list-sessions.js";
import { listUsers } from "./operations/list-users.js";
import { refreshOperationToken } from "./operations/refresh-operation-token.js";
import { revokeAuthenticationTokens } from "./operations/revoke-authentication-tokens.js";
import { userInfo } from "./operations/user-info.js";
import { OPERATIONS_API_PATHS } from "./paths.js";

/** Every operation served, by name. */
export const OPERATIONS: ReadonlyMap<string, Operation> = new Map(
  [
    createAuthenticationTokens,
    refreshOperationToken,
    revokeAuthenticationTokens,
    listSessions,
    userInfo,
    listUsers,
    addUser,
    alterUser,
    dropUser,
    listRoles,
    addRole,
    alterRole,
    dropRole,
  ].map((operation) => [operation.name, operation]),
);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The operations API (spec 002): `POST /` with `{"operation": ...}`, also at
 * `POST /operations` for deployments that mount Tessera under a prefix.
 * Serves one tenant; every error is `{error}` as HarperDB sends it.
 */
export async function operationsApi(
  app: FastifyInstance,
  options: { readonly ctx: CoreContext; readonly tenantId: string },
): Promise<void> {
  const { ctx } = options;
  const tenantId = options.tenantId as TenantId;
  app.setErrorHandler(operationsApiErrorHandler);
  // The route schema describes the API for `/openapi.json` and does nothing
  // else: bodies are validated by each operation's Joi schema, in HarperDB's
  // words, and answers are written as JSON.stringify writes them (a
  // schema-built serializer would drop what the schema does not name).
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const schemas = operationsRouteSchemas(app, OPERATIONS);

  const dispatch = async (request: FastifyRequest) => {
    const body = request.body;
    // An empty body is no body, whatever its Content-Type (body-parsers.ts).
    if (body === undefined) {
      throw new TesseraError("invalid_request", "The request body is empty");
    }
    if (!isPlainObject(body)) {
      throw new OperationsApiError(400, { error: "Invalid JSON." });
    }
    if (body.operation === undefined || body.operation === null) {
      throw new TesseraError(
        "invalid_request",
        "Request body must include an 'operation' property.",
      );
    }
    if (typeof body.operation !== "string") {
      throw new TesseraError("invalid_request", "'operation' must be a string");
    }
    const tenant = await getTenant(ctx, tenantId);
    const authorization = request.headers.authorization;
    const operationRequest = {
      ctx,
      tenant,
      body,
      credentials: parseAuthorization(authorization),
      ip: request.ip,
    };
    const operation = OPERATIONS.get(body.operation);
    if (operation === undefined) {
      // As in HarperDB, an unknown operation is reported to callers only.
      await authenticateCaller(ctx, operationRequest);
      throw new TesseraError(
        "invalid_request",
        `Operation '${echoInput(body.operation)}' not found`,
      );
    }
    return operation.run(operationRequest);
  };

  for (const path of OPERATIONS_API_PATHS) {
    app.post(path, { schema: schemas[path] }, async (request, reply) => {
      noStore(reply);
      return dispatch(request);
    });
  }
}
