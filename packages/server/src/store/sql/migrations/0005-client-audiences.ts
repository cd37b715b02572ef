import type { Kysely } from "kysely";

/**
 * The audiences a client's short-term tokens may be minted for besides the
 * tenant's issuer, as a JSON array. Existing clients get none: from this
 * version, a client mints tokens for another service only once an operator
 * has allowed that audience (`tessera client update --audience`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("clients")
    .addColumn("audiences", "text", (c) => c.notNull().defaultTo("[]"))
    .execute();
}
