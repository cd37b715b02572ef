import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type { Kysely } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newUserId, type TenantId } from "../../core/ids.js";
import { clientRecord, tenantRecord } from "../conformance/fixtures.js";
import { describeStoreConformance } from "../conformance/store-conformance.js";
import { KNOWN_MIGRATIONS, migrateToLatest } from "../sql/migrate.js";
import { openSqliteStore } from "./open-sqlite.js";

describeStoreConformance("sqlite", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tessera-sqlite-conformance-"));
  const store = await openSqliteStore(join(dir, "tessera.db"));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe("openSqliteStore", () => {
  let dir = "";

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-sqlite-"));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Reads the file with a connection of its own, not the store's. */
  function inspect<T>(path: string, read: (database: BetterSqlite3.Database) => T): T {
    const database = new BetterSqlite3(path, { readonly: true });
    try {
      return read(database);
    } finally {
      database.close();
    }
  }

  it("records each applied migration, and a second open applies nothing", async () => {
    const path = join(dir, "tessera.db");
    const fresh = await openSqliteStore(path, { migrate: false });
    expect(await migrateToLatest(fresh.db as Kysely<unknown>, "sqlite")).toEqual([
      ...KNOWN_MIGRATIONS,
    ]);
    await fresh.close();

    const reopened = await openSqliteStore(path);
    expect(await migrateToLatest(reopened.db as Kysely<unknown>, "sqlite")).toEqual([]);
    await reopened.close();

    const recorded = inspect(path, (database) =>
      database.prepare("select name from tessera_migrations order by name").pluck().all(),
    );
    expect(recorded).toEqual([...KNOWN_MIGRATIONS]);
  });

  it("gives a client written before 0005-client-audiences no allowed audiences", async () => {
    const path = join(dir, "tessera.db");
    const old = await openSqliteStore(path, { migrate: false });
    await migrateToLatest(old.db as Kysely<unknown>, "sqlite", { upTo: "0004-purge-indexes" });
    await old.close();
    const tenant = tenantRecord();
    const before = clientRecord(tenant.id);
    const writer = new BetterSqlite3(path);
    writer
      .prepare(
        `insert into tenants (id, display_name, access_token_ttl_seconds, id_token_ttl_seconds,
           refresh_token_ttl_seconds, refresh_policy, refresh_grace_seconds, signing_algorithm,
           operation_token_ttl_seconds, created_at, updated_at)
         values (?, 'Old', 3600, 3600, 86400, 'none', 5, 'ES256', 86400, 0, 0)`,
      )
      .run(tenant.id);
    writer
      .prepare(
        `insert into clients (id, tenant_id, name, secret_hash, secret_prefix, totp_seed_sealed,
           public_keys, scopes, max_token_ttl_days, status, created_at, updated_at)
         values (?, ?, ?, ?, ?, null, '[]', '["tokens:write"]', 90, 'active', ?, ?)`,
      )
      .run(
        before.id,
        before.tenantId,
        before.name,
        before.secretHash,
        before.secretPrefix,
        before.createdAt,
        before.updatedAt,
      );
    writer.close();

    const reopened = await openSqliteStore(path);
    expect(await reopened.clients.get(tenant.id, before.id)).toEqual({ ...before, audiences: [] });
    await reopened.close();
  });

  it("gives a tenant written before 0007 the password grant off, before 0011 no scheduled rotation", async () => {
    const path = join(dir, "tessera.db");
    const store = await openSqliteStore(path);
    await store.close();
    const { oauthPasswordGrant: _, signingKeyRotationDays: __, ...before } = tenantRecord();
    const writer = new BetterSqlite3(path);
    writer
      .prepare(
        `insert into tenants (id, display_name, access_token_ttl_seconds, id_token_ttl_seconds,
           refresh_token_ttl_seconds, refresh_policy, refresh_grace_seconds, signing_algorithm,
           operation_token_ttl_seconds, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        before.id,
        before.displayName,
        before.accessTokenTtlSeconds,
        before.idTokenTtlSeconds,
        before.refreshTokenTtlSeconds,
        before.refreshPolicy,
        before.refreshGraceSeconds,
        before.signingAlgorithm,
        before.operationTokenTtlSeconds,
        before.createdAt,
        before.updatedAt,
      );
    writer.close();

    const reopened = await openSqliteStore(path);
    expect(await reopened.tenants.get(before.id)).toEqual({
      ...before,
      oauthPasswordGrant: false,
      signingKeyRotationDays: 0,
    });
    await reopened.close();
  });

  it("migrates on open by default", async () => {
    const path = join(dir, "tessera.db");
    const store = await openSqliteStore(path);

    expect(await migrateToLatest(store.db as Kysely<unknown>, "sqlite")).toEqual([]);
    expect(await store.tenants.list()).toEqual([]);
    await store.close();
  });

  it("puts the database in WAL mode", async () => {
    const path = join(dir, "tessera.db");
    const store = await openSqliteStore(path);
    await store.close();

    expect(inspect(path, (database) => database.pragma("journal_mode", { simple: true }))).toBe(
      "wal",
    );
  });

  it("creates the database's missing parent directories", async () => {
    const path = join(dir, "nested", "deeper", "tessera.db");

    const store = await openSqliteStore(path);

    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  });

  it("enforces foreign keys: a user needs an existing tenant", async () => {
    const store = await openSqliteStore(join(dir, "tessera.db"));

    await expect(
      store.users.create({
        id: newUserId(),
        tenantId: "no-such-tenant" as TenantId,
        username: "orphan",
        passwordHash: "x",
        status: "active",
        permissions: [],
        roleId: null,
        rolePermissions: [],
        createdAt: 0,
        updatedAt: 0,
      }),
    ).rejects.toThrow();
    await store.close();
  });
});
