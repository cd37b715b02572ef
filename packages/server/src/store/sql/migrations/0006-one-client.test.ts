/**
 * 0006-one-client on a database written at version 0005, on SQLite and on
 * PostgreSQL: every API key's client becomes a row, token-API clients keep
 * what they could do, and no row of before is lost or changed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Kysely, sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import {
  describeWithService,
  dropTestSchema,
  newTestSchema,
  POSTGRES_URL,
  postgresAvailable,
} from "../../../../test/support/services.js";
import type { ClientId, TenantId } from "../../../core/ids.js";
import type { ApiKeyRecord, ClientRecord } from "../../../core/model/index.js";
import {
  apiKeyRecord,
  automationTokenRecord,
  clientRecord,
  suffix,
  T0,
  tenantRecord,
} from "../../conformance/fixtures.js";
import { openPostgresStore } from "../../postgres/open-postgres.js";
import { openSqliteStore } from "../../sqlite/open-sqlite.js";
import { migrateToLatest } from "../migrate.js";
import type { SqlStore } from "../sql-store.js";
import { nameFor } from "./0006-one-client.js";

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/** A generated id (26 lowercase letters and digits) that two tenants' keys both named. */
const GENERATED = "abcdefghijklmnopqrstuvwxyz" as ClientId;

/** What a store at version 0005 is handed, and how it is closed. */
interface OldStore {
  readonly store: SqlStore;
  readonly upgrade: () => Promise<string[]>;
  readonly close: () => Promise<void>;
}

async function insertTenant(db: Kysely<unknown>, id: TenantId): Promise<void> {
  await sql`insert into tenants (id, display_name, access_token_ttl_seconds, id_token_ttl_seconds,
      refresh_token_ttl_seconds, refresh_policy, refresh_grace_seconds, signing_algorithm,
      operation_token_ttl_seconds, created_at, updated_at)
    values (${id}, 'Old', 3600, 3600, 86400, 'none', 5, 'ES256', 86400, ${T0}, ${T0})`.execute(db);
}

/** A client row as version 0005 has it: no grant types, no auth method, a secret always. */
async function insertOldClient(db: Kysely<unknown>, c: ClientRecord): Promise<void> {
  await sql`insert into clients (id, tenant_id, name, secret_hash, secret_prefix, totp_seed_sealed,
      public_keys, scopes, audiences, max_token_ttl_days, status, created_at, updated_at)
    values (${c.id}, ${c.tenantId}, ${c.name}, ${c.secretHash}, ${c.secretPrefix},
      ${c.totpSeedSealed}, ${JSON.stringify(c.publicKeys)}, ${JSON.stringify(c.scopes)},
      ${JSON.stringify(c.audiences)}, ${c.maxTokenTtlDays}, ${c.status}, ${c.createdAt},
      ${c.updatedAt})`.execute(db);
}

async function insertOldKey(db: Kysely<unknown>, k: ApiKeyRecord): Promise<void> {
  await sql`insert into api_keys (id, tenant_id, client_id, name, key_hash, key_prefix,
      created_at, last_used_at, revoked_at)
    values (${k.id}, ${k.tenantId}, ${k.clientId}, ${k.name}, ${k.keyHash}, ${k.keyPrefix},
      ${k.createdAt}, ${k.lastUsedAt}, ${k.revokedAt})`.execute(db);
}

/** A client made by the migration for an API key's client id. */
function migrated(tenantId: TenantId, id: string, name: string, since: number): ClientRecord {
  return {
    id: id as ClientId,
    tenantId,
    name,
    grantTypes: ["password", "refresh_token"],
    tokenEndpointAuthMethod: "none",
    secretHash: null,
    secretPrefix: null,
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    totpSeedSealed: null,
    publicKeys: [],
    scopes: [],
    audiences: [],
    maxTokenTtlDays: 90,
    status: "active",
    firstParty: false,
    createdAt: since,
    updatedAt: since,
  };
}

