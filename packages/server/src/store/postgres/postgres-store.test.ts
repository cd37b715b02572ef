import { describe, expect, it } from "vitest";
import {
  describeWithService,
  dropTestSchema,
  newTestSchema,
  POSTGRES_URL,
  postgresAvailable,
} from "../../../test/support/services.js";
import { describeStoreConformance } from "../conformance/store-conformance.js";
import { KNOWN_MIGRATIONS } from "../sql/migrate.js";
import { openPostgresStore } from "./open-postgres.js";

const available = await postgresAvailable();

describeWithService("PostgreSQL", available, "the PostgreSQL store", () => {
  describeStoreConformance("postgres", async () => {
    const schema = newTestSchema();
    const store = await openPostgresStore(POSTGRES_URL, { schema });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropTestSchema(schema);
      },
    };
  });

  describe("the maintenance lock across instances", () => {
    it("is held by one instance at a time, and only within its schema", async () => {
      const schema = newTestSchema();
      const otherSchema = newTestSchema();
      const [first, second, elsewhere] = await Promise.all([
        openPostgresStore(POSTGRES_URL, { schema, poolSize: 2 }),
        openPostgresStore(POSTGRES_URL, { schema, poolSize: 2 }),
        openPostgresStore(POSTGRES_URL, { schema: otherSchema, poolSize: 2 }),
      ]);
      try {
        let release = () => {};
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let entered = () => {};
        const inside = new Promise<void>((resolve) => {
          entered = resolve;
        });
        const holder = first.maintenance.tryLock("purge", async () => {
          entered();
          await held;
        });
        await inside;

        expect(await second.maintenance.tryLock("purge", async () => "second")).toEqual({
          acquired: false,
        });
        expect(await elsewhere.maintenance.tryLock("purge", async () => "elsewhere")).toEqual({
          acquired: true,
          result: "elsewhere",
        });
        release();
        await holder;
        expect(await second.maintenance.tryLock("purge", async () => "second")).toEqual({
          acquired: true,
          result: "second",
        });
      } finally {
        await Promise.all([first.close(), second.close(), elsewhere.close()]);
        await Promise.all([dropTestSchema(schema), dropTestSchema(otherSchema)]);
      }
    });

    it("runs the locked work on the lock's own connection, so a pool of one does not wait on itself", async () => {
      const schema = newTestSchema();
      const store = await openPostgresStore(POSTGRES_URL, { schema, poolSize: 1 });
      try {
        const outcome = await store.maintenance.tryLock("purge", async (locked) => ({
          sessions: await locked.purgeEndedSessions(Date.now()),
          tokens: await locked.purgeEndedAutomationTokens(Date.now()),
          claims: await locked.purgeExpiredClaims(Date.now()),
        }));

        expect(outcome).toEqual({
          acquired: true,
          result: { sessions: { sessions: 0, refreshTokens: 0 }, tokens: 0, claims: 0 },
        });
        // Released: the only connection takes it again.
        expect((await store.maintenance.tryLock("purge", async () => true)).acquired).toBe(true);
      } finally {
        await store.close();
        await dropTestSchema(schema);
      }
    });
  });

  describe("openPostgresStore", () => {
    it("applies every migration once when several instances start at once", async () => {
      const schema = newTestSchema();
      try {
        const stores = await Promise.all(
          Array.from({ length: 4 }, () => openPostgresStore(POSTGRES_URL, { schema, poolSize: 2 })),
        );
        const applied = stores.flatMap((store) => [...store.migrationsApplied]);
        expect(applied.sort()).toEqual([...KNOWN_MIGRATIONS].sort());
        await Promise.all(stores.map((store) => store.ping()));
        await Promise.all(stores.map((store) => store.close()));
      } finally {
        await dropTestSchema(schema);
      }
    });

    it("reports an unreachable server as unavailable, not as a failure", async () => {
      const store = await openPostgresStore("postgres://127.0.0.1:1/test", { migrate: false });
      try {
        await expect(store.ping()).rejects.toMatchObject({
          code: "unavailable",
          retryAfterSeconds: 1,
        });
      } finally {
        await store.close();
      }
    });
  });
});
