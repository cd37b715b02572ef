import { type Kysely, sql } from "kysely";
import type { SqlDialectName } from "../dialect.js";

/**
 * The audit trail becomes searchable by client and by everything the admin
 * API filters on:
 *
 * - `actor_client_id`: the client that made a change (one whose token
 *   carries an admin scope, or that revoked a token), beside
 *   `actor_user_id`;
 * - `client_id`: the client an event is about (a session's, a token's, a
 *   changed client), until now only in the detail as `clientId`;
 * - existing events get both from their detail (`clientId`, and
 *   `byClientId` for the client that revoked a token), so a search by
 *   client finds events recorded before this version too;
 * - indexes for each search: user (actor or subject), client (actor or
 *   about), session and ip by `(column, id)`, partial on the column being
 *   set (most events leave some empty, and the trail is written on every
 *   login and refresh); type and time per tenant.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  await db.schema.alterTable("audit_events").addColumn("actor_client_id", "text").execute();
  await db.schema.alterTable("audit_events").addColumn("client_id", "text").execute();

  // Only rows whose detail names the key are read; PostgreSQL reads the
  // detail as json (not jsonb, which refuses some escapes text may hold).
  const field = (key: string) =>
    dialect === "postgres"
      ? sql`(detail::json ->> ${sql.lit(key)})`
      : sql`json_extract(detail, ${sql.lit(`$.${key}`)})`;
  await sql`update audit_events set client_id = ${field("clientId")}
    where detail like ${sql.lit('%"clientId"%')}`.execute(db);
  await sql`update audit_events set actor_client_id = ${field("byClientId")}
    where detail like ${sql.lit('%"byClientId"%')}`.execute(db);

  for (const column of ["actor_user_id", "subject_user_id", "actor_client_id", "client_id"]) {
    await partialIndex(db, column);
  }
  await partialIndex(db, "session_id");
  await partialIndex(db, "ip");
  await db.schema
    .createIndex("audit_events_tenant_type")
    .on("audit_events")
    .columns(["tenant_id", "type", "id"])
    .execute();
  await db.schema
    .createIndex("audit_events_tenant_at")
    .on("audit_events")
    .columns(["tenant_id", "at"])
    .execute();
}

/** `audit_events_<column>` on `(column, id)` where the column is set. */
async function partialIndex(db: Kysely<unknown>, column: string): Promise<void> {
  await db.schema
    .createIndex(`audit_events_${column}`)
    .on("audit_events")
    .columns([column, "id"])
    .where(sql.ref(column), "is not", null)
    .execute();
}
