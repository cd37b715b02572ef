import type { Kysely } from "kysely";

/**
 * Indexes for the purge (`store/sql/maintenance.ts`), which looks for rows
 * that ended before a time: `expires_at < t OR revoked_at < t`. `expires_at`
 * is indexed already; without these, each of its batches would scan the
 * whole table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("sessions_revoked").on("sessions").column("revoked_at").execute();
  await db.schema
    .createIndex("automation_tokens_revoked")
    .on("automation_tokens")
    .column("revoked_at")
    .execute();
}