function describeMigration(name: string, open: () => Promise<OldStore>): void {
  it(`${name}: gives every API key's client a row and loses nothing`, async () => {
    const old = await open();
    try {
      const db = old.store.db as Kysely<unknown>;
      const a = tenantRecord().id;
      const b = tenantRecord().id;
      await insertTenant(db, a);
      await insertTenant(db, b);

      // A token-API client of tenant a, with everything a client could hold at 0005.
      const bot = clientRecord(a, {
        name: "deploy-bot",
        totpSeedSealed: `v1.iv-${suffix()}.sealed`,
        scopes: ["deploy:read", "tokens:write"],
        audiences: ["https://deploy.example.test"],
        maxTokenTtlDays: 60,
        status: "disabled",
        createdAt: T0 - 1000,
        updatedAt: T0 - 500,
      });
      const plain = clientRecord(a, { name: "plain-bot", scopes: [] });
      await insertOldClient(db, bot);
      await insertOldClient(db, plain);
      const token = automationTokenRecord(bot);
      await sql`insert into automation_tokens (id, tenant_id, client_id, kind, name, hash, prefix,
          scopes, audience, parent_id, created_at, expires_at, last_used_at, revoked_at,
          revoked_reason, replaced_by_id)
        values (${token.id}, ${token.tenantId}, ${token.clientId}, ${token.kind}, ${token.name},
          ${token.hash}, ${token.prefix}, ${JSON.stringify(token.scopes)}, ${token.audience},
          null, ${token.createdAt}, ${token.expiresAt}, null, null, null, null)`.execute(db);

      const long = `a${"x".repeat(99)}`;
      const keys = [
        // Two keys of one free-form client: it is created when the first one was.
        apiKeyRecord({ tenantId: a, id: "web-app" as ClientId }, { createdAt: T0 + 10 }),
        apiKeyRecord(
          { tenantId: a, id: "web-app" as ClientId },
          { createdAt: T0 + 5, revokedAt: T0 + 20, lastUsedAt: T0 + 7 },
        ),
        // A key naming the token-API client itself: that client gains the key's grants.
        apiKeyRecord(bot, { createdAt: T0 + 1 }),
        // An id that is the token-API client's name, and one that is that name's fallback.
        apiKeyRecord({ tenantId: a, id: "deploy-bot" as ClientId }, { createdAt: T0 + 2 }),
        apiKeyRecord({ tenantId: a, id: "apikey-deploy-bot" as ClientId }, { createdAt: T0 + 3 }),
        // Ids no name can be: generated-shaped, too long, starting with a dot.
        apiKeyRecord({ tenantId: a, id: GENERATED }, { createdAt: T0 + 4 }),
        apiKeyRecord({ tenantId: a, id: long as ClientId }, { createdAt: T0 + 6 }),
        apiKeyRecord({ tenantId: a, id: ".hidden" as ClientId }, { createdAt: T0 + 8 }),
        // Tenant b shares client ids with tenant a: each tenant keeps its own client.
        apiKeyRecord({ tenantId: b, id: "web-app" as ClientId }, { createdAt: T0 + 30 }),
        apiKeyRecord({ tenantId: b, id: GENERATED }, { createdAt: T0 + 31 }),
        apiKeyRecord({ tenantId: b, id: bot.id }, { createdAt: T0 + 32 }),
      ];
      for (const key of keys) {
        await insertOldKey(db, key);
      }

      // 0006 first, then whatever later migrations there are.
      expect((await old.upgrade())[0]).toBe("0006-one-client");

      // Sorted here: the database's collation may order punctuation otherwise.
      const byName = (clients: ClientRecord[]) =>
        [...clients].sort((x, y) => (x.name < y.name ? -1 : 1));
      expect(byName(await old.store.clients.list(a))).toEqual(
        byName([
          {
            ...bot,
            grantTypes: ["password", "refresh_token", "client_credentials", JWT_BEARER],
            tokenEndpointAuthMethod: "client_secret_basic",
          },
          {
            ...plain,
            grantTypes: ["client_credentials", JWT_BEARER],
            tokenEndpointAuthMethod: "client_secret_basic",
          },
          migrated(a, "web-app", "web-app", T0 + 5),
          migrated(a, "deploy-bot", "apikey-deploy-bot-2", T0 + 2),
          migrated(a, "apikey-deploy-bot", "apikey-deploy-bot", T0 + 3),
          migrated(a, GENERATED, `apikey-${GENERATED}`, T0 + 4),
          migrated(a, long, `apikey-${long}`.slice(0, 64), T0 + 6),
          migrated(a, ".hidden", "apikey-.hidden", T0 + 8),
        ]),
      );
      expect(byName(await old.store.clients.list(b))).toEqual(
        byName([
          migrated(b, "web-app", "web-app", T0 + 30),
          migrated(b, GENERATED, `apikey-${GENERATED}`, T0 + 31),
          migrated(b, bot.id, `apikey-${bot.id}`, T0 + 32),
        ]),
      );
      const sortById = (list: ApiKeyRecord[]) => [...list].sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(sortById(await old.store.apiKeys.list(a))).toEqual(
        sortById(keys.filter((k) => k.tenantId === a)),
      );
      expect(sortById(await old.store.apiKeys.list(b))).toEqual(
        sortById(keys.filter((k) => k.tenantId === b)),
      );
      expect(await old.store.automationTokens.get(token.id)).toEqual(token);

      // The references hold from now on: a key for a client its tenant lacks is refused.
      await expect(
        old.store.apiKeys.create(apiKeyRecord({ tenantId: b, id: plain.id })),
      ).rejects.toMatchObject({ code: "not_found" });
    } finally {
      await old.close();
    }
  });
}

