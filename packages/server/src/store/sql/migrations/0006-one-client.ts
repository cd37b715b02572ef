import { type Kysely, sql } from "kysely";
import type { SqlDialectName } from "../dialect.js";

/**
 * One Client aggregate. Until this version an API key's client was a
 * free-form id on the key (`api_keys.client_id`, no row), and a client of
 * the token API a row of `clients` with a globally unique id. From here:
 *
 * - a client is identified by `(tenant_id, id)`: an API key's client id
 *   was chosen per tenant, so two tenants may hold the same one, and both
 *   keep it;
 * - `clients` gains `grant_types` (a JSON array of RFC names) and
 *   `token_endpoint_auth_method`, and its secret becomes optional;
 * - every API key's client that has no row gets one: the same id, a name
 *   derived from it ({@link nameFor}), no secret, auth method `none` (it
 *   proves nothing at a token endpoint; its API keys are what it holds),
 *   grants `password` and `refresh_token` (the session API's login and
 *   refresh), active, created when its first key was;
 * - existing token-API clients keep what they could do: grants
 *   `client_credentials` (secret and TOTP step-ups) and `jwt-bearer`
 *   (assertions), auth method `client_secret_basic`; one that API keys
 *   already named (same tenant and id) also gets `password` and
 *   `refresh_token`, so those keys keep working;
 * - `api_keys` and `automation_tokens` refer to their client by
 *   `(tenant_id, client_id)` with a foreign key.
 *
 * Nothing is deleted. The structure changes per dialect (SQLite rebuilds
 * its tables, PostgreSQL alters them in place); the data steps are shared.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  if (dialect === "sqlite") {
    await rebuildOnSqlite(db);
  } else {
    await alterOnPostgres(db);
  }
}

const TOKEN_API_GRANTS = ["client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"];
const API_KEY_GRANTS = ["password", "refresh_token"];
/** Every grant in the order the core keeps them in. */
const GRANT_ORDER = [
  "password",
  "refresh_token",
  "client_credentials",
  "urn:ietf:params:oauth:grant-type:token-exchange",
  "urn:ietf:params:oauth:grant-type:jwt-bearer",
];
/** A migrated client's longest long-term token lifetime: the default; it gets none anyway. */
const MAX_TOKEN_TTL_DAYS = 90;

/** The client name rule at this version (core/clients), frozen here as the migration is. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const GENERATED_ID = /^[a-z0-9]{26}$/;
const NAME_MAX = 64;

/**
 * The name of a migrated API key's client: its id when that is a valid
 * client name (1-64 letters, digits, `.`, `_`, `-`, starting with a letter
 * or digit, not shaped like a generated id) that no other client of the
 * tenant has as a name or an id; otherwise `apikey-<id>` (characters a name
 * cannot hold as `-`, cut to 64), then `-2`, `-3`, … until it is free.
 */
export function nameFor(id: string, taken: (name: string) => boolean): string {
  if (NAME_PATTERN.test(id) && !GENERATED_ID.test(id) && !taken(id)) {
    return id;
  }
  const base = `apikey-${id.replace(/[^A-Za-z0-9._-]/g, "-")}`.slice(0, NAME_MAX);
  if (!taken(base)) {
    return base;
  }
  for (let n = 2; ; n++) {
    const tail = `-${n}`;
    const candidate = `${base.slice(0, NAME_MAX - tail.length)}${tail}`;
    if (!taken(candidate)) {
      return candidate;
    }
  }
}

/** Code-unit order, the same on every engine. */
const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

interface ExistingClient {
  readonly tenant: string;
  readonly id: string;
  readonly name: string;
}

interface KeyClient {
  readonly tenant: string;
  readonly id: string;
  readonly since: number | string;
}

