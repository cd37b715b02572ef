/**
 * 0008-audit-search on a database written at version 0007, on SQLite and on
 * PostgreSQL: events recorded before it are found by the client their
 * detail named, and nothing else about them changes.
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
import { type ClientId, newClientId, newUserId, type TenantId } from "../../../core/ids.js";
import { suffix, T0 } from "../../conformance/fixtures.js";
import { openPostgresStore } from "../../postgres/open-postgres.js";
import { openSqliteStore } from "../../sqlite/open-sqlite.js";
import { migrateToLatest } from "../migrate.js";
import type { SqlStore } from "../sql-store.js";

/** A store at version 0007, and how to bring it to the latest. */
interface OldStore {
  readonly store: SqlStore;
  readonly upgrade: () => Promise<string[]>;
  readonly close: () => Promise<void>;
}

/** An audit row as version 0007 writes it: no client columns, the client in the detail. */
async function insertOldEvent(
  db: Kysely<unknown>,
  tenantId: TenantId,
  type: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await sql`insert into audit_events (tenant_id, at, type, actor_user_id, subject_user_id,
      session_id, ip, detail)
    values (${tenantId}, ${T0}, ${type}, null, ${newUserId()}, null, '192.0.2.1',
      ${JSON.stringify(detail)})`.execute(db);
}

function describeMigration(name: string, open: () => Promise<OldStore>): void {
  it(`${name}: finds events recorded before it by the client their detail names`, async () => {
    const old = await open();
    try {
      const db = old.store.db as Kysely<unknown>;
      const tenantId = `old-${suffix()}` as TenantId;
      const app = newClientId();
      const bot = newClientId();
      await insertOldEvent(db, tenantId, "login.succeeded", { clientId: app });
      await insertOldEvent(db, tenantId, "token.revoked", { clientId: app, byClientId: bot });
      await insertOldEvent(db, tenantId, "client.step_up_failed", { clientId: null });
      await insertOldEvent(db, tenantId, "user.created", { username: "clientId" });

      expect((await old.upgrade())[0]).toBe("0008-audit-search");

      const all = await old.store.audit.search(tenantId, {}, { limit: 10 });
      expect(all.events.map((e) => [e.type, e.actorClientId, e.clientId])).toEqual([
        ["user.created", null, null],
        ["client.step_up_failed", null, null],
        ["token.revoked", bot, app],
        ["login.succeeded", null, app],
      ]);
      expect(all.events[1]?.detail).toEqual({ clientId: null });
      expect(all.events[2]?.detail).toEqual({ clientId: app, byClientId: bot });
      const byBot = await old.store.audit.search(tenantId, { clientId: bot }, { limit: 10 });
      expect(byBot.events.map((e) => e.type)).toEqual(["token.revoked"]);
      const byApp = await old.store.audit.search(tenantId, { clientId: app }, { limit: 10 });
      expect(byApp.events.map((e) => e.type)).toEqual(["token.revoked", "login.succeeded"]);
      const unknown = "nobody" as ClientId;
      expect(
        (await old.store.audit.search(tenantId, { clientId: unknown }, { limit: 10 })).events,
      ).toEqual([]);
    } finally {
      await old.close();
    }
  });
}

describe("0008-audit-search", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  describeMigration("sqlite", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-0008-"));
    dirs.push(dir);
    const store = await openSqliteStore(join(dir, "tessera.db"), { migrate: false });
    const db = store.db as Kysely<unknown>;
    await migrateToLatest(db, "sqlite", { upTo: "0007-oauth-password-grant" });
    return {
      store,
      upgrade: () => migrateToLatest(db, "sqlite"),
      close: () => store.close(),
    };
  });
});

const available = await postgresAvailable();

describeWithService("PostgreSQL", available, "0008-audit-search on PostgreSQL", () => {
  describeMigration("postgres", async () => {
    const schema = newTestSchema();
    const store = await openPostgresStore(POSTGRES_URL, { schema, migrate: false });
    const db = store.db as Kysely<unknown>;
    await migrateToLatest(db, "postgres", { schema, upTo: "0007-oauth-password-grant" });
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
