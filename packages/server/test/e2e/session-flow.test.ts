import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  requestsMissingFromLog,
  runCli,
  type ServerProcess,
  startServerProcess,
} from "../support/processes.js";

const PASSWORD = "e2e password with spaces ✓";
const ADMIN_PASSWORD = "admin-password-0123";
let dataDir: string;
let env: Record<string, string>;
let server: ServerProcess;
let apiKey: string;
const secretsSeen: string[] = [PASSWORD, ADMIN_PASSWORD];
/** Every request sent to the server ("METHOD /path"), for the log scan to find. */
const requestsSent: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tessera-e2e-"));
  env = {
    TESSERA_DATA_DIR: dataDir,
    TESSERA_LOG_LEVEL: "trace",
    TESSERA_ADMIN_USERNAME: "admin",
    TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
  };
  server = await startServerProcess(env);
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function post(path: string, body: unknown, method = "POST") {
  requestsSent.push(`${method} ${path}`);
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("a newcomer's first minute, against a real server and the real CLI", () => {
  it("bootstraps the data dir on first start, with the dev master key file at mode 0600", () => {
    expect(server.output()).toContain("TESSERA_MASTER_KEY is not set");
    expect(server.output()).toContain(`npx tessera-auth apikey create --data-dir ${dataDir}`);
    expect(statSync(join(dataDir, "master.key")).mode & 0o777).toBe(0o600);
    const users = runCli(["user", "list", "--json"], env);
    expect(users.status).toBe(0);
    expect(JSON.parse(users.stdout)).toEqual([
      expect.objectContaining({ username: "admin", permissions: ["admin", "impersonate"] }),
    ]);
  });

  it("creates a user and an API key with the CLI while the server runs", () => {
    const user = runCli(
      ["user", "add", "alice", "--password-stdin", "--json"],
      env,
      `${PASSWORD}\n`,
    );
    expect(user.status).toBe(0);
    expect(JSON.parse(user.stdout)).toMatchObject({ username: "alice", status: "active" });
    expect(user.stdout).not.toContain("passwordHash");
    const key = runCli(["apikey", "create", "--name", "e2e", "--json"], env);
    expect(key.status).toBe(0);
    apiKey = (JSON.parse(key.stdout) as { key: string }).key;
    expect(apiKey).toMatch(/^tsr_ak_/);
    secretsSeen.push(apiKey);
    const listed = runCli(["apikey", "list", "--json"], env);
    expect(listed.stdout).not.toContain(apiKey);
  });

  it("gets, refreshes and revokes a token; the refresh is refused with 401 afterwards", async () => {
    const login = await post("/auth/token", { username: "alice", password: PASSWORD });
    expect(login.status).toBe(200);
    const session = login.body.session as Record<string, string>;
    secretsSeen.push(
      session.refreshToken ?? "",
      session.accessToken ?? "",
      session.authorization ?? "",
    );

    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(session.accessToken ?? "", jwks, {
      algorithms: ["ES256"],
      issuer: `${server.url}/tenants/default`,
      audience: login.body.clientId as string,
      typ: "at+jwt",
    });
    expect(payload.username).toBe("alice");

    const refreshed = await post("/auth/token", login.body);
    expect(refreshed.status).toBe(200);
    const sessions = runCli(["sessions", "list", "--user", "alice", "--json"], env);
    expect(JSON.parse(sessions.stdout)).toHaveLength(1);

    expect((await post("/auth/token", login.body, "DELETE")).status).toBe(200);
    const after = await post("/auth/token", login.body);
    expect(after).toEqual({
      status: 401,
      body: { status: "error", message: "Refresh token has been revoked" },
    });
    const audit = runCli(["audit", "tail", "-n", "50", "--json"], env);
    const types = audit.stdout
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types).toEqual(
      expect.arrayContaining(["login.succeeded", "token.refreshed", "session.revoked"]),
    );
  });

  it("answers bad input with clear errors and never a stack trace", async () => {
    requestsSent.push("POST /auth/token", "POST /auth/token", "GET /nowhere");
    const responses = await Promise.all([
      fetch(`${server.url}/auth/token`, {
        method: "POST",
        headers: { "x-api-key": apiKey },
        body: "x",
      }),
      fetch(`${server.url}/auth/token`, {
        method: "POST",
        headers: { "x-api-key": apiKey, "content-type": "application/json" },
        body: "{",
      }),
      fetch(`${server.url}/nowhere`),
    ]);
    expect(responses.map((r) => r.status)).toEqual([415, 400, 404]);
    for (const response of responses) {
      const text = await response.text();
      expect(text).not.toMatch(/\bat .+:\d+:\d+/);
      expect(JSON.parse(text)).toMatchObject({ status: "error" });
    }
  });

  it("keeps init idempotent and reports CLI failures in one line with a non-zero exit", () => {
    const init = runCli(["init", "--json"], env);
    expect(init.status).toBe(0);
    expect(JSON.parse(init.stdout)).toMatchObject({ tenantCreated: false, adminCreated: false });
    const duplicate = runCli(["user", "add", "alice", "--password-stdin"], env, "another-password");
    expect(duplicate.status).toBe(1);
    expect(duplicate.stderr).toBe("tessera: User alice already exists\n");
    const badConfig = runCli(["user", "list"], {
      ...env,
      TESSERA_PORT: "http",
      TESSERA_LOG_LEVEL: "loud",
    });
    expect(badConfig.status).toBe(1);
    expect(badConfig.stderr).toContain("TESSERA_PORT");
    expect(badConfig.stderr).toContain("TESSERA_LOG_LEVEL");
  });

  it("never writes a password, token or key to its logs, even at trace level", async () => {
    // Stopped first: the server writes its log asynchronously, and flushes it as it exits.
    await server.stop();
    const output = server.output();
    // The scan means something only if it reads the lines of every request sent.
    expect(requestsSent.length).toBeGreaterThan(5);
    expect(requestsMissingFromLog(output, requestsSent)).toEqual([]);
    for (const secret of secretsSeen.filter((s) => s !== "")) {
      expect(output).not.toContain(secret);
    }
  });

  it("refuses a CLI command under a different master key, before writing anything", () => {
    const wrongKey = { ...env, TESSERA_MASTER_KEY: randomBytes(32).toString("base64") };
    const result = runCli(["keys", "rotate"], wrongKey);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      "tessera: The master key does not open this data dir's signing keys. Was TESSERA_MASTER_KEY changed?\n",
    );
  });

  it("refuses to start in production without TESSERA_MASTER_KEY, listing the problem", () => {
    const result = runCli(["serve"], { ...env, TESSERA_ENV: "production" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("TESSERA_MASTER_KEY: required in production");
  });

  it("starts with a configured master key on a fresh data dir", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-e2e-key-"));
    const other = await startServerProcess({
      TESSERA_DATA_DIR: dir,
      TESSERA_MASTER_KEY: randomBytes(32).toString("base64"),
    });
    try {
      expect(other.output()).not.toContain("TESSERA_MASTER_KEY is not set");
      const ready = await fetch(`${other.url}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      await other.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the CLI on a data dir no server has started on", () => {
  it("refuses it and creates nothing in it; after init the same command works", () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-e2e-cli-"));
    try {
      const cliEnv = { TESSERA_DATA_DIR: dir };
      const refused = runCli(["apikey", "create"], cliEnv);
      expect([refused.status, refused.stdout, refused.stderr]).toEqual([
        1,
        "",
        `tessera: No Tessera database at ${join(dir, "tessera.db")} (nothing was created): point to yours with --data-dir DIR or TESSERA_DATA_DIR, or create it with \`init\`\n`,
      ]);
      expect(readdirSync(dir)).toEqual([]);
      expect(runCli(["init"], cliEnv).status).toBe(0);
      const key = runCli(["apikey", "create", "--json"], cliEnv);
      expect(key.status).toBe(0);
      expect(JSON.parse(key.stdout)).toMatchObject({ tenantId: "default" });
      const init = runCli(["init", "--json"], cliEnv);
      expect(JSON.parse(init.stdout)).toMatchObject({
        tenantCreated: false,
        deployment: { dataDir: dir, database: join(dir, "tessera.db") },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a fresh init as created", () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-e2e-init-"));
    try {
      const init = runCli(["init", "--json"], { TESSERA_DATA_DIR: dir });
      expect(init.status).toBe(0);
      expect(JSON.parse(init.stdout)).toMatchObject({ tenantCreated: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