/** Gives every API key's client a row, and widens the grants of token-API clients keys named. */
async function migrateApiKeyClients(db: Kysely<unknown>): Promise<void> {
  // Single-word aliases: the store's CamelCasePlugin leaves them as they are.
  const existing = (
    await sql<ExistingClient>`select tenant_id as tenant, id, name from clients`.execute(db)
  ).rows;
  // Ordered here, not by the database, whose collation may differ: names are given in this order.
  const keyClients = (
    await sql<KeyClient>`
      select tenant_id as tenant, client_id as id, min(created_at) as since
      from api_keys group by tenant_id, client_id`.execute(db)
  ).rows.sort((x, y) => compare(x.tenant, y.tenant) || compare(x.id, y.id));
  const byTenant = new Map<string, { names: Set<string>; ids: Set<string> }>();
  const tenantOf = (tenant: string) => {
    let entry = byTenant.get(tenant);
    if (entry === undefined) {
      entry = { names: new Set(), ids: new Set() };
      byTenant.set(tenant, entry);
    }
    return entry;
  };
  for (const client of existing) {
    tenantOf(client.tenant).names.add(client.name);
    tenantOf(client.tenant).ids.add(client.id);
  }
  const rowless = keyClients.filter((key) => !tenantOf(key.tenant).ids.has(key.id));
  const named = keyClients.filter((key) => tenantOf(key.tenant).ids.has(key.id));
  for (const key of rowless) {
    tenantOf(key.tenant).ids.add(key.id);
  }
  for (const key of rowless) {
    const { names, ids } = tenantOf(key.tenant);
    const name = nameFor(
      key.id,
      (candidate) => names.has(candidate) || (ids.has(candidate) && candidate !== key.id),
    );
    names.add(name);
    const since = Number(key.since);
    await sql`
      insert into clients (id, tenant_id, name, grant_types, token_endpoint_auth_method,
        secret_hash, secret_prefix, totp_seed_sealed, public_keys, scopes, audiences,
        max_token_ttl_days, status, created_at, updated_at)
      values (${key.id}, ${key.tenant}, ${name}, ${JSON.stringify(API_KEY_GRANTS)}, 'none',
        null, null, null, '[]', '[]', '[]', ${MAX_TOKEN_TTL_DAYS}, 'active', ${since}, ${since})`.execute(
      db,
    );
  }
  const widened = GRANT_ORDER.filter(
    (grant) => API_KEY_GRANTS.includes(grant) || TOKEN_API_GRANTS.includes(grant),
  );
  for (const key of named) {
    await sql`update clients set grant_types = ${JSON.stringify(widened)}
      where tenant_id = ${key.tenant} and id = ${key.id}`.execute(db);
  }
}

/**
 * SQLite cannot drop a NOT NULL or change a primary key in place: the
 * three tables are rebuilt by the procedure of
 * https://www.sqlite.org/lang_altertable.html#otheralter (foreign keys
 * off, one transaction, new tables filled then renamed over the old ones,
 * `foreign_key_check` before the commit). Renaming `*_new` leaves the
 * other tables' references to `clients` as they are.
 */
