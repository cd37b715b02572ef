import type { Kysely } from "kysely";

/**
 * Client applications and the automation tokens they hold (the token API,
 * spec 004), and one-time claims (TOTP steps, assertion ids) that must hold
 * across restarts and instances.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("clients")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("secret_hash", "text", (c) => c.notNull().unique())
    .addColumn("secret_prefix", "text", (c) => c.notNull())
    .addColumn("totp_seed_sealed", "text")
    .addColumn("public_keys", "text", (c) => c.notNull())
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("max_token_ttl_days", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("clients_tenant_name", ["tenant_id", "name"])
    .execute();

  await db.schema
    .createTable("automation_tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("client_id", "text", (c) => c.notNull().references("clients.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.unique())
    .addColumn("prefix", "text")
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("audience", "text")
    .addColumn("parent_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("last_used_at", "bigint")
    .addColumn("revoked_at", "bigint")
    .addColumn("revoked_reason", "text")
    .addColumn("replaced_by_id", "text")
    .execute();
  await db.schema
    .createIndex("automation_tokens_client")
    .on("automation_tokens")
    .columns(["client_id", "created_at"])
    .execute();
  await db.schema
    .createIndex("automation_tokens_parent")
    .on("automation_tokens")
    .column("parent_id")
    .execute();
  await db.schema
    .createIndex("automation_tokens_expires")
    .on("automation_tokens")
    .column("expires_at")
    .execute();

  await db.schema
    .createTable("one_time_claims")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("one_time_claims_expires")
    .on("one_time_claims")
    .column("expires_at")
    .execute();
}
