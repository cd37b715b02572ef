import type { FastifyInstance } from "fastify";
import { checkMayGrant, checkMayManage } from "../../core/authority.js";
import type { CoreContext } from "../../core/context.js";
import { isIdentifierInput } from "../../core/identifiers.js";
import type { RoleId, TenantId, UserId } from "../../core/ids.js";
import type { UserRecord } from "../../core/model/index.js";
import { grantedPermissions } from "../../core/permissions.js";
import { getRole } from "../../core/roles.js";
import { getUserById, updateUser } from "../../core/update-user.js";
import { pageUsers } from "../../core/user-pages.js";
import { addUser, deleteUser, setUserPassword } from "../../core/users.js";
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
import type {
  AdminCreateUserRequest,
  AdminPasswordRequest,
  AdminUpdateUserRequest,
  AdminUser,
  AdminUserQuery,
} from "./schemas/users.js";
import { adminUserQuery } from "./schemas/users.js";

/** A user as the admin API shows it: never its password hash. */
export function renderUser(user: UserRecord): AdminUser {
  return {
    id: user.id,
    tenant_id: user.tenantId,
    username: user.username,
    status: user.status,
    permissions: [...user.permissions],
    role_id: user.roleId,
    effective_permissions: [...grantedPermissions(user)].sort(),
    created_at: iso(user.createdAt),
    updated_at: iso(user.updatedAt),
  };
}

interface TenantRoute {
  Params: { tenant: string };
}

interface UserRoute {
  Params: { tenant: string; id: string };
}