async function rebuildOnSqlite(db: Kysely<unknown>): Promise<void> {
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await db.transaction().execute(async (trx) => {
      await trx.schema
        .createTable("clients_new")
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("grant_types", "text", (c) => c.notNull())
        .addColumn("token_endpoint_auth_method", "text", (c) => c.notNull())
        .addColumn("secret_hash", "text", (c) => c.unique())
        .addColumn("secret_prefix", "text")
        .addColumn("totp_seed_sealed", "text")
        .addColumn("public_keys", "text", (c) => c.notNull())
        .addColumn("scopes", "text", (c) => c.notNull())
        .addColumn("audiences", "text", (c) => c.notNull().defaultTo("[]"))
        .addColumn("max_token_ttl_days", "integer", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("clients_pkey", ["tenant_id", "id"])
        .addUniqueConstraint("clients_tenant_name", ["tenant_id", "name"])
        .execute();
      await sql`
        insert into clients_new (id, tenant_id, name, grant_types, token_endpoint_auth_method,
          secret_hash, secret_prefix, totp_seed_sealed, public_keys, scopes, audiences,
          max_token_ttl_days, status, created_at, updated_at)
        select id, tenant_id, name, ${JSON.stringify(TOKEN_API_GRANTS)}, 'client_secret_basic',
          secret_hash, secret_prefix, totp_seed_sealed, public_keys, scopes, audiences,
          max_token_ttl_days, status, created_at, updated_at
        from clients`.execute(trx);

      await trx.schema
        .createTable("api_keys_new")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("client_id", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("key_hash", "text", (c) => c.notNull().unique())
        .addColumn("key_prefix", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("last_used_at", "bigint")
        .addColumn("revoked_at", "bigint")
        .addForeignKeyConstraint("api_keys_client_fkey", ["tenant_id", "client_id"], "clients", [
          "tenant_id",
          "id",
        ])
        .execute();
      await sql`
        insert into api_keys_new (id, tenant_id, client_id, name, key_hash, key_prefix,
          created_at, last_used_at, revoked_at)
        select id, tenant_id, client_id, name, key_hash, key_prefix,
          created_at, last_used_at, revoked_at
        from api_keys`.execute(trx);

      await trx.schema
        .createTable("automation_tokens_new")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("client_id", "text", (c) => c.notNull())
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
        .addForeignKeyConstraint(
          "automation_tokens_client_fkey",
          ["tenant_id", "client_id"],
          "clients",
          ["tenant_id", "id"],
        )
        .execute();
      await sql`
        insert into automation_tokens_new (id, tenant_id, client_id, kind, name, hash, prefix,
          scopes, audience, parent_id, created_at, expires_at, last_used_at, revoked_at,
          revoked_reason, replaced_by_id)
        select id, tenant_id, client_id, kind, name, hash, prefix,
          scopes, audience, parent_id, created_at, expires_at, last_used_at, revoked_at,
          revoked_reason, replaced_by_id
        from automation_tokens`.execute(trx);

      await trx.schema.dropTable("automation_tokens").execute();
      await trx.schema.dropTable("api_keys").execute();
      await trx.schema.dropTable("clients").execute();
      await trx.schema.alterTable("clients_new").renameTo("clients").execute();
      await trx.schema.alterTable("api_keys_new").renameTo("api_keys").execute();
      await trx.schema.alterTable("automation_tokens_new").renameTo("automation_tokens").execute();

      // The indexes went with the old tables (0001, 0003, 0004): the same again.
      await trx.schema.createIndex("api_keys_tenant").on("api_keys").column("tenant_id").execute();
      await trx.schema
        .createIndex("automation_tokens_client")
        .on("automation_tokens")
        .columns(["client_id", "created_at"])
        .execute();
      await trx.schema
        .createIndex("automation_tokens_parent")
        .on("automation_tokens")
        .column("parent_id")
        .execute();
      await trx.schema
        .createIndex("automation_tokens_expires")
        .on("automation_tokens")
        .column("expires_at")
        .execute();
      await trx.schema
        .createIndex("automation_tokens_revoked")
        .on("automation_tokens")
        .column("revoked_at")
        .execute();

      await migrateApiKeyClients(trx);

      const broken = await sql`pragma foreign_key_check`.execute(trx);
      if (broken.rows.length > 0) {
        throw new Error(
          `0006-one-client: ${broken.rows.length} rows refer to a missing row: ${JSON.stringify(broken.rows.slice(0, 5))}`,
        );
      }
    });
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}

/**
 * PostgreSQL alters in place, inside the migration's transaction: the old
 * foreign key and primary key go, the new columns arrive filled for the
 * existing clients, the data steps run, and the new foreign keys are added
 * last (checking every row).
 */
async function alterOnPostgres(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("automation_tokens")
    .dropConstraint("automation_tokens_client_id_fkey")
    .execute();
  await db.schema.alterTable("clients").dropConstraint("clients_pkey").execute();
  await db.schema
    .alterTable("clients")
    .addPrimaryKeyConstraint("clients_pkey", ["tenant_id", "id"])
    .execute();
  await db.schema
    .alterTable("clients")
    .alterColumn("secret_hash", (c) => c.dropNotNull())
    .alterColumn("secret_prefix", (c) => c.dropNotNull())
    .execute();
  await db.schema
    .alterTable("clients")
    .addColumn("grant_types", "text", (c) =>
      c.notNull().defaultTo(JSON.stringify(TOKEN_API_GRANTS)),
    )
    .addColumn("token_endpoint_auth_method", "text", (c) =>
      c.notNull().defaultTo("client_secret_basic"),
    )
    .execute();
  // The defaults were for the rows already there; a new client always says what it is.
  await db.schema
    .alterTable("clients")
    .alterColumn("grant_types", (c) => c.dropDefault())
    .alterColumn("token_endpoint_auth_method", (c) => c.dropDefault())
    .execute();

  await migrateApiKeyClients(db);

  await db.schema
    .alterTable("api_keys")
    .addForeignKeyConstraint("api_keys_client_fkey", ["tenant_id", "client_id"], "clients", [
      "tenant_id",
      "id",
    ])
    .execute();
  await db.schema
    .alterTable("automation_tokens")
    .addForeignKeyConstraint(
      "automation_tokens_client_fkey",
      ["tenant_id", "client_id"],
      "clients",
      ["tenant_id", "id"],
    )
    .execute();
}
