import type { FastifyInstance } from "fastify";
import type { CoreContext } from "../core/context.js";
import { TesseraError } from "../core/errors.js";
import { isTenantId, type TenantId } from "../core/ids.js";

const jwkSetResponse = {
  type: "object",
  required: ["keys"],
  properties: {
    keys: {
      type: "array",
      items: {
        type: "object",
        // Public members only: the serializer drops anything not listed, so a
        // private member could never leak through this route.
        properties: {
          kty: { type: "string" },
          kid: { type: "string" },
          alg: { type: "string" },
          use: { type: "string" },
          crv: { type: "string" },
          x: { type: "string" },
          y: { type: "string" },
          n: { type: "string" },
          e: { type: "string" },
        },
      },
    },
  },
} as const;

/**
 * JWKS (RFC 7517): `/.well-known/jwks.json` for the default tenant, and
 * `/tenants/{id}/.well-known/jwks.json` for any tenant, matching the per-tenant
 * issuer `<public url>/tenants/{id}`.
 */
export async function wellKnownRoutes(
  app: FastifyInstance,
  options: { ctx: CoreContext; defaultTenant: string },
): Promise<void> {
  const { ctx } = options;
  const serve = async (tenantId: TenantId) => {
    if ((await ctx.store.tenants.get(tenantId)) === undefined) {
      throw new TesseraError("not_found", "No such tenant");
    }
    return ctx.keyring.jwks(tenantId);
  };
  const schema = { response: { 200: jwkSetResponse } };
  app.get("/.well-known/jwks.json", { schema }, async (_request, reply) => {
    reply.header("cache-control", "public, max-age=300");
    return serve(options.defaultTenant as TenantId);
  });
  app.get<{ Params: { tenantId: string } }>(
    "/tenants/:tenantId/.well-known/jwks.json",
    { schema },
    async (request, reply) => {
      if (!isTenantId(request.params.tenantId)) {
        throw new TesseraError("not_found", "No such tenant");
      }
      reply.header("cache-control", "public, max-age=300");
      return serve(request.params.tenantId);
    },
  );
}

/**
 * `GET /healthz` (the process answers) and `GET /readyz` (the store answers
 * too; the body also says whether rate limits are shared through Redis or
 * degraded to this instance).
 */
export async function healthRoutes(
  app: FastifyInstance,
  options: { ctx: CoreContext },
): Promise<void> {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (request, reply) => {
    try {
      await options.ctx.store.ping();
      // A degraded cache still serves (limits hold per instance): ready, and said so.
      return { status: "ready", cache: options.ctx.cache.status() };
    } catch (error) {
      request.log.warn({ err: error }, "store not reachable");
      return reply.status(503).header("retry-after", "1").send({ status: "unavailable" });
    }
  });
}
