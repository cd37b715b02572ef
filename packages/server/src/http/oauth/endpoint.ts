import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { noStore } from "../no-store.js";
import type { RequestRateLimits } from "../rate-limit.js";
import { type EndpointName, endpointRoutes } from "./paths.js";
import { type OAuthTenant, oauthTenant } from "./tenant.js";

/** What every POST endpoint of the dialect is registered with. */
export interface EndpointOptions {
  readonly defaultTenant: string;
  readonly limits: RequestRateLimits;
}

/**
 * Registers one of the dialect's POST endpoints at both its routes (below
 * a tenant, and unprefixed for the default tenant). Every answer is
 * `no-store` (RFC 6749 §5.1; errors included, so the header is set before
 * anything can fail), and every request is counted against its address's
 * budget before anything else.
 *
 * @param operationId the tenant route's; the default tenant's adds `DefaultTenant`.
 */
export function registerEndpoint(
  app: FastifyInstance,
  ctx: CoreContext,
  options: EndpointOptions,
  endpoint: {
    readonly name: EndpointName;
    readonly operationId: string;
    readonly schema: FastifySchema & { readonly summary: string };
    handle(served: OAuthTenant, request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
  },
): void {
  const { defaultTenant, limits } = options;
  const routes = endpointRoutes(endpoint.name);
  const onRequest = async (request: FastifyRequest, reply: FastifyReply) => {
    noStore(reply);
    await limits.countIp(request, reply);
  };
  const schema = {
    tags: ["oauth"],
    consumes: ["application/x-www-form-urlencoded"],
    security: [{}, { ClientSecretBasic: [] }],
    ...endpoint.schema,
  };
  app.post<{ Params: { tenantId: string } }>(
    routes.tenant,
    {
      onRequest,
      schema: {
        ...schema,
        operationId: endpoint.operationId,
        params: {
          type: "object",
          properties: { tenantId: { type: "string" } },
          required: ["tenantId"],
        },
      },
    },
    async (request, reply) =>
      endpoint.handle(
        await oauthTenant(ctx, request.params.tenantId, defaultTenant),
        request,
        reply,
      ),
  );
  app.post(
    routes.default,
    {
      onRequest,
      schema: {
        ...schema,
        operationId: `${endpoint.operationId}DefaultTenant`,
        summary: `${endpoint.schema.summary}, for the default tenant`,
      },
    },
    async (request, reply) =>
      endpoint.handle(await oauthTenant(ctx, defaultTenant, defaultTenant), request, reply),
  );
}
