/**
 * The `tessera` processes the end-to-end suites start get the settings each
 * test names and nothing of the environment the tests run in: a developer's
 * shell with TESSERA_DATABASE_URL exported must not turn the SQLite suites
 * into PostgreSQL ones, nor a log level silence the logs a test scans.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readiness } from "../support/deployment.js";
import {
  completedRequests,
  runCli,
  type ServerProcess,
  startServerProcess,
} from "../support/processes.js";

/** What a developer's shell might export; every value would break a SQLite suite that saw it. */
const AMBIENT = {
  TESSERA_DATABASE_URL: "postgres://nobody@127.0.0.1:1/nowhere",
  TESSERA_REDIS_URL: "redis://127.0.0.1:1",
  TESSERA_LOG_LEVEL: "silent",
  TESSERA_PORT: "http",
  NODE_ENV: "production",
};

describe("the environment of the tessera processes a test starts", () => {
  const saved = new Map<string, string | undefined>();
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(() => {
    for (const [name, value] of Object.entries(AMBIENT)) {
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
    dataDir = mkdtempSync(join(tmpdir(), "tessera-e2e-env-"));
  });

  afterAll(async () => {
    await server?.stop();
    for (const [name, value] of saved) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs a SQLite server and the CLI on the data dir the test names, whatever this process exports", async () => {
    const env = { TESSERA_DATA_DIR: dataDir, TESSERA_LOG_LEVEL: "info" };
    server = await startServerProcess(env);
    expect(server.output()).toContain(`Data: ${join(dataDir, "tessera.db")}`);
    const ready = await readiness(server.url);
    expect([ready.status, ready.body.cache]).toEqual([
      200,
      expect.objectContaining({ backend: "memory" }),
    ]);

    const users = runCli(["user", "list", "--json"], env);
    expect([users.status, users.stderr]).toEqual([0, ""]);
    expect(JSON.parse(users.stdout)).toEqual([]);

    await server.stop();
    // Logged at the level the test set, not the ambient one.
    expect(completedRequests(server.output())).toEqual([
      { method: "GET", url: "/readyz", statusCode: 200 },
    ]);
  });
});
