import type { FastifyInstance } from "fastify";
import { pageClients } from "../../core/clients/client-pages.js";
import { createClient, findClient } from "../../core/clients/clients.js";
import { updateClient } from "../../core/clients/update-client.js";
import type { CoreContext } from "../../core/context.js";
import { isIdentifierInput } from "../../core/identifiers.js";
import type { TenantId } from "../../core/ids.js";
import { documented } from "../openapi.js";
import { registerApiKeyRoutes } from "./api-keys.js";
import { registerAutomationTokenRoutes } from "./automation-tokens.js";
import { registerClientCredentialRoutes } from "./clients-credentials.js";
import { type ClientRoute, clientPath, publicKeyText, renderClient } from "./clients-render.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { entityTag, ifMatch, withEntityTag } from "./etag.js";
import { actorOf, adminCallerOf } from "./plugin-state.js";
import type {
  AdminClientQuery,
  AdminCreateClientRequest,
  AdminCreatedClient,
  AdminUpdateClientRequest,
  AdminUpdatedClient,
} from "./schemas/clients.js";
import { adminClientQuery } from "./schemas/clients.js";
import {
  adminAnswer,
  adminProblems,
  ETAG_HEADER,
  ifMatchHeader,
  LOCATION_HEADER,
  READ,
  resourceParams,
  TAGS,
  tenantParams,
  WRITE,
} from "./schemas/common.js";

interface TenantRoute {
  Params: { tenant: string };
}

/**
 * `/tenants/{tenant}/clients`: create, list, read, update (and so
 * disable); the routes of their credentials
 * ({@link registerClientCredentialRoutes}); and of what clients hold:
 * API keys ({@link registerApiKeyRoutes}) and the token API's tokens
 * ({@link registerAutomationTokenRoutes}).
 */
export function registerClientRoutes(app: FastifyInstance, ctx: CoreContext): void {
  registerClientCredentialRoutes(app, ctx);
  registerApiKeyRoutes(app, ctx);
  registerAutomationTokenRoutes(app, ctx);
  app.post<TenantRoute & { Body: AdminCreateClientRequest }>(
    "/tenants/:tenant/clients",
    {
      schema: {
        operationId: "adminCreateClient",
        summary: "Register a client; its secret and OTP enrolment URI are shown this once",
        tags: TAGS,
        security: WRITE,
        params: tenantParams,
        body: { $ref: "AdminCreateClientRequest#" },
        response: {
          201: adminAnswer("The client, with its secrets shown once", "AdminCreatedClient", {
            ...ETAG_HEADER,
            ...LOCATION_HEADER,
          }),
          ...adminProblems(404, 409),
        },
      },
    },
    async (request, reply): Promise<AdminCreatedClient> => {
      const tenantId = request.params.tenant as TenantId;
      const body = request.body;
      const created = await createClient(ctx, {
        tenantId,
        name: body.name,
        ...(body.id === undefined ? {} : { id: body.id }),
        ...(body.grant_types === undefined ? {} : { grantTypes: body.grant_types }),
        ...(body.token_endpoint_auth_method === undefined
          ? {}
          : { tokenEndpointAuthMethod: body.token_endpoint_auth_method }),
        scopes: body.scopes ?? [],
        audiences: body.audiences ?? [],
        otp: body.otp === true,
        publicKeys: (body.public_keys ?? []).map(publicKeyText),
        ...(body.max_token_ttl_days === undefined
          ? {}
          : { maxTokenTtlDays: body.max_token_ttl_days }),
        authority: adminCallerOf(request).authority,
        ...actorOf(request),
      });
      const shown = renderClient(created.client);
      reply
        .code(201)
        .header("location", clientPath(tenantId, created.client.id))
        .header("etag", entityTag(shown));
      return {
        ...shown,
        ...(created.clientSecret === null ? {} : { client_secret: created.clientSecret }),
        ...(created.otpauthUri === undefined ? {} : { otpauth_uri: created.otpauthUri }),
      };
    },
  );

  app.get<TenantRoute & { Querystring: AdminClientQuery }>(
    "/tenants/:tenant/clients",
    {
      schema: {
        operationId: "adminListClients",
        summary: "List clients by name, a page at a time (those of API keys included)",
        tags: TAGS,
        security: READ,
        params: tenantParams,
        querystring: adminClientQuery,
        response: {
          200: adminAnswer("A page of clients", "AdminClientPage"),
          ...adminProblems(404),
        },
      },
    },
    async (request) => {
      const { cursor, limit = 50 } = request.query;
      const after = decodeCursor(cursor, (p) =>
        typeof p.n === "string" && isIdentifierInput(p.n) ? p.n : undefined,
      );
      const page = await pageClients(ctx, request.params.tenant as TenantId, {
        limit,
        ...(after === undefined ? {} : { after }),
      });
      return {
        items: page.clients.map(renderClient),
        next: page.nextAfter === undefined ? null : encodeCursor({ n: page.nextAfter }),
      };
    },
  );

  app.get<ClientRoute>(
    "/tenants/:tenant/clients/:id",
    {
      schema: {
        operationId: "adminGetClient",
        summary: "Read a client by id or name (never its secret)",
        tags: TAGS,
        security: READ,
        params: resourceParams,
        response: {
          200: adminAnswer("The client", "AdminClient", ETAG_HEADER),
          ...adminProblems(404),
        },
      },
    },
    async (request, reply) => {
      const { tenant, id } = request.params;
      return withEntityTag(reply, renderClient(await findClient(ctx, tenant as TenantId, id)));
    },
  );

  app.patch<ClientRoute & { Body: AdminUpdateClientRequest }>(
    "/tenants/:tenant/clients/:id",
    {
      schema: documented({
        operationId: "adminUpdateClient",
        summary: "Rename a client, change its grants, auth method, scopes or audiences, disable it",
        description:
          "Clients are never deleted (their tokens and audit trail name them): disable one with `enabled: false`.",
        tags: TAGS,
        security: WRITE,
        params: resourceParams,
        documentedHeaders: ifMatchHeader,
        body: { $ref: "AdminUpdateClientRequest#" },
        response: {
          200: adminAnswer("The client as changed", "AdminUpdatedClient", ETAG_HEADER),
          ...adminProblems(404, 409, 412),
        },
      }),
    },
    async (request, reply): Promise<AdminUpdatedClient> => {
      const { tenant, id } = request.params;
      const body = request.body;
      const matches = ifMatch(request.headers["if-match"]);
      const updated = await updateClient(ctx, {
        tenantId: tenant as TenantId,
        client: id,
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.grant_types === undefined ? {} : { grantTypes: body.grant_types }),
        ...(body.token_endpoint_auth_method === undefined
          ? {}
          : { tokenEndpointAuthMethod: body.token_endpoint_auth_method }),
        ...(body.scopes === undefined ? {} : { scopes: body.scopes }),
        ...(body.audiences === undefined ? {} : { audiences: body.audiences }),
        ...(body.max_token_ttl_days === undefined
          ? {}
          : { maxTokenTtlDays: body.max_token_ttl_days }),
        ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
        ...(matches === undefined ? {} : { precondition: (c) => matches(renderClient(c)) }),
        authority: adminCallerOf(request).authority,
        ...actorOf(request),
      });
      const shown = renderClient(updated.client);
      reply.header("etag", entityTag(shown));
      return {
        ...shown,
        ...(updated.clientSecret === undefined ? {} : { client_secret: updated.clientSecret }),
      };
    },
  );
}
