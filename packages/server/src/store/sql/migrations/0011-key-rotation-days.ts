import { type Kysely, sql } from "kysely";

/**
 * Each tenant's scheduled signing key rotation period, in days. Existing
 * tenants get 0: their keys keep rotating only by hand, as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("tenants")
    .addColumn("signing_key_rotation_days", "integer", (column) =>
      column.notNull().defaultTo(sql`0`),
    )
    .execute();
}
