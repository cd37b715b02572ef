import type { Kysely } from "kysely";

/**
 * Whether a tenant's OAuth token endpoint serves the password grant
 * (RFC 6749 §4.3), as 1 or 0. Every existing tenant gets 0: the grant is
 * off until an operator turns it on (`tessera tenant update
 * --oauth-password-grant on`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("tenants")
    .addColumn("oauth_password_grant", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
}
