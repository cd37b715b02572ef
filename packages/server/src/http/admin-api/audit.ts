import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import {
  type AuditSearchInput,
  exportAuditEvents,
  searchAuditEvents,
} from "../../core/audit-search.js";
import type { CoreContext } from "../../core/context.js";
import type { TenantId } from "../../core/ids.js";
import type { AuditEventRecord } from "../../core/model/index.js";
import { answer, ref } from "../openapi-responses.js";
import {
  type AdminAuditEvent,
  type AdminAuditExportQuery,
  type AdminAuditQuery,
  adminAuditExportQuery,
  adminAuditQuery,
} from "./schemas/audit.js";
import { adminAnswer, adminProblems, iso, READ, TAGS, tenantParams } from "./schemas/common.js";

/** The media type of an export: one JSON event per line. */
const NDJSON = "application/x-ndjson";

/** An audit event as the admin API shows it. */
function renderEvent(event: AuditEventRecord): AdminAuditEvent {
  return {
    id: event.id,
    tenant_id: event.tenantId,
    at: iso(event.at),
    type: event.type,
    actor_user_id: event.actorUserId,
    actor_client_id: event.actorClientId,
    subject_user_id: event.subjectUserId,
    client_id: event.clientId,
    session_id: event.sessionId,
    ip: event.ip,
    detail: { ...event.detail },
  };
}

/** The core's search of the wire's filters: only those sent. */
function searchOf(query: AdminAuditExportQuery): AuditSearchInput {
  const search = {
    type: query.type,
    userId: query.user_id,
    clientId: query.client_id,
    sessionId: query.session_id,
    ip: query.ip,
    from: query.from,
    to: query.to,
  };
  return Object.fromEntries(
    Object.entries(search).filter(([, value]) => value !== undefined),
  ) as AuditSearchInput;
}

/** `/tenants/{tenant}/audit-events`: search the trail a page at a time, or export every match as NDJSON. */
export function registerAuditRoutes(app: FastifyInstance, ctx: CoreContext): void {
  app.get<{ Params: { tenant: string }; Querystring: AdminAuditQuery }>(
    "/tenants/:tenant/audit-events",
    {
      schema: {
        operationId: "adminSearchAuditEvents",
        summary: "Search the audit trail, newest first, a page at a time",
        tags: TAGS,
        security: READ,
        params: tenantParams,
        querystring: adminAuditQuery,
        response: {
          200: adminAnswer("A page of events", "AdminAuditEventPage"),
          ...adminProblems(404),
        },
      },
    },
    async (request) => {
      const { cursor, limit = 50, ...filters } = request.query;
      const page = await searchAuditEvents(
        ctx,
        request.params.tenant as TenantId,
        searchOf(filters),
        {
          limit,
          ...(cursor === undefined ? {} : { cursor }),
        },
      );
      return { items: page.events.map(renderEvent), next: page.next };
    },
  );

  app.get<{ Params: { tenant: string }; Querystring: AdminAuditExportQuery }>(
    "/tenants/:tenant/audit-events/export",
    {
      schema: {
        operationId: "adminExportAuditEvents",
        summary: "Export every matching event, newest first, as NDJSON (one JSON event per line)",
        tags: TAGS,
        security: READ,
        params: tenantParams,
        querystring: adminAuditExportQuery,
        response: {
          200: answer("Every matching event, one per line", NDJSON, ref("AdminAuditEvent")),
          ...adminProblems(404),
        },
      },
    },
    async (request, reply) => {
      // Checked before the first byte: a bad filter is still a 400 problem.
      const events = await exportAuditEvents(
        ctx,
        request.params.tenant as TenantId,
        searchOf(request.query),
      );
      const lines = async function* () {
        for await (const event of events) {
          yield `${JSON.stringify(renderEvent(event))}\n`;
        }
      };
      return reply
        .type(NDJSON)
        .header("content-disposition", 'attachment; filename="audit-events.ndjson"')
        .send(Readable.from(lines()));
    },
  );
}
