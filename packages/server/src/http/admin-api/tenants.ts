import type { FastifyInstance } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { TesseraError } from "../../core/errors.js";
import { isIdentifierInput } from "../../core/identifiers.js";
import type { TenantId } from "../../core/ids.js";
import type { TenantRecord } from "../../core/model/index.js";
import type { TenantPatch } from "../../core/ports/index.js";
import { createTenant, getTenant, updateTenant } from "../../core/tenants.js";
import { tenantIssuer } from "../../core/tokens/issuer.js";
import { documented } from "../openapi.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { ifMatch, withEntityTag } from "./etag.js";
import { tenantPath } from "./paths.js";
import { actorOf, adminCallerOf } from "./plugin-state.js";
import {
  adminAnswer,
  adminProblems,
  ETAG_HEADER,
  ifMatchHeader,
  iso,
  LOCATION_HEADER,
  READ,
  TAGS,
  tenantParams,
  WRITE,
} from "./schemas/common.js";
import {
  type AdminCreateTenantRequest,
  type AdminTenant,
  type AdminTenantQuery,
  type AdminUpdateTenantRequest,
  adminTenantQuery,
} from "./schemas/tenants.js";

/** A tenant as the admin API shows it. */
function renderTenant(ctx: CoreContext, tenant: TenantRecord): AdminTenant {
  return {
    id: tenant.id,
    display_name: tenant.displayName,
    access_token_ttl_seconds: tenant.accessTokenTtlSeconds,
    id_token_ttl_seconds: tenant.idTokenTtlSeconds,
    refresh_token_ttl_seconds: tenant.refreshTokenTtlSeconds,
    refresh_policy: tenant.refreshPolicy,
    refresh_grace_seconds: tenant.refreshGraceSeconds,
    signing_algorithm: tenant.signingAlgorithm,
    operation_token_ttl_seconds: tenant.operationTokenTtlSeconds,
    oauth_password_grant: tenant.oauthPasswordGrant,
    signing_key_rotation_days: tenant.signingKeyRotationDays,
    issuer: tenantIssuer(ctx, tenant.id),
    created_at: iso(tenant.createdAt),
    updated_at: iso(tenant.updatedAt),
  };
}

/** The core's patch of the wire's settings: only the fields sent. */
function patchOf(body: AdminUpdateTenantRequest): TenantPatch {
  const patch = {
    displayName: body.display_name,
    accessTokenTtlSeconds: body.access_token_ttl_seconds,
    idTokenTtlSeconds: body.id_token_ttl_seconds,
    refreshTokenTtlSeconds: body.refresh_token_ttl_seconds,
    refreshPolicy: body.refresh_policy,
    refreshGraceSeconds: body.refresh_grace_seconds,
    signingAlgorithm: body.signing_algorithm,
    operationTokenTtlSeconds: body.operation_token_ttl_seconds,
    oauthPasswordGrant: body.oauth_password_grant,
    signingKeyRotationDays: body.signing_key_rotation_days,
  };
  return Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined),
  ) as TenantPatch;
}

/** `/tenants`: list the tenants the caller manages, create one (platform admins), read and change one. */
export function registerTenantRoutes(app: FastifyInstance, ctx: CoreContext): void {
  app.get<{ Querystring: AdminTenantQuery }>(
    "/tenants",
    {
      schema: {
        operationId: "adminListTenants",
        summary: "List the tenants the caller manages (every tenant for a platform admin)",
        tags: TAGS,
        security: READ,
        querystring: adminTenantQuery,
        response: { 200: adminAnswer("A page of tenants", "AdminTenantPage"), ...adminProblems() },
      },
    },
    async (request) => {
      const caller = adminCallerOf(request);
      const { cursor, limit = 50 } = request.query;
      const after = decodeCursor(cursor, (p) =>
        typeof p.t === "string" && isIdentifierInput(p.t) ? p.t : undefined,
      );
      const visible = caller.platform
        ? await ctx.store.tenants.list()
        : [await getTenant(ctx, caller.tenantId)];
      const tenants = visible
        .filter((tenant) => after === undefined || tenant.id > after)
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      const page = tenants.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((tenant) => renderTenant(ctx, tenant)),
        next: tenants.length > limit && last !== undefined ? encodeCursor({ t: last.id }) : null,
      };
    },
  );

  app.post<{ Body: AdminCreateTenantRequest }>(
    "/tenants",
    {
      schema: {
        operationId: "adminCreateTenant",
        summary: "Create a tenant with its signing keys (platform admins only)",
        tags: TAGS,
        security: WRITE,
        body: { $ref: "AdminCreateTenantRequest#" },
        response: {
          201: adminAnswer("The tenant", "AdminTenant", { ...ETAG_HEADER, ...LOCATION_HEADER }),
          ...adminProblems(409),
        },
      },
    },
    async (request, reply) => {
      if (!adminCallerOf(request).platform) {
        throw new TesseraError("forbidden", "Only an admin of the platform tenant creates tenants");
      }
      const { id, ...settings } = request.body;
      const tenant = await createTenant(ctx, { id, ...patchOf(settings), ...actorOf(request) });
      reply.code(201).header("location", tenantPath(tenant.id));
      return withEntityTag(reply, renderTenant(ctx, tenant));
    },
  );

  app.get<{ Params: { tenant: string } }>(
    "/tenants/:tenant",
    {
      schema: {
        operationId: "adminGetTenant",
        summary: "Read a tenant's settings",
        tags: TAGS,
        security: READ,
        params: tenantParams,
        response: {
          200: adminAnswer("The tenant", "AdminTenant", ETAG_HEADER),
          ...adminProblems(404),
        },
      },
    },
    async (request, reply) =>
      withEntityTag(
        reply,
        renderTenant(ctx, await getTenant(ctx, request.params.tenant as TenantId)),
      ),
  );

  app.patch<{ Params: { tenant: string }; Body: AdminUpdateTenantRequest }>(
    "/tenants/:tenant",
    {
      schema: documented({
        operationId: "adminUpdateTenant",
        summary: "Change a tenant's settings",
        tags: TAGS,
        security: WRITE,
        params: tenantParams,
        documentedHeaders: ifMatchHeader,
        body: { $ref: "AdminUpdateTenantRequest#" },
        response: {
          200: adminAnswer("The tenant as changed", "AdminTenant", ETAG_HEADER),
          ...adminProblems(404, 412),
        },
      }),
    },
    async (request, reply) => {
      const matches = ifMatch(request.headers["if-match"]);
      const tenant = await updateTenant(
        ctx,
        request.params.tenant as TenantId,
        patchOf(request.body),
        {
          ...(matches === undefined
            ? {}
            : { precondition: (t: TenantRecord) => matches(renderTenant(ctx, t)) }),
          ...actorOf(request),
        },
      );
      return withEntityTag(reply, renderTenant(ctx, tenant));
    },
  );
}
