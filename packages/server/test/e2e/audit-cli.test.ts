/**
 * `tessera audit tail` and `tessera audit search` through the built CLI on
 * SQLite: who acted (a user or a client), the filters, and NDJSON output.
 * Events are written straight into the store, as the server would record them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientId, SessionId, TenantId, UserId } from "../../src/core/ids.js";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite.js";
import { type Deployment, newDeployment } from "../support/deployment.js";

const TENANT = "default" as TenantId;
const BOT = "ops-bot-id" as ClientId;
const APP = "web-app-id" as ClientId;
const ADA = "6f2b1c3d-0000-4000-8000-00000000ada0" as UserId;

describe("the audit commands", () => {
  let deployment: Deployment;

  function cli(args: string[]): string {
    const result = deployment.cli(args);
    expect(result.status, result.stderr).toBe(0);
    return result.stdout;
  }

  beforeAll(async () => {
    deployment = newDeployment({ store: "sqlite" });
    const init = deployment.cli(["init", "--json"]);
    expect(init.status, init.stderr).toBe(0);
    const { dataDir } = JSON.parse(init.stdout) as { dataDir: string };
    const db = await openSqliteStore(`${dataDir}/tessera.db`);
    try {
      const at = Date.parse("2026-03-01T12:00:00Z");
      await db.audit.append({
        tenantId: TENANT,
        at,
        type: "user.created",
        actorClientId: BOT,
        subjectUserId: ADA,
        ip: "198.51.100.4",
        detail: { username: "ada" },
      });
      await db.audit.append({
        tenantId: TENANT,
        at: at + 60_000,
        type: "login.succeeded",
        subjectUserId: ADA,
        clientId: APP,
        sessionId: "ses-1" as SessionId,
        ip: "203.0.113.9",
        detail: { clientId: APP },
      });
    } finally {
      await db.close();
    }
  });
  afterAll(async () => {
    await deployment.cleanup();
  });

  it("tail names a client that acted as the actor, and the client an event is about once", () => {
    const lines = cli(["audit", "tail", "-n", "2"]).trimEnd().split("\n");
    expect(lines[0]).toContain(`user.created actor=${BOT} user=${ADA} ip=198.51.100.4`);
    expect(lines[1]).toContain(`login.succeeded user=${ADA} client=${APP} session=ses-1`);
    expect(lines[1]).not.toContain("clientId=");
  });

  it("search finds events by client, type prefix, ip and time, newest first", () => {
    const types = (args: string[]) =>
      cli(["audit", "search", "--json", ...args])
        .trimEnd()
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => (JSON.parse(line) as { type: string }).type);

    expect(types(["--client", BOT])).toEqual(["user.created"]);
    expect(types(["--user", ADA])).toEqual(["login.succeeded", "user.created"]);
    expect(types(["--user", ADA, "-n", "1"])).toEqual(["login.succeeded"]);
    expect(types(["--type", "login.", "--ip", "203.0.113.9", "--session", "ses-1"])).toEqual([
      "login.succeeded",
    ]);
    expect(types(["--since", "2026-03-01T12:01:00Z", "--until", "2026-03-02"])).toEqual([
      "login.succeeded",
    ]);
  });

  it("refuses a filter it cannot use with one line and a non-zero exit", () => {
    const result = deployment.cli(["audit", "search", "--type", "user.create"]);
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("Unknown audit event type user.create");
  });
});
