import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import {
  describeWithService,
  newTestSchema,
  POSTGRES_URL,
  postgresAvailable,
} from "../../test/support/services.js";
import { loadConfig } from "../config/config.js";
import type { TenantId } from "../core/ids.js";
import { bootstrap } from "./bootstrap.js";
import { openRuntime } from "./runtime.js";

const available = await postgresAvailable();

describeWithService("PostgreSQL", available, "bootstrap on a shared database", () => {
  it("initialises once when three instances start at once on a new database", async () => {
    const schema = newTestSchema();
    const masterKey = randomBytes(32).toString("base64");
    const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), "tessera-bootstrap-")));
    const configs = dirs.map((dir) =>
      loadConfig({
        TESSERA_DATA_DIR: dir,
        TESSERA_MASTER_KEY: masterKey,
        TESSERA_DATABASE_URL: POSTGRES_URL,
        TESSERA_DATABASE_SCHEMA: schema,
        TESSERA_ADMIN_USERNAME: "admin",
        TESSERA_ADMIN_PASSWORD: "a long enough password",
      }),
    );
    const runtimes = await Promise.all(configs.map((config) => openRuntime(config)));
    try {
      const results = await Promise.all(
        configs.map(async (config, i) => {
          const runtime = runtimes[i];
          if (runtime === undefined) {
            throw new Error("a runtime did not open");
          }
          return bootstrap(runtime.ctx, config);
        }),
      );

      expect(results.filter((r) => r.tenantCreated)).toHaveLength(1);
      expect(results.filter((r) => r.adminCreated)).toHaveLength(1);
      const store = runtimes[0]?.ctx.store;
      const keys = (await store?.signingKeys.list("default" as TenantId)) ?? [];
      const active = keys.filter((key) => key.status === "active").map((key) => key.algorithm);
      expect(active.sort()).toEqual(["ES256", "RS256"]);
      expect((await store?.users.list("default" as TenantId))?.map((u) => u.username)).toEqual([
        "admin",
      ]);
    } finally {
      await Promise.all(runtimes.map((runtime) => runtime.close()));
      for (const dir of dirs) {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
