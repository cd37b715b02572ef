/**
 * The CLI's text output shows stored values with their control and
 * bidirectional characters escaped, so a value stored before Tessera refused
 * such characters (or written by anything else with access to the database)
 * cannot forge or erase a line in an operator's terminal. Run through the
 * built `tessera`, on SQLite and on PostgreSQL, with the values written
 * straight into the store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiKeyId, ClientId, TenantId, UserId } from "../../src/core/ids.js";
import { openPostgresStore } from "../../src/store/postgres/open-postgres.js";
import type { SqlStore } from "../../src/store/sql/sql-store.js";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite.js";
import { type Deployment, newDeployment } from "../support/deployment.js";
import { POSTGRES_URL } from "../support/services.js";

const TENANT = "default" as TenantId;
/** A failed login's username that, printed raw, shows as a second, successful login. */
const FORGED =
  "mallory\n2001-01-01T00:00:00.000Z #4242 login.succeeded user=forged\r\u001b[2K\u009b2K\u202eevil\u2066";
const ESCAPED =
  "mallory\\n2001-01-01T00:00:00.000Z #4242 login.succeeded user=forged\\r\\x1b[2K\\x9b2K\\u{202e}evil\\u{2066}";
/** Anything a terminal acts on or hides, but the line feed that ends each line. */
const UNSAFE = /(?!\n)[\p{Cc}\p{Cf}\u2028\u2029]/u;

async function openStore(deployment: Deployment, dataDir: string): Promise<SqlStore> {
  return deployment.schema === undefined
    ? openSqliteStore(`${dataDir}/tessera.db`)
    : openPostgresStore(POSTGRES_URL, { schema: deployment.schema });
}

describe.each(["sqlite", "postgres"] as const)("the CLI's text output on %s", (store) => {
  let deployment: Deployment;

  function cli(args: string[]) {
    const result = deployment.cli(args);
    expect(result.status, result.stderr).toBe(0);
    return result.stdout;
  }

  beforeAll(async () => {
    deployment = newDeployment({ store });
    const init = deployment.cli(["init", "--json"]);
    expect(init.status, init.stderr).toBe(0);
    const { dataDir } = JSON.parse(init.stdout) as { dataDir: string };
    const db = await openStore(deployment, dataDir);
    try {
      const now = Date.now();
      await db.users.create({
        id: "0b7e3c1a-5d1f-4b8e-9c52-4f1a2b3c4d5e" as UserId,
        tenantId: TENANT,
        username: FORGED,
        passwordHash: "not a hash",
        status: "active",
        permissions: [],
        roleId: null,
        rolePermissions: [],
        createdAt: now,
        updatedAt: now,
      });
      // An API key belongs to a client: one whose name is forged too.
      await db.clients.create({
        id: "forged-client" as ClientId,
        tenantId: TENANT,
        name: FORGED,
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
        createdAt: now,
        updatedAt: now,
      });
      await db.apiKeys.create({
        id: "ak_forged" as ApiKeyId,
        tenantId: TENANT,
        clientId: "forged-client" as ClientId,
        name: FORGED,
        keyHash: "0".repeat(64) as never,
        keyPrefix: "tsr_ak_00000",
        createdAt: now,
        lastUsedAt: null,
        revokedAt: null,
      });
      await db.tenants.update(TENANT, { displayName: FORGED }, now);
      await db.audit.append({
        tenantId: TENANT,
        at: now,
        type: "login.failed",
        ip: "127.0.0.1\u001b[1A",
        detail: { username: FORGED, reason: "bad_password" },
      });
    } finally {
      await db.close();
    }
  });
  afterAll(async () => {
    await deployment.cleanup();
  });

  it.each([
    ["audit tail", ["audit", "tail", "-n", "1"], 1],
    ["user list", ["user", "list"], 2],
    ["apikey list", ["apikey", "list"], 2],
    // The header, the forged client, and the CLI's own tessera-cli.
    ["client list", ["client", "list"], 3],
    ["tenant list", ["tenant", "list"], 2],
  ] as const)(
    "%s prints the stored value escaped, on the lines it should",
    (_name, args, lines) => {
      const stdout = cli([...args]);
      expect(stdout).not.toMatch(UNSAFE);
      expect(stdout).toContain(ESCAPED);
      expect(stdout.endsWith("\n")).toBe(true);
      expect(stdout.split("\n").slice(0, -1)).toHaveLength(lines);
      expect(stdout).not.toMatch(/^2001-01-01/m);
    },
  );

  it("audit tail escapes the IP too", () => {
    expect(cli(["audit", "tail", "-n", "1"])).toContain("ip=127.0.0.1\\x1b[1A");
  });

  it("--json keeps the value, and escapes what JSON leaves raw (C1, bidirectional controls)", () => {
    const stdout = cli(["user", "list", "--json"]);
    expect(stdout).not.toMatch(UNSAFE);
    const users = JSON.parse(stdout) as { username: string }[];
    expect(users.map((u) => u.username)).toContain(FORGED);
    const audit = cli(["audit", "tail", "-n", "1", "--json"]);
    expect(audit).not.toMatch(UNSAFE);
    expect(audit.split("\n").slice(0, -1)).toHaveLength(1);
    expect((JSON.parse(audit) as { detail: { username: string } }).detail.username).toBe(FORGED);
  });

  it("a failure message is one escaped line on stderr", () => {
    const result = deployment.cli(["client", "show", "no\u200bsuch"]);
    expect(result.status).toBe(1);
    expect(result.stderr).not.toMatch(UNSAFE);
    expect(result.stderr.split("\n").slice(0, -1)).toHaveLength(1);
  });

  it("user add refuses a username outside the username profile", () => {
    const result = deployment.cli(
      ["user", "add", "Jane Doe", "--password-stdin"],
      "long-password-1\n",
    );
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 1,
      stderr:
        "tessera: A username may hold only letters, digits, combining marks and ! # $ % & ' * + - / = ? ^ _ ` { | } ~ . @, and may not start with a combining mark\n",
    });
  });
});
