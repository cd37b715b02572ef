import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  it("starts on 127.0.0.1:8080 with ./data and the default tenant when nothing is set", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: "development",
      host: "127.0.0.1",
      port: 8080,
      publicUrl: "http://127.0.0.1:8080",
      defaultTenant: "default",
      operationsTenant: "default",
      masterKey: undefined,
      admin: undefined,
    });
    expect(config.dataDir).toBe(join(process.cwd(), "data"));
  });

  it("honours PORT and HOST, with TESSERA_ variables taking precedence", () => {
    expect(loadConfig({ PORT: "9000", HOST: "0.0.0.0" })).toMatchObject({
      port: 9000,
      host: "0.0.0.0",
      publicUrl: "http://127.0.0.1:9000",
    });
    expect(loadConfig({ PORT: "9000", TESSERA_PORT: "9100" }).port).toBe(9100);
  });

  it("serves the operations API from the default tenant unless TESSERA_OPERATIONS_TENANT names another", () => {
    expect(loadConfig({ TESSERA_DEFAULT_TENANT: "acme" }).operationsTenant).toBe("acme");
    expect(
      loadConfig({ TESSERA_DEFAULT_TENANT: "acme", TESSERA_OPERATIONS_TENANT: "harper" })
        .operationsTenant,
    ).toBe("harper");
    expect(problems({ TESSERA_OPERATIONS_TENANT: "Not A Slug" }).join("\n")).toMatch(
      /TESSERA_OPERATIONS_TENANT/,
    );
  });

  it("uses SQLite unless TESSERA_DATABASE_URL names a PostgreSQL database", () => {
    expect(loadConfig({}).database).toBeUndefined();
    expect(
      loadConfig({
        TESSERA_DATABASE_URL: "postgres://tessera@db.internal:5432/tessera",
        TESSERA_DATABASE_POOL_SIZE: "20",
      }).database,
    ).toEqual({
      url: "postgres://tessera@db.internal:5432/tessera",
      poolSize: 20,
      schema: undefined,
    });
    expect(problems({ TESSERA_DATABASE_URL: "mysql://db/tessera" }).join("\n")).toMatch(
      /TESSERA_DATABASE_URL: must be a postgres:\/\/ URL/,
    );
  });

  describe("TESSERA_REDIS_PREFIX", () => {
    const DB = "postgres://tessera:first-secret@db.internal:5432/tessera";
    const prefixOf = (env: Record<string, string>) => loadConfig(env).redisPrefix;

    it("defaults to one prefix per PostgreSQL database and schema, whatever the credentials", () => {
      const prefix = prefixOf({ TESSERA_DATABASE_URL: DB, TESSERA_DATABASE_SCHEMA: "auth" });

      expect(prefix).toMatch(/^tessera:[0-9a-f]{16}$/);
      // Another instance of the deployment: another data dir, user and password, same database.
      expect(
        prefixOf({
          TESSERA_DATABASE_URL: "postgres://other:second-secret@DB.internal/tessera",
          TESSERA_DATABASE_SCHEMA: "auth",
          TESSERA_DATA_DIR: "/srv/elsewhere",
        }),
      ).toBe(prefix);
      // Another deployment: another schema, database, host or port.
      const others = [
        { TESSERA_DATABASE_URL: DB, TESSERA_DATABASE_SCHEMA: "auth2" },
        { TESSERA_DATABASE_URL: DB },
        {
          TESSERA_DATABASE_URL: DB.replace(/\/tessera$/, "/staging"),
          TESSERA_DATABASE_SCHEMA: "auth",
        },
        {
          TESSERA_DATABASE_URL: DB.replace("db.internal", "db2.internal"),
          TESSERA_DATABASE_SCHEMA: "auth",
        },
        { TESSERA_DATABASE_URL: DB.replace(":5432", ":5433"), TESSERA_DATABASE_SCHEMA: "auth" },
      ];
      for (const env of others) {
        expect(prefixOf(env)).not.toBe(prefix);
      }
      // The default schema is public, named or not.
      expect(prefixOf({ TESSERA_DATABASE_URL: DB })).toBe(
        prefixOf({ TESSERA_DATABASE_URL: DB, TESSERA_DATABASE_SCHEMA: "public" }),
      );
      expect(prefix).not.toMatch(/secret|tessera@|db\.internal|auth/);
    });

    it("defaults to one prefix per SQLite data dir, by its absolute path", () => {
      const prefix = prefixOf({ TESSERA_DATA_DIR: "/srv/tessera/data" });

      expect(prefix).toMatch(/^tessera:[0-9a-f]{16}$/);
      expect(prefixOf({ TESSERA_DATA_DIR: "/srv/tessera/../tessera/data/" })).toBe(prefix);
      expect(prefixOf({ TESSERA_DATA_DIR: "/srv/other/data" })).not.toBe(prefix);
      expect(prefixOf({})).toBe(prefixOf({ TESSERA_DATA_DIR: join(process.cwd(), "data") }));
    });

    it("takes a prefix as set, and refuses control characters, spaces and overlong values", () => {
      expect(prefixOf({ TESSERA_REDIS_PREFIX: "tessera:prod-eu", TESSERA_DATABASE_URL: DB })).toBe(
        "tessera:prod-eu",
      );
      for (const bad of ["tessera\nprod", "tessera prod", "tessera\u0000", "x\u009b", "é"]) {
        expect(problems({ TESSERA_REDIS_PREFIX: bad })).toEqual([
          "TESSERA_REDIS_PREFIX: must be printable ASCII, without spaces or control characters",
        ]);
      }
      expect(problems({ TESSERA_REDIS_PREFIX: "x".repeat(101) })).toEqual([
        "TESSERA_REDIS_PREFIX: must be at most 100 characters",
      ]);
      expect(prefixOf({ TESSERA_REDIS_PREFIX: "x".repeat(100) })).toBe("x".repeat(100));
    });

    it("refuses a database URL the driver cannot read, without echoing it", () => {
      const found = problems({ TESSERA_DATABASE_URL: "postgres://u:hunter2@[bad/db" });

      expect(found).toEqual(["TESSERA_DATABASE_URL: is not a valid URL"]);
    });
  });

  it("purges hourly with a week's retention unless told otherwise; 0 turns the schedule off", () => {
    expect(loadConfig({}).purge).toEqual({ intervalSeconds: 3600, retentionDays: 7 });
    expect(
      loadConfig({ TESSERA_PURGE_INTERVAL_SECONDS: "0", TESSERA_PURGE_RETENTION_DAYS: "30" }).purge,
    ).toEqual({ intervalSeconds: 0, retentionDays: 30 });
    expect(
      problems({ TESSERA_PURGE_INTERVAL_SECONDS: "-1", TESSERA_PURGE_RETENTION_DAYS: "1.5" }),
    ).toEqual([
      expect.stringMatching(/^TESSERA_PURGE_INTERVAL_SECONDS: /),
      expect.stringMatching(/^TESSERA_PURGE_RETENTION_DAYS: /),
    ]);
  });

  it("checks for signing keys due for rotation hourly unless told otherwise; 0 turns it off", () => {
    expect(loadConfig({}).keyRotation).toEqual({ checkSeconds: 3600 });
    expect(loadConfig({ TESSERA_KEY_ROTATION_CHECK_SECONDS: "0" }).keyRotation).toEqual({
      checkSeconds: 0,
    });
    expect(problems({ TESSERA_KEY_ROTATION_CHECK_SECONDS: "-1" })).toEqual([
      expect.stringMatching(/^TESSERA_KEY_ROTATION_CHECK_SECONDS: /),
    ]);
  });

  it("gives Tessera's own tokens 1 s of leeway and client assertions 5 s, each configurable and checked", () => {
    expect(loadConfig({})).toMatchObject({
      clockToleranceSeconds: 1,
      assertionClockToleranceSeconds: 5,
    });
    expect(
      loadConfig({
        TESSERA_CLOCK_TOLERANCE_SECONDS: "0",
        TESSERA_ASSERTION_CLOCK_TOLERANCE_SECONDS: "30",
      }),
    ).toMatchObject({ clockToleranceSeconds: 0, assertionClockToleranceSeconds: 30 });
    expect(
      problems({
        TESSERA_CLOCK_TOLERANCE_SECONDS: "-1",
        TESSERA_ASSERTION_CLOCK_TOLERANCE_SECONDS: "soon",
      }),
    ).toEqual([
      expect.stringContaining("TESSERA_CLOCK_TOLERANCE_SECONDS"),
      expect.stringContaining("TESSERA_ASSERTION_CLOCK_TOLERANCE_SECONDS"),
    ]);
  });

  it("lists every problem at once", () => {
    const found = problems({
      TESSERA_PORT: "eighty",
      TESSERA_LOG_LEVEL: "loud",
      TESSERA_MASTER_KEY: "short",
      TESSERA_ADMIN_USERNAME: "admin",
      TESSERA_ARGON2_MEMORY_KIB: "1024",
    });
    expect(found.join("\n")).toMatch(/TESSERA_PORT/);
    expect(found.join("\n")).toMatch(/TESSERA_LOG_LEVEL/);
    expect(found.join("\n")).toMatch(/TESSERA_MASTER_KEY/);
    expect(found.join("\n")).toMatch(/TESSERA_ARGON2_MEMORY_KIB/);
    expect(found.join("\n")).toMatch(/TESSERA_ADMIN_USERNAME and TESSERA_ADMIN_PASSWORD/);
    expect(found.length).toBeGreaterThanOrEqual(5);
  });

  it("names unknown settings in the config file", () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-config-"));
    const file = join(dir, "tessera.json");
    writeFileSync(file, JSON.stringify({ TESSERA_PROT: 7000 }));
    expect(problems({ TESSERA_CONFIG_FILE: file })).toEqual([
      "TESSERA_CONFIG_FILE: unknown setting TESSERA_PROT",
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("requires the admin username and password together, and a master key in production", () => {
    expect(problems({ TESSERA_ADMIN_PASSWORD: "long-enough" })).toEqual([
      "TESSERA_ADMIN_USERNAME and TESSERA_ADMIN_PASSWORD must be set together",
    ]);
    expect(problems({ TESSERA_ENV: "production" })[0]).toMatch(/TESSERA_MASTER_KEY: required/);
    expect(problems({ NODE_ENV: "production" })[0]).toMatch(/TESSERA_MASTER_KEY: required/);
  });

  it("accepts a master key as 64 hex characters or base64 of 32 bytes", () => {
    const hex = "ab".repeat(32);
    expect(loadConfig({ TESSERA_MASTER_KEY: hex }).masterKey?.toString("hex")).toBe(hex);
    const b64 = Buffer.alloc(32, 7).toString("base64");
    expect(loadConfig({ TESSERA_MASTER_KEY: b64 }).masterKey).toEqual(Buffer.alloc(32, 7));
  });

  it("reads a JSON config file, with the environment winning", () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-config-"));
    const file = join(dir, "tessera.json");
    writeFileSync(file, JSON.stringify({ TESSERA_PORT: 7000, TESSERA_LOG_LEVEL: "warn" }));
    const config = loadConfig({ TESSERA_CONFIG_FILE: file, TESSERA_LOG_LEVEL: "debug" });
    expect(config.port).toBe(7000);
    expect(config.logLevel).toBe("debug");
    expect(problems({ TESSERA_CONFIG_FILE: join(dir, "missing.json") })[0]).toMatch(
      /TESSERA_CONFIG_FILE: cannot read/,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it("treats empty variables as unset and strips a trailing slash from the public URL", () => {
    const config = loadConfig({
      TESSERA_PORT: "",
      TESSERA_PUBLIC_URL: "https://auth.example.com/",
    });
    expect(config.port).toBe(8080);
    expect(config.publicUrl).toBe("https://auth.example.com");
  });
});
