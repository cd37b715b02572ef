import { type Kysely, sql } from "kysely";

/**
 * Marks Tessera's own clients (the CLI's `tessera-cli`, which bootstrap
 * makes in every tenant). Every client an operator registered is not one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("clients")
    .addColumn("first_party", "integer", (column) => column.notNull().defaultTo(sql`0`))
    .execute();
}
