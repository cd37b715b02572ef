import type { Kysely } from "kysely";

/**
 * Roles (the operations API's named permission sets), a user's role, and the
 * operation token lifetime per tenant.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("roles")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("permission", "text", (c) => c.notNull())
    .addColumn("permissions", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("roles_tenant_name", ["tenant_id", "name"])
    .execute();

  // A role held by a user cannot be deleted: the foreign key refuses it in
  // the same statement, so no check-then-delete race exists.
  await db.schema
    .alterTable("users")
    .addColumn("role_id", "text", (c) => c.references("roles.id"))
    .execute();
  await db.schema.createIndex("users_role").on("users").column("role_id").execute();

  await db.schema
    .alterTable("tenants")
    .addColumn("operation_token_ttl_seconds", "integer", (c) => c.notNull().defaultTo(86_400))
    .execute();
}
