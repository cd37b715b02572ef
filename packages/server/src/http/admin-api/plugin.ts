import { Ajv } from "ajv";
import type { FastifyInstance, FastifySchemaCompiler } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { TesseraError } from "../../core/errors.js";
import type { TenantId } from "../../core/ids.js";
import { getTenant } from "../../core/tenants.js";
import { problemErrorHandler } from "../problems.js";
import { registerAuditRoutes } from "./audit.js";
import { authenticateAdmin, authorizeAdmin } from "./caller.js";
import { registerClientRoutes } from "./clients.js";
import { registerMeRoute } from "./me.js";
import { registerRoleRoutes } from "./roles.js";
import { registerSessionRoutes } from "./sessions.js";
import { registerKeyAndMaintenanceRoutes } from "./signing-keys.js";
import { registerTenantRoutes } from "./tenants.js";
import { registerUserRoutes } from "./users.js";

/** Methods that only read. */
const READ_METHODS = new Set(["GET", "HEAD"]);

/**
 * Query strings are text (`?limit=20`): they are read as their documented
 * types; bodies and paths are validated as the rest of the app validates
 * them, without coercion. Both know every named schema of the app.
 */
function validatorCompiler(app: FastifyInstance): FastifySchemaCompiler<object> {
  const options = { allErrors: false, removeAdditional: false, useDefaults: true } as const;
  const strict = new Ajv({ ...options, coerceTypes: false });
  const coercing = new Ajv({ ...options, coerceTypes: true });
  for (const schema of Object.values(app.getSchemas())) {
    strict.addSchema(schema as object);
    coercing.addSchema(schema as object);
  }
  return ({ schema, httpPart }) =>
    (httpPart === "querystring" ? coercing : strict).compile(schema as object);
}

/**
 * The admin API (`/admin/v1`): everything an operator does, over HTTP, for
 * the CLI's remote mode and the console. Every request is authenticated
 * first (a Bearer access token with admin access: see
 * {@link authenticateAdmin}), before its body is read or validated, so
 * without a token every path, known or not, answers 401. A caller acts on
 * its own tenant only, unless it is an admin of the platform tenant. Every
 * error is an RFC 9457 problem.
 */
export async function adminApi(
  app: FastifyInstance,
  options: {
    readonly ctx: CoreContext;
    readonly platformTenant: string;
    /** What `/maintenance/purge` keeps unless told otherwise. */
    readonly purgeRetentionDays: number;
  },
): Promise<void> {
  const { ctx } = options;
  app.decorateRequest("adminCaller", null);
  app.setErrorHandler(problemErrorHandler);
  app.setValidatorCompiler(validatorCompiler(app));
  app.addHook("onRequest", async (request, reply) => {
    reply.header("cache-control", "no-store");
    const caller = await authenticateAdmin(
      ctx,
      request.headers.authorization,
      options.platformTenant as TenantId,
    );
    request.adminCaller = caller;
    const params = request.params as { readonly tenant?: unknown } | undefined;
    const tenant = typeof params?.tenant === "string" ? params.tenant : undefined;
    authorizeAdmin(caller, tenant, !READ_METHODS.has(request.method));
    if (tenant !== undefined) {
      await getTenant(ctx, tenant as TenantId);
    }
  });
  // A request without a body (an empty one included: see body-parsers.ts)
  // validates as an empty object: the routes whose body is optional take it.
  app.addHook("preValidation", async (request) => {
    if (request.body === undefined || request.body === null) {
      request.body = {};
    }
  });
  registerMeRoute(app, ctx);
  registerTenantRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerRoleRoutes(app, ctx);
  registerSessionRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
  registerKeyAndMaintenanceRoutes(app, ctx, {
    platformTenant: options.platformTenant as TenantId,
    purgeRetentionDays: options.purgeRetentionDays,
  });
  registerClientRoutes(app, ctx);
  // After the hook above: an unknown path answers 401 to a caller without a token.
  app.setNotFoundHandler(async () => {
    throw new TesseraError("not_found", "No such admin API resource");
  });
}
