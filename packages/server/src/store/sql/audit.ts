import type { Kysely, Selectable } from "kysely";
import type { ClientId, SessionId, TenantId, UserId } from "../../core/ids.js";
import type { AuditDetail, AuditEventInput, AuditEventRecord } from "../../core/model/index.js";
import type { AuditStore } from "../../core/ports/index.js";
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
}
