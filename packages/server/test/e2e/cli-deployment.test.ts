/**
 * Which deployment the CLI acts on, run as an operator runs it (the built
 * `tessera`, real directories, a real PostgreSQL): it finds the data dir as
 * `serve` does, says where it acts, and never creates a deployment: only
 * `init` and `serve` do. Run anywhere else, a command fails in one line
 * naming where it looked, and the directory stays as it was.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startServerProcess } from "../support/processes.js";
import {
  describeWithService,
  newTestSchema,
  POSTGRES_URL,
  postgresAvailable,
} from "../support/services.js";

const HOW = "point to yours with --data-dir DIR or TESSERA_DATA_DIR";
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "tessera-e2e-deployment-"));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A new empty directory under the suite's root. */
function emptyDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  return dir;
}

describe("a command run where there is no deployment", () => {
  const commands = [
    ["user", "list"],
    ["apikey", "create"],
    ["role", "list"],
    ["sessions", "list"],
    ["tenant", "create", "acme"],
    ["purge"],
    ["migrate"],
  ];

  it.each(commands.map((args) => [args.join(" "), args] as const))(
    "%s fails in one line naming ./data, and the directory stays empty",
    (_, args) => {
      const cwd = emptyDir(`nowhere-${args.join("-")}`);
      const result = runCli([...args], {}, undefined, { cwd });
      expect([result.status, result.stdout, result.stderr]).toEqual([
        1,
        "",
        `tessera: No data dir at ${join(cwd, "data")} (nothing was created): ${HOW}, or create it with \`init\`\n`,
      ]);
      expect(readdirSync(cwd)).toEqual([]);
    },
  );

  it("says the same as JSON on standard output with --json", () => {
    const cwd = emptyDir("nowhere-json");
    const result = runCli(["user", "list", "--json"], {}, undefined, { cwd });
    expect([result.status, JSON.parse(result.stdout), result.stderr]).toEqual([
      1,
      {
        error: {
          code: "not_initialised",
          message: `No data dir at ${join(cwd, "data")} (nothing was created): ${HOW}, or create it with \`init\``,
        },
      },
      "",
    ]);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("refuses a data dir without a database, or with a database that is not Tessera's, writing nothing", () => {
    const empty = emptyDir("empty-data-dir");
    const bare = runCli(["user", "list", "--data-dir", empty], {});
    expect([bare.status, bare.stderr]).toEqual([
      1,
      `tessera: No Tessera database at ${join(empty, "tessera.db")} (nothing was created): ${HOW}, or create it with \`init\`\n`,
    ]);
    expect(readdirSync(empty)).toEqual([]);

    const foreign = emptyDir("foreign-data-dir");
    const file = new BetterSqlite3(join(foreign, "tessera.db"));
    file.exec("create table notes (body text)");
    file.close();
    const refused = runCli(["apikey", "create", "--data-dir", foreign], {});
    expect([refused.status, refused.stderr]).toEqual([
      1,
      `tessera: ${join(foreign, "tessera.db")} holds no Tessera tables (nothing was created): ${HOW}, or create them with \`init\`\n`,
    ]);
    expect(readdirSync(foreign)).toEqual(["tessera.db"]);
    const after = new BetterSqlite3(join(foreign, "tessera.db"), { readonly: true });
    const tables = after.prepare("select name from sqlite_master where type = 'table'").all();
    const journal = after.pragma("journal_mode", { simple: true });
    after.close();
    expect([tables, journal]).toEqual([[{ name: "notes" }], "delete"]);
  });

  it("refuses a data dir whose master key file is gone instead of making a new key", () => {
    const dataDir = join(root, "keyless");
    expect(runCli(["init", "--data-dir", dataDir], {}).status).toBe(0);
    rmSync(join(dataDir, "master.key"));
    const result = runCli(["user", "list", "--data-dir", dataDir], {});
    expect([result.status, result.stderr]).toEqual([
      1,
      `tessera: No master key: TESSERA_MASTER_KEY is not set and ${join(dataDir, "master.key")} does not exist (nothing was created): set the deployment's TESSERA_MASTER_KEY, or ${HOW}\n`,
    ]);
    expect(readdirSync(dataDir)).toEqual(["tessera.db"]);
  });

  it("refuses a database without the default tenant instead of making it", () => {
    const dataDir = join(root, "other-tenant");
    expect(runCli(["init", "--data-dir", dataDir], {}).status).toBe(0);
    const result = runCli(["user", "list", "--data-dir", dataDir], {
      TESSERA_DEFAULT_TENANT: "elsewhere",
    });
    expect([result.status, result.stderr]).toEqual([
      1,
      `tessera: ${join(dataDir, "tessera.db")} has no tenant elsewhere (TESSERA_DEFAULT_TENANT) (nothing was created): create it with \`init\`, or point to your deployment with --data-dir DIR or TESSERA_DATA_DIR\n`,
    ]);
    const tenants = runCli(["tenant", "list", "--json", "--data-dir", dataDir], {});
    expect(JSON.parse(tenants.stdout)).toEqual([expect.objectContaining({ id: "default" })]);
  });
});

describe("--data-dir", () => {
  it("points every command at one deployment from any directory, before or after the command", () => {
    const cwd = emptyDir("elsewhere");
    const dataDir = join(root, "chosen");
    const init = runCli(["init", "--data-dir", dataDir, "--json"], {}, undefined, { cwd });
    expect(init.status, init.stderr).toBe(0);
    const where = { dataDir, database: join(dataDir, "tessera.db") };
    expect(JSON.parse(init.stdout)).toMatchObject({ tenantCreated: true, deployment: where });

    const key = runCli(["--data-dir", dataDir, "apikey", "create", "--json"], {}, undefined, {
      cwd,
    });
    expect(key.status, key.stderr).toBe(0);
    expect(JSON.parse(key.stdout)).toMatchObject({ tenantId: "default", deployment: where });
    // Given after an option of the command, too; and it wins over TESSERA_DATA_DIR.
    const keys = runCli(
      ["apikey", "list", "--json", "--data-dir", dataDir],
      { TESSERA_DATA_DIR: join(root, "not-this-one") },
      undefined,
      { cwd },
    );
    expect(keys.status, keys.stderr).toBe(0);
    expect(JSON.parse(keys.stdout)).toHaveLength(1);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("is refused when empty", () => {
    const result = runCli(["user", "list", "--data-dir", ""], {});
    expect([result.status, result.stderr]).toEqual([
      1,
      "tessera: --data-dir must name a directory\n",
    ]);
  });
});

describe("the serve banner's first steps", () => {
  it("name the data dir when it is not ./data of the server's directory", async () => {
    const dataDir = join(root, "served");
    const server = await startServerProcess({ TESSERA_DATA_DIR: dataDir });
    await server.stop();
    expect(server.output()).toContain(
      [
        "First steps, in another terminal:",
        `  echo 'a-long-password' | npx tessera-auth user add alice --password-stdin --data-dir ${dataDir}`,
        `  npx tessera-auth apikey create --data-dir ${dataDir}`,
      ].join("\n"),
    );
    // And what they say works from another directory.
    const cwd = emptyDir("second-terminal");
    const key = runCli(["apikey", "create", "--data-dir", dataDir], {}, undefined, { cwd });
    expect(key.status, key.stderr).toBe(0);
  });

  it("say to run them in the server's directory when the data dir is ./data there", async () => {
    const cwd = emptyDir("served-here");
    const server = await startServerProcess({}, { cwd });
    await server.stop();
    expect(server.output()).toContain(
      [
        "First steps, in another terminal in this directory:",
        "  echo 'a-long-password' | npx tessera-auth user add alice --password-stdin",
        "  npx tessera-auth apikey create",
      ].join("\n"),
    );
  });
});

describeWithService(
  "PostgreSQL",
  await postgresAvailable(),
  "a PostgreSQL database without Tessera's tables",
  () => {
    const schema = newTestSchema();
    const env = {
      TESSERA_DATABASE_URL: POSTGRES_URL,
      TESSERA_DATABASE_SCHEMA: schema,
      TESSERA_MASTER_KEY: randomBytes(32).toString("base64"),
    };

    async function schemaExists(): Promise<boolean> {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        const { rows } = await client.query("select 1 from pg_namespace where nspname = $1", [
          schema,
        ]);
        return rows.length === 1;
      } finally {
        await client.end();
      }
    }

    it("is refused by every command but init, serve and migrate, and nothing is created", async () => {
      const cwd = emptyDir("postgres-cwd");
      const result = runCli(["user", "list"], env, undefined, { cwd });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        /^tessera: postgres:\/\/\S+ holds no Tessera tables \(nothing was created\): point to yours with TESSERA_DATABASE_URL \(and TESSERA_DATABASE_SCHEMA\), or create them with `init`\n$/,
      );
      expect(await schemaExists()).toBe(false);
      expect(readdirSync(cwd)).toEqual([]);
    });

    it("gets its tables from migrate, and its tenant from init", async () => {
      const cwd = emptyDir("postgres-migrate");
      const migrate = runCli(["migrate", "--json"], env, undefined, { cwd });
      expect(migrate.status, migrate.stderr).toBe(0);
      expect(JSON.parse(migrate.stdout).applied).toContain("0001-initial");
      expect(await schemaExists()).toBe(true);
      const early = runCli(["user", "list"], env, undefined, { cwd });
      expect([early.status, early.stderr]).toEqual([
        1,
        expect.stringContaining("has no tenant default"),
      ]);
      expect(runCli(["init"], env, undefined, { cwd }).status).toBe(0);
      const users = runCli(["user", "list", "--json"], env, undefined, { cwd });
      expect([users.status, JSON.parse(users.stdout)]).toEqual([0, []]);
      expect(readdirSync(cwd)).toEqual([]);
    });
  },
);
