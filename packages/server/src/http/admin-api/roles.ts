import type { FastifyInstance } from "fastify";
import { checkMayGrant } from "../../core/authority.js";
import type { CoreContext } from "../../core/context.js";
import { TesseraError } from "../../core/errors.js";
import { isIdentifierInput } from "../../core/identifiers.js";
import type { TenantId } from "../../core/ids.js";
import type { JsonObject, RoleRecord } from "../../core/model/index.js";
import { validateRolePermission } from "../../core/role-permission.js";
import {
  addRole,
  dropRole,
  getRole,
  listRoles,
  permissionsOfRole,
  updateRole,
} from "../../core/roles.js";
import { documented } from "../openapi.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { ifMatch, withEntityTag } from "./etag.js";
import { tenantPath } from "./paths.js";
import { actorOf, adminCallerOf } from "./plugin-state.js";
import {
  adminAnswer,
  adminEmpty,
  adminProblems,
  ETAG_HEADER,
  ifMatchHeader,
  iso,
  LOCATION_HEADER,
  READ,
  resourceParams,
  TAGS,
  tenantParams,
  WRITE,
} from "./schemas/common.js";
import {
  type AdminCreateRoleRequest,
  type AdminRole,
  type AdminRoleQuery,
  type AdminUpdateRoleRequest,
  adminRoleQuery,
} from "./schemas/roles.js";

/** A role as the admin API shows it. */
function renderRole(role: RoleRecord): AdminRole {
  return {
    id: role.id,
    tenant_id: role.tenantId,
    name: role.name,
    permission: role.permission,
    permissions: [...role.permissions],
    created_at: iso(role.createdAt),
    updated_at: iso(role.updatedAt),
  };
}

interface TenantRoute {
  Params: { tenant: string };
}

interface RoleRoute {
  Params: { tenant: string; id: string };
}

/** `/tenants/{tenant}/roles`: create, list, read, update, delete. */
export function registerRoleRoutes(app: FastifyInstance, ctx: CoreContext): void {
  app.post<TenantRoute & { Body: AdminCreateRoleRequest }>(
    "/tenants/:tenant/roles",
    {
      schema: {
        operationId: "adminCreateRole",
        summary: "Create a role",
        tags: TAGS,
        security: WRITE,
        params: tenantParams,
        body: { $ref: "AdminCreateRoleRequest#" },
        response: {
          201: adminAnswer("The role", "AdminRole", { ...ETAG_HEADER, ...LOCATION_HEADER }),
          ...adminProblems(404, 409),
        },
      },
    },
    async (request, reply) => {
      const tenantId = request.params.tenant as TenantId;
      const permission = (request.body.permission ?? {}) as JsonObject;
      // HarperDB's shape, as the operations API and the CLI check it.
      validateRolePermission(permission);
      checkMayGrant(adminCallerOf(request).authority, permissionsOfRole(permission));
      const role = await addRole(ctx, {
        tenantId,
        name: request.body.name,
        permission,
        ...actorOf(request),
      });
      reply.code(201).header("location", `${tenantPath(tenantId)}/roles/${role.id}`);
      return withEntityTag(reply, renderRole(role));
    },
  );

  app.get<TenantRoute & { Querystring: AdminRoleQuery }>(
    "/tenants/:tenant/roles",
    {
      schema: {
        operationId: "adminListRoles",
        summary: "List roles by name, a page at a time",
        tags: TAGS,
        security: READ,
        params: tenantParams,
        querystring: adminRoleQuery,
        response: { 200: adminAnswer("A page of roles", "AdminRolePage"), ...adminProblems(404) },
      },
    },
    async (request) => {
      const { cursor, limit = 50 } = request.query;
      const after = decodeCursor(cursor, (p) =>
        typeof p.n === "string" && isIdentifierInput(p.n) ? p.n : undefined,
      );
      // A tenant has few roles: read them all, page in order of name.
      const roles = (await listRoles(ctx, request.params.tenant as TenantId)).filter(
        (role) => after === undefined || role.name > after,
      );
      const page = roles.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(renderRole),
        next: roles.length > limit && last !== undefined ? encodeCursor({ n: last.name }) : null,
      };
    },
  );

  app.get<RoleRoute>(
    "/tenants/:tenant/roles/:id",
    {
      schema: {
        operationId: "adminGetRole",
        summary: "Read a role",
        tags: TAGS,
        security: READ,
        params: resourceParams,
        response: { 200: adminAnswer("The role", "AdminRole", ETAG_HEADER), ...adminProblems(404) },
      },
    },
    async (request, reply) =>
      withEntityTag(
        reply,
        renderRole(await getRole(ctx, request.params.tenant as TenantId, request.params.id)),
      ),
  );

  app.patch<RoleRoute & { Body: AdminUpdateRoleRequest }>(
    "/tenants/:tenant/roles/:id",
    {
      schema: documented({
        operationId: "adminUpdateRole",
        summary:
          "Rename a role or replace its permission object (its members' grants change at once)",
        tags: TAGS,
        security: WRITE,
        params: resourceParams,
        documentedHeaders: ifMatchHeader,
        body: { $ref: "AdminUpdateRoleRequest#" },
        response: {
          200: adminAnswer("The role as changed", "AdminRole", ETAG_HEADER),
          ...adminProblems(404, 409, 412),
        },
      }),
    },
    async (request, reply) => {
      const tenantId = request.params.tenant as TenantId;
      const matches = ifMatch(request.headers["if-match"]);
      const caller = adminCallerOf(request);
      if (request.body.permission !== undefined) {
        validateRolePermission(request.body.permission as JsonObject);
        checkMayGrant(caller.authority, permissionsOfRole(request.body.permission as JsonObject));
      }
      const actor =
        caller.actorUserId === null
          ? undefined
          : await ctx.store.users.getById(caller.tenantId, caller.actorUserId);
      const role = await updateRole(ctx, {
        tenantId,
        id: request.params.id,
        ...(request.body.name === undefined ? {} : { name: request.body.name }),
        ...(request.body.permission === undefined
          ? {}
          : { permission: request.body.permission as JsonObject }),
        ...(actor === undefined ? {} : { actor }),
        ...(matches === undefined ? {} : { precondition: (r) => matches(renderRole(r)) }),
        ...actorOf(request),
      });
      return withEntityTag(reply, renderRole(role));
    },
  );

  app.delete<RoleRoute>(
    "/tenants/:tenant/roles/:id",
    {
      schema: {
        operationId: "adminDeleteRole",
        summary: "Delete a role no user holds (deleting one already gone succeeds)",
        tags: TAGS,
        security: WRITE,
        params: resourceParams,
        response: { 204: adminEmpty("The role is gone"), ...adminProblems(404, 409) },
      },
    },
    async (request, reply) => {
      await dropRole(ctx, {
        tenantId: request.params.tenant as TenantId,
        id: request.params.id,
        ...actorOf(request),
      }).catch((error: unknown) => {
        if (!(error instanceof TesseraError && error.code === "not_found")) {
          throw error;
        }
      });
      return reply.code(204).send();
    },
  );
}
