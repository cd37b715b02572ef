/**
 * `tessera purge`, run as an operator runs it (the built CLI against a data
 * dir) while a real server on the same data dir makes and ends the sessions
 * it deletes; and the server's own schedule doing the same.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type ServerProcess, startServerProcess } from "../support/processes.js";

const PASSWORD = "purge e2e password";
let dataDir: string;
let env: Record<string, string>;
let server: ServerProcess;
let apiKey: string;

interface PurgeJson {
  readonly sessions: number;
  readonly refreshTokens: number;
  readonly automationTokens: number;
  readonly oneTimeClaims: number;
  readonly endedBefore: string;
  readonly retentionDays: number;
}

/** The one JSON document a `--json` command printed; fails the test on a non-zero exit. */
function cliJson<T>(args: string[], extraEnv: Record<string, string> = {}): T {
  const result = runCli([...args, "--json"], { ...env, ...extraEnv });
  expect(result.status, result.stderr).toBe(0);
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout) as T;
}

async function session(method: "POST" | "DELETE", body: unknown) {
  const response = await fetch(`${server.url}/auth/token`, {
    method,
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function login(): Promise<{ session: { refreshToken: string } }> {
  const response = await session("POST", { username: "alice", password: PASSWORD });
  expect(response.status).toBe(200);
  return response.body as { session: { refreshToken: string } };
}

function auditTypes(): string[] {
  const tail = runCli(["audit", "tail", "-n", "1000", "--json"], env);
  expect(tail.status, tail.stderr).toBe(0);
  return tail.stdout
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { type: string }).type);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tessera-purge-e2e-"));
  // The server's own schedule stays off here; the last test turns it on.
  env = { TESSERA_DATA_DIR: dataDir, TESSERA_PURGE_INTERVAL_SECONDS: "0" };
  server = await startServerProcess(env);
  expect(runCli(["user", "add", "alice", "--password-stdin"], env, `${PASSWORD}\n`).status).toBe(0);
  apiKey = cliJson<{ key: string }>(["apikey", "create"]).key;
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("tessera purge", () => {
  it("deletes a session that ended, keeps a live one, and prints the counts", async () => {
    const ended = await login();
    const live = await login();
    expect((await session("DELETE", ended)).status).toBe(200);

    // Within the default retention (7 days) nothing goes.
    const kept = cliJson<PurgeJson>(["purge"]);
    expect(kept).toMatchObject({ sessions: 0, refreshTokens: 0, retentionDays: 7 });

    const purged = cliJson<PurgeJson>(["purge", "--retention-days", "0"]);
    expect(purged).toEqual({
      sessions: 1,
      refreshTokens: 1,
      automationTokens: 0,
      oneTimeClaims: 0,
      endedBefore: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      retentionDays: 0,
      deployment: { dataDir, database: join(dataDir, "tessera.db") },
    });
    expect(cliJson<PurgeJson>(["purge", "--retention-days", "0"])).toMatchObject({
      sessions: 0,
      refreshTokens: 0,
    });

    // The purged session's refresh token is refused as before; the live one still refreshes.
    expect((await session("POST", ended)).status).toBe(401);
    expect((await session("POST", live)).status).toBe(200);
    expect(auditTypes().filter((type) => type === "maintenance.purged")).toHaveLength(1);
  });

  it("prints one line for people without --json", () => {
    const result = runCli(["purge", "--retention-days", "3"], env);

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^purged 0 session\(s\) with 0 refresh token\(s\), 0 automation token\(s\) and 0 expired one-time claim\(s\); kept everything that ended after \S+\n$/,
    );
  });

  it("refuses a retention that is not a whole number of days from 0 to 3650", () => {
    for (const days of ["-1", "1.5", "seven", "3651"]) {
      const result = runCli(["purge", "--retention-days", days], env);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(
        "tessera: --retention-days must be a whole number from 0 to 3650\n",
      );
    }
  });

  it("is run by the server on its schedule", async () => {
    const before = auditTypes().filter((type) => type === "maintenance.purged").length;
    await server.stop();
    server = await startServerProcess({
      ...env,
      TESSERA_PURGE_INTERVAL_SECONDS: "1",
      TESSERA_PURGE_RETENTION_DAYS: "0",
    });
    const ended = await login();
    expect((await session("DELETE", ended)).status).toBe(200);

    // The first run comes one interval (1 s) after the start; wait for its log line.
    const deadline = Date.now() + 15_000;
    while (!server.output().includes('"event":"purged"') && Date.now() < deadline) {
      await sleep(100);
    }

    expect(server.output()).toContain('"event":"purged"');
    expect(auditTypes().filter((type) => type === "maintenance.purged")).toHaveLength(before + 1);
    expect((await session("POST", ended)).status).toBe(401);
  });
});
