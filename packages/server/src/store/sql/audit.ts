import type { ExpressionBuilder, Kysely, Selectable } from "kysely";
import type { ClientId, SessionId, TenantId, UserId } from "../../core/ids.js";
import type { AuditDetail, AuditEventInput, AuditEventRecord } from "../../core/model/index.js";
import type {
  AuditPage,
  AuditPageRequest,
  AuditSearchFilter,
  AuditStore,
} from "../../core/ports/index.js";
import { toMs } from "./dialect.js";
import { prepareQuery } from "./prepared.js";
import type { AuditEventsTable, Database } from "./schema.js";

function toAuditEvent(row: Selectable<AuditEventsTable>): AuditEventRecord {
  return {
    id: toMs(row.id),
    tenantId: row.tenantId as TenantId,
    at: toMs(row.at),
    type: row.type,
    actorUserId: row.actorUserId as UserId | null,
    actorClientId: row.actorClientId as ClientId | null,
    subjectUserId: row.subjectUserId as UserId | null,
    clientId: row.clientId as ClientId | null,
    sessionId: row.sessionId as SessionId | null,
    ip: row.ip,
    detail: JSON.parse(row.detail) as AuditDetail,
  };
}

type Where = ExpressionBuilder<Database, "auditEvents">;

/**
 * The tenant condition. Beside a user, client, session or ip (each indexed
 * on its own, `0008-audit-search`), it is written so that no index serves
 * it: SQLite, without statistics, would otherwise walk the tenant's whole
 * trail by `audit_events_tenant` (it needs no sort) rather than read the
 * few rows of that user.
 */
function inTenant(eb: Where, tenantId: TenantId, filter: AuditSearchFilter) {
  const { userId, clientId, sessionId, ip } = filter;
  const selective =
    userId !== undefined || clientId !== undefined || sessionId !== undefined || ip !== undefined;
  return selective ? eb(eb("tenantId", "||", ""), "=", tenantId) : eb("tenantId", "=", tenantId);
}

/** The conditions of `filter`, and-ed. */
function matching(eb: Where, tenantId: TenantId | undefined, filter: AuditSearchFilter) {
  const { type, userId, clientId, sessionId, ip, from, to } = filter;
  return eb.and([
    ...(tenantId === undefined ? [] : [inTenant(eb, tenantId, filter)]),
    // A prefix compares the type's first characters exactly: LIKE would read
    // `_` as a wildcard, and SQLite's ignores case.
    ...(type === undefined
      ? []
      : type.endsWith(".")
        ? [eb(eb.fn("substr", ["type", eb.val(1), eb.val(type.length)]), "=", type)]
        : [eb("type", "=", type)]),
    ...(userId === undefined
      ? []
      : [eb.or([eb("actorUserId", "=", userId), eb("subjectUserId", "=", userId)])]),
    ...(clientId === undefined
      ? []
      : [eb.or([eb("actorClientId", "=", clientId), eb("clientId", "=", clientId)])]),
    ...(sessionId === undefined ? [] : [eb("sessionId", "=", sessionId)]),
    ...(ip === undefined ? [] : [eb("ip", "=", ip)]),
    ...(from === undefined ? [] : [eb("at", ">=", from)]),
    ...(to === undefined ? [] : [eb("at", "<", to)]),
  ]);
}

/** {@link AuditStore} over SQL. */
export class SqlAuditStore implements AuditStore {
  // Every column is always given (null where absent), so one compiled insert fits every event.
  readonly #append = prepareQuery(
    () => this.db,
    10,
    (
      tenantId: string,
      at: number,
      type: string,
      actorUserId: string | null,
      actorClientId: string | null,
      subjectUserId: string | null,
      clientId: string | null,
      sessionId: string | null,
      ip: string | null,
      detail: string,
    ) =>
      this.db.insertInto("auditEvents").values({
        tenantId,
        at,
        type,
        actorUserId,
        actorClientId,
        subjectUserId,
        clientId,
        sessionId,
        ip,
        detail,
      }),
  );

  constructor(private readonly db: Kysely<Database>) {}

  async append(event: AuditEventInput): Promise<void> {
    await this.#append(
      event.tenantId,
      event.at,
      event.type,
      event.actorUserId ?? null,
      event.actorClientId ?? null,
      event.subjectUserId ?? null,
      event.clientId ?? null,
      event.sessionId ?? null,
      event.ip ?? null,
      JSON.stringify(event.detail ?? {}),
    );
  }

  async list(
    tenantId: TenantId | undefined,
    options: { readonly afterId?: number; readonly limit: number },
  ): Promise<AuditEventRecord[]> {
    let query = this.db.selectFrom("auditEvents").selectAll();
    if (tenantId !== undefined) {
      query = query.where("tenantId", "=", tenantId);
    }
    if (options.afterId !== undefined) {
      const rows = await query
        .where("id", ">", options.afterId)
        .orderBy("id", "asc")
        .limit(options.limit)
        .execute();
      return rows.map(toAuditEvent);
    }
    const rows = await query.orderBy("id", "desc").limit(options.limit).execute();
    return rows.map(toAuditEvent).reverse();
  }

  async search(
    tenantId: TenantId | undefined,
    filter: AuditSearchFilter,
    page: AuditPageRequest,
  ): Promise<AuditPage> {
    const { before, limit } = page;
    const rows = await this.db
      .selectFrom("auditEvents")
      .selectAll()
      .where((eb) => matching(eb, tenantId, filter))
      .$if(before !== undefined, (q) => q.where("id", "<", before ?? 0))
      .orderBy("id", "desc")
      .limit(limit + 1)
      .execute();
    const events = rows.slice(0, limit).map(toAuditEvent);
    return { events, next: rows.length > limit ? (events.at(-1)?.id ?? null) : null };
  }
}
