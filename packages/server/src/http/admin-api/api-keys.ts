import type { FastifyInstance } from "fastify";
import { createApiKey, getApiKey, pageApiKeys, revokeApiKey } from "../../core/api-keys.js";
import type { CoreContext } from "../../core/context.js";
import { isIdentifierInput } from "../../core/identifiers.js";
import type { ApiKeyId, TenantId } from "../../core/ids.js";
import type { ApiKeyRecord } from "../../core/model/index.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { tenantPath } from "./paths.js";
import { actorOf, adminCallerOf } from "./plugin-state.js";
import type {
  AdminApiKey,
  AdminApiKeyQuery,
  AdminCreateApiKeyRequest,
  AdminCreatedApiKey,
} from "./schemas/api-keys.js";
import { adminApiKeyQuery } from "./schemas/api-keys.js";
import {
  adminAnswer,
  adminEmpty,
  adminProblems,
  iso,
  isoOrNull,
  LOCATION_HEADER,
  READ,
  resourceParams,
  TAGS,
  tenantParams,
  WRITE,
} from "./schemas/common.js";

/** An API key as the admin API shows it: never the key or its hash. */
export function renderApiKey(key: ApiKeyRecord): AdminApiKey {
  return {
    id: key.id,
    tenant_id: key.tenantId,
    client_id: key.clientId,
    name: key.name,
    prefix: key.keyPrefix,
    created_at: iso(key.createdAt),
    last_used_at: isoOrNull(key.lastUsedAt),
    revoked_at: isoOrNull(key.revokedAt),
  };
}

interface TenantRoute {
  Params: { tenant: string };
}

interface KeyRoute {
  Params: { tenant: string; id: string };
}

/** `/tenants/{tenant}/api-keys`: create (the key shown once), list, read, revoke. */
export function registerApiKeyRoutes(app: FastifyInstance, ctx: CoreContext): void {
  app.post<TenantRoute & { Body: AdminCreateApiKeyRequest }>(
    "/tenants/:tenant/api-keys",
    {
      schema: {
        operationId: "adminCreateApiKey",
        summary: "Create an API key for a client; the key is shown this once",
        tags: TAGS,
        security: WRITE,
        params: tenantParams,
        body: { $ref: "AdminCreateApiKeyRequest#" },
        response: {
          201: adminAnswer("The key, shown once", "AdminCreatedApiKey", LOCATION_HEADER),
          ...adminProblems(404, 409),
        },
      },
    },
    async (request, reply): Promise<AdminCreatedApiKey> => {
      const tenantId = request.params.tenant as TenantId;
      const { name, client_id } = request.body;
      const created = await createApiKey(ctx, {
        tenantId,
        ...(name === undefined ? {} : { name }),
        ...(client_id === undefined ? {} : { client: client_id }),
        authority: adminCallerOf(request).authority,
        ...actorOf(request),
      });
      reply.code(201).header("location", `${tenantPath(tenantId)}/api-keys/${created.record.id}`);
      return {
        ...renderApiKey(created.record),
        key: created.key,
        client_name: created.client.name,
        client_created: created.clientCreated,
      };
    },
  );

  app.get<TenantRoute & { Querystring: AdminApiKeyQuery }>(
    "/tenants/:tenant/api-keys",
    {
      schema: {
        operationId: "adminListApiKeys",
        summary: "List API keys, oldest first, a page at a time (revoked ones included)",
        tags: TAGS,
        security: READ,
        params: tenantParams,
        querystring: adminApiKeyQuery,
        response: {
          200: adminAnswer("A page of API keys", "AdminApiKeyPage"),
          ...adminProblems(404),
        },
      },
    },
    async (request) => {
      const { cursor, limit = 50, client_id } = request.query;
      const after = decodeCursor(cursor, (p) =>
        typeof p.c === "number" &&
        Number.isSafeInteger(p.c) &&
        typeof p.i === "string" &&
        isIdentifierInput(p.i)
          ? { createdAt: p.c, id: p.i as ApiKeyId }
          : undefined,
      );
      const page = await pageApiKeys(ctx, request.params.tenant as TenantId, {
        limit,
        ...(client_id === undefined ? {} : { client: client_id }),
        ...(after === undefined ? {} : { after }),
      });
      return {
        items: page.keys.map(renderApiKey),
        next:
          page.next === undefined
            ? null
            : encodeCursor({ c: page.next.createdAt, i: page.next.id }),
      };
    },
  );

  app.get<KeyRoute>(
    "/tenants/:tenant/api-keys/:id",
    {
      schema: {
        operationId: "adminGetApiKey",
        summary: "Read an API key (never the key)",
        tags: TAGS,
        security: READ,
        params: resourceParams,
        response: { 200: adminAnswer("The key", "AdminApiKey"), ...adminProblems(404) },
      },
    },
    async (request) => {
      const { tenant, id } = request.params;
      return renderApiKey(await getApiKey(ctx, tenant as TenantId, id));
    },
  );

  app.delete<KeyRoute>(
    "/tenants/:tenant/api-keys/:id",
    {
      schema: {
        operationId: "adminRevokeApiKey",
        summary: "Revoke an API key at once (revoking one already revoked succeeds)",
        description: "404 only for an id the tenant never had.",
        tags: TAGS,
        security: WRITE,
        params: resourceParams,
        response: { 204: adminEmpty("The key is revoked"), ...adminProblems(404) },
      },
    },
    async (request, reply) => {
      const { tenant, id } = request.params;
      await revokeApiKey(ctx, tenant as TenantId, id as ApiKeyId, {
        ...actorOf(request),
        authority: adminCallerOf(request).authority,
      });
      return reply.code(204).send();
    },
  );
}