describe("nameFor", () => {
  it("keeps an id that is a free name, and otherwise prefixes, cleans, cuts and counts", () => {
    const none = () => false;
    expect(nameFor("web-app", none)).toBe("web-app");
    expect(nameFor("web-app", (n) => n === "web-app")).toBe("apikey-web-app");
    const taken = (n: string) =>
      n === "web-app" || (n.startsWith("apikey-web-app") && n !== "apikey-web-app-3");
    expect(nameFor("web-app", taken)).toBe("apikey-web-app-3");
    expect(nameFor(GENERATED, none)).toBe(`apikey-${GENERATED}`);
    expect(nameFor("a b", none)).toBe("apikey-a-b");
    const cut = nameFor("y".repeat(128), (n) => n === `apikey-${"y".repeat(57)}`);
    expect(cut).toBe(`apikey-${"y".repeat(55)}-2`);
    expect(cut).toHaveLength(64);
  });
});

describe("0006-one-client", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  describeMigration("sqlite", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-0006-"));
    dirs.push(dir);
    const store = await openSqliteStore(join(dir, "tessera.db"), { migrate: false });
    const db = store.db as Kysely<unknown>;
    await migrateToLatest(db, "sqlite", { upTo: "0005-client-audiences" });
    return {
      store,
      upgrade: () => migrateToLatest(db, "sqlite"),
      close: () => store.close(),
    };
  });
});

const available = await postgresAvailable();

describeWithService("PostgreSQL", available, "0006-one-client on PostgreSQL", () => {
  describeMigration("postgres", async () => {
    const schema = newTestSchema();
    const store = await openPostgresStore(POSTGRES_URL, { schema, migrate: false });
    const db = store.db as Kysely<unknown>;
    await migrateToLatest(db, "postgres", { schema, upTo: "0005-client-audiences" });
    return {
      store,
      upgrade: () => migrateToLatest(db, "postgres", { schema }),
      close: async () => {
        await store.close();
        await dropTestSchema(schema);
      },
    };
  });
});
