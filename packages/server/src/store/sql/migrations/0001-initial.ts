import type { Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

/** The first schema: tenants, users, API keys, signing keys, sessions, refresh tokens, audit. */
export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable("tenants")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("access_token_ttl_seconds", "integer", (c) => c.notNull())
    .addColumn("id_token_ttl_seconds", "integer", (c) => c.notNull())
    .addColumn("refresh_token_ttl_seconds", "integer", (c) => c.notNull())
    .addColumn("refresh_policy", "text", (c) => c.notNull())
    .addColumn("refresh_grace_seconds", "integer", (c) => c.notNull())
    .addColumn("signing_algorithm", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("username", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("permissions", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("users_tenant_username", ["tenant_id", "username"])
    .execute();

  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("client_id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("key_hash", "text", (c) => c.notNull().unique())
    .addColumn("key_prefix", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("last_used_at", "bigint")
    .addColumn("revoked_at", "bigint")
    .execute();
  await db.schema.createIndex("api_keys_tenant").on("api_keys").column("tenant_id").execute();

  await db.schema
    .createTable("signing_keys")
    .addColumn("kid", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("algorithm", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("public_jwk", "text", (c) => c.notNull())
    .addColumn("private_key_sealed", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("activated_at", "bigint")
    .addColumn("retired_at", "bigint")
    .execute();
  await db.schema
    .createIndex("signing_keys_tenant")
    .on("signing_keys")
    .columns(["tenant_id", "status"])
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("client_id", "text", (c) => c.notNull())
    .addColumn("api_key_id", "text")
    .addColumn("auth_time", "bigint", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("last_refreshed_at", "bigint")
    .addColumn("revoked_at", "bigint")
    .addColumn("revoked_reason", "text")
    .addColumn("impersonator_user_id", "text")
    .addColumn("parent_session_id", "text")
    .execute();
  await db.schema
    .createIndex("sessions_tenant_user")
    .on("sessions")
    .columns(["tenant_id", "user_id"])
    .execute();
  await db.schema
    .createIndex("sessions_parent")
    .on("sessions")
    .column("parent_session_id")
    .execute();
  await db.schema.createIndex("sessions_expires").on("sessions").column("expires_at").execute();

  await db.schema
    .createTable("refresh_tokens")
    .addColumn("hash", "text", (c) => c.primaryKey())
    .addColumn("session_id", "text", (c) => c.notNull().references("sessions.id"))
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("rotated_at", "bigint")
    .addColumn("successor_sealed", "text")
    .execute();
  await db.schema
    .createIndex("refresh_tokens_session")
    .on("refresh_tokens")
    .column("session_id")
    .execute();

  // The one dialect-specific column: an ever-increasing id for `audit tail`.
  await db.schema
    .createTable("audit_events")
    .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) =>
      dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("actor_user_id", "text")
    .addColumn("subject_user_id", "text")
    .addColumn("session_id", "text")
    .addColumn("ip", "text")
    .addColumn("detail", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("audit_events_tenant")
    .on("audit_events")
    .columns(["tenant_id", "id"])
    .execute();
}
