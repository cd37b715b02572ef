import type { FastifyInstance } from "fastify";
import { checkMayManage } from "../../core/authority.js";
import type { CoreContext } from "../../core/context.js";
import { isIdentifierInput } from "../../core/identifiers.js";
import type { ClientId, SessionId, TenantId, UserId } from "../../core/ids.js";
import type { SessionRecord } from "../../core/model/index.js";
import {
  getSession,
  pageSessions,
  revokeSession,
  revokeUserSessions,
  sessionState,
} from "../../core/sessions/manage.js";
import { getUserById } from "../../core/update-user.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { actorOf, adminCallerOf } from "./plugin-state.js";
import {
  adminAnswer,
  adminProblems,
  iso,
  isoOrNull,
  READ,
  resourceParams,
  TAGS,
  tenantParams,
  WRITE,
} from "./schemas/common.js";
import {
  type AdminSession,
  type AdminSessionQuery,
  adminSessionQuery,
} from "./schemas/sessions.js";

/** The names a session refers to by id, each null once what it names is gone. */
interface SessionNames {
  readonly users: ReadonlyMap<string, string | null>;
  readonly clients: ReadonlyMap<string, string | null>;
}

/** A session as the admin API shows it, with the names of its user, client and impersonator. */
function renderSession(session: SessionRecord, names: SessionNames, now: number): AdminSession {
  return {
    id: session.id,
    tenant_id: session.tenantId,
    user_id: session.userId,
    username: names.users.get(session.userId) ?? null,
    client_id: session.clientId,
    client_name: names.clients.get(session.clientId) ?? null,
    status: sessionState(session, now),
    created_at: iso(session.createdAt),
    expires_at: iso(session.expiresAt),
    last_refreshed_at: isoOrNull(session.lastRefreshedAt),
    revoked_at: isoOrNull(session.revokedAt),
    revoked_reason: session.revokedReason,
    impersonator_user_id: session.impersonatorUserId,
    impersonator_username:
      session.impersonatorUserId === null
        ? null
        : (names.users.get(session.impersonatorUserId) ?? null),
    parent_session_id: session.parentSessionId,
  };
}

/**
 * Renders sessions with the names of their users, clients and
 * impersonators, looking each one up once: a page names few of them, and
 * a reader (the CLI's table) then needs no request per row.
 */
async function renderSessions(
  ctx: CoreContext,
  tenantId: TenantId,
  sessions: readonly SessionRecord[],
): Promise<AdminSession[]> {
  const users = new Map<string, string | null>();
  const clients = new Map<string, string | null>();
  const userIds = new Set(
    sessions.flatMap((s) =>
      s.impersonatorUserId === null ? [s.userId] : [s.userId, s.impersonatorUserId],
    ),
  );
  for (const userId of userIds) {
    users.set(userId, (await ctx.store.users.getById(tenantId, userId))?.username ?? null);
  }
  for (const clientId of new Set(sessions.map((s) => s.clientId))) {
    clients.set(clientId, (await ctx.store.clients.get(tenantId, clientId))?.name ?? null);
  }
  const now = ctx.clock.now();
  return sessions.map((s) => renderSession(s, { users, clients }, now));
}

interface TenantRoute {
  Params: { tenant: string };
}

interface ResourceRoute {
  Params: { tenant: string; id: string };
}

/** `/tenants/{tenant}/sessions` and a user's sessions: list, read, revoke one, revoke all of a user. */
export function registerSessionRoutes(app: FastifyInstance, ctx: CoreContext): void {
  app.get<TenantRoute & { Querystring: AdminSessionQuery }>(
    "/tenants/:tenant/sessions",
    {
      schema: {
        operationId: "adminListSessions",
        summary: "List sessions, newest first, a page at a time",
        tags: TAGS,
        security: READ,
        params: tenantParams,
        querystring: adminSessionQuery,
        response: {
          200: adminAnswer("A page of sessions", "AdminSessionPage"),
          ...adminProblems(404),
        },
      },
    },
    async (request) => {
      const tenantId = request.params.tenant as TenantId;
      const { user_id, client_id, include_ended, cursor, limit = 50 } = request.query;
      const after = decodeCursor(cursor, (p) =>
        Number.isSafeInteger(p.c) &&
        typeof p.c === "number" &&
        typeof p.i === "string" &&
        isIdentifierInput(p.i)
          ? { createdAt: p.c, id: p.i as SessionId }
          : undefined,
      );
      const page = await pageSessions(ctx, tenantId, {
        limit,
        includeEnded: include_ended === true,
        ...(user_id === undefined ? {} : { userId: user_id as UserId }),
        ...(client_id === undefined ? {} : { clientId: client_id as ClientId }),
        ...(after === undefined ? {} : { after }),
      });
      return {
        items: await renderSessions(ctx, tenantId, page.sessions),
        next:
          page.next === undefined
            ? null
            : encodeCursor({ c: page.next.createdAt, i: page.next.id }),
      };
    },
  );

  app.get<ResourceRoute>(
    "/tenants/:tenant/sessions/:id",
    {
      schema: {
        operationId: "adminGetSession",
        summary: "Read a session",
        tags: TAGS,
        security: READ,
        params: resourceParams,
        response: { 200: adminAnswer("The session", "AdminSession"), ...adminProblems(404) },
      },
    },
    async (request) => {
      const tenantId = request.params.tenant as TenantId;
      const session = await getSession(ctx, tenantId, request.params.id as SessionId);
      const [rendered] = await renderSessions(ctx, tenantId, [session]);
      return rendered;
    },
  );

  app.delete<ResourceRoute>(
    "/tenants/:tenant/sessions/:id",
    {
      schema: {
        operationId: "adminRevokeSession",
        summary:
          "Revoke a session and every token of it, on every instance, with the impersonation sessions started from it (revoking one already ended or unknown succeeds, ending none)",
        tags: TAGS,
        security: WRITE,
        params: resourceParams,
        response: {
          200: adminAnswer("How many sessions ended", "AdminRevokedSessions"),
          ...adminProblems(404),
        },
      },
    },
    async (request) => {
      const revoked = await revokeSession(ctx, {
        tenantId: request.params.tenant as TenantId,
        sessionId: request.params.id as SessionId,
        ...actorOf(request),
      });
      return { revoked };
    },
  );

  app.delete<ResourceRoute>(
    "/tenants/:tenant/users/:id/sessions",
    {
      schema: {
        operationId: "adminRevokeUserSessions",
        summary: "Revoke every session of a user",
        tags: TAGS,
        security: WRITE,
        params: resourceParams,
        response: {
          200: adminAnswer("How many sessions ended", "AdminRevokedSessions"),
          ...adminProblems(404),
        },
      },
    },
    async (request) => {
      const tenantId = request.params.tenant as TenantId;
      const user = await getUserById(ctx, tenantId, request.params.id as UserId);
      checkMayManage(adminCallerOf(request).authority, user);
      return {
        revoked: await revokeUserSessions(ctx, { tenantId, userId: user.id, ...actorOf(request) }),
      };
    },
  );
}
