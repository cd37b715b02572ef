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
