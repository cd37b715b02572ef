import type { Kysely } from "kysely";

/**
 * The secret a rotation replaced, kept (as its SHA-256) with the time it
 * stops working, so a client secret can be rotated with an overlap: both
 * secrets work until then. Existing clients have none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("clients").addColumn("previous_secret_hash", "text").execute();
  await db.schema.alterTable("clients").addColumn("previous_secret_expires_at", "bigint").execute();
}