/** `/tenants/{tenant}/users`: create, list, read, update, set a password, delete. */
export function registerUserRoutes(app: FastifyInstance, ctx: CoreContext): void {
  app.post<TenantRoute & { Body: AdminCreateUserRequest }>(
    "/tenants/:tenant/users",
    {
      schema: {
        operationId: "adminCreateUser",
        summary: "Create a user",
        tags: TAGS,
        security: WRITE,
        params: tenantParams,
        body: { $ref: "AdminCreateUserRequest#" },
        response: {
          201: adminAnswer("The user", "AdminUser", { ...ETAG_HEADER, ...LOCATION_HEADER }),
          ...adminProblems(404, 409),
        },
      },
    },
    async (request, reply) => {
      const tenantId = request.params.tenant as TenantId;
      const body = request.body;
      const role =
        body.role_id === undefined ? undefined : await getRole(ctx, tenantId, body.role_id);
      checkMayGrant(adminCallerOf(request).authority, [
        ...(body.permissions ?? []),
        ...(role?.permissions ?? []),
      ]);
      const user = await addUser(ctx, {
        tenantId,
        username: body.username,
        password: body.password,
        permissions: body.permissions ?? [],
        ...(body.role_id === undefined ? {} : { roleId: body.role_id as RoleId }),
        enabled: body.enabled ?? true,
        ...actorOf(request),
      });
      reply.code(201).header("location", `${tenantPath(tenantId)}/users/${user.id}`);
      return withEntityTag(reply, renderUser(user));
    },
  );

  app.get<TenantRoute & { Querystring: AdminUserQuery }>(
    "/tenants/:tenant/users",
    {
      schema: {
        operationId: "adminListUsers",
        summary: "List users by username, a page at a time",
        tags: TAGS,
        security: READ,
        params: tenantParams,
        querystring: adminUserQuery,
        response: { 200: adminAnswer("A page of users", "AdminUserPage"), ...adminProblems(404) },
      },
    },
    async (request) => {
      const { search, username, cursor, limit = 50 } = request.query;
      if (username !== undefined) {
        // Exactly one user or none: what a tool that knows a username looks up.
        const user = await ctx.store.users.getByUsername(
          request.params.tenant as TenantId,
          username,
        );
        return { items: user === undefined ? [] : [renderUser(user)], next: null };
      }
      const after = decodeCursor(cursor, (p) =>
        typeof p.u === "string" && isIdentifierInput(p.u) ? p.u : undefined,
      );
      const page = await pageUsers(ctx, request.params.tenant as TenantId, {
        limit,
        ...(search === undefined ? {} : { search }),
        ...(after === undefined ? {} : { after }),
      });
      return {
        items: page.users.map(renderUser),
        next: page.nextAfter === undefined ? null : encodeCursor({ u: page.nextAfter }),
      };
    },
  );

  app.get<UserRoute>(
    "/tenants/:tenant/users/:id",
    {
      schema: {
        operationId: "adminGetUser",
        summary: "Read a user",
        tags: TAGS,
        security: READ,
        params: resourceParams,
        response: { 200: adminAnswer("The user", "AdminUser", ETAG_HEADER), ...adminProblems(404) },
      },
    },
    async (request, reply) => {
      const { tenant, id } = request.params;
      return withEntityTag(
        reply,
        renderUser(await getUserById(ctx, tenant as TenantId, id as UserId)),
      );
    },
  );

  app.patch<UserRoute & { Body: AdminUpdateUserRequest }>(
    "/tenants/:tenant/users/:id",
    {
      schema: documented({
        operationId: "adminUpdateUser",
        summary: "Enable or disable a user, set its permissions or role",
        tags: TAGS,
        security: WRITE,
        params: resourceParams,
        documentedHeaders: ifMatchHeader,
        body: { $ref: "AdminUpdateUserRequest#" },
        response: {
          200: adminAnswer("The user as changed", "AdminUser", ETAG_HEADER),
          ...adminProblems(404, 412),
        },
      }),
    },
    async (request, reply) => {
      const { tenant, id } = request.params;
      const body = request.body;
      const matches = ifMatch(request.headers["if-match"]);
      const user = await updateUser(ctx, {
        tenantId: tenant as TenantId,
        userId: id as UserId,
        changes: {
          ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
          ...(body.permissions === undefined ? {} : { permissions: body.permissions }),
          ...(body.role_id === undefined ? {} : { roleId: body.role_id as RoleId | null }),
        },
        ...(matches === undefined ? {} : { precondition: (u) => matches(renderUser(u)) }),
        authority: adminCallerOf(request).authority,
        ...actorOf(request),
      });
      return withEntityTag(reply, renderUser(user));
    },
  );

  app.put<UserRoute & { Body: AdminPasswordRequest }>(
    "/tenants/:tenant/users/:id/password",
    {
      schema: {
        operationId: "adminSetUserPassword",
        summary: "Set a user's password, ending every session it has",
        tags: TAGS,
        security: WRITE,
        params: resourceParams,
        body: { $ref: "AdminPasswordRequest#" },
        response: { 204: adminEmpty("The password is set"), ...adminProblems(404) },
      },
    },
    async (request, reply) => {
      const { tenant, id } = request.params;
      const user = await getUserById(ctx, tenant as TenantId, id as UserId);
      checkMayManage(adminCallerOf(request).authority, user);
      await setUserPassword(ctx, {
        tenantId: user.tenantId,
        username: user.username,
        password: request.body.password,
        ...actorOf(request),
      });
      return reply.code(204).send();
    },
  );

  app.delete<UserRoute>(
    "/tenants/:tenant/users/:id",
    {
      schema: {
        operationId: "adminDeleteUser",
        summary: "Delete a user and end its sessions (deleting one already gone succeeds)",
        tags: TAGS,
        security: WRITE,
        params: resourceParams,
        response: { 204: adminEmpty("The user is gone"), ...adminProblems(404) },
      },
    },
    async (request, reply) => {
      const { tenant, id } = request.params;
      const user = await ctx.store.users.getById(tenant as TenantId, id as UserId);
      if (user !== undefined) {
        checkMayManage(adminCallerOf(request).authority, user);
        await deleteUser(ctx, {
          tenantId: user.tenantId,
          username: user.username,
          ...actorOf(request),
        }).catch((error: unknown) => {
          // Deleted by another request in between: gone all the same.
          if (!(error instanceof Error && "code" in error && error.code === "not_found")) {
            throw error;
          }
        });
      }
      return reply.code(204).send();
    },
  );
}
