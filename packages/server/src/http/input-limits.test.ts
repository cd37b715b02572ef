/**
 * Every string a caller sends is bounded, on every dialect, before it costs
 * a hash, a throttle key or an audit row; and what an audit event keeps of
 * caller input is bounded too. Runs on SQLite, and on PostgreSQL with
 * TESSERA_TEST_STORE=postgres.
 */
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, type Harness, PASSWORD, TENANT } from "../../test/support/harness.js";
import { ADMIN, startOperationsHarness } from "../../test/support/operations.js";
import {
  addClient,
  issueLong,
  postLong,
  postShort,
  revokeToken,
  secretBody,
  type TestClient,
} from "../../test/support/token-api.js";
import type { AuditEventRecord } from "../core/model/index.js";

let h: Harness;
let adminBasic: string;
let client: TestClient;
let longToken: string;

beforeAll(async () => {
  h = await startOperationsHarness();
  adminBasic = basic(ADMIN);
  client = await addClient(h);
  longToken = (await issueLong(h, client)).token;
});
afterAll(async () => {
  await h.close();
});

async function latestAudit(): Promise<AuditEventRecord[]> {
  return h.runtime.ctx.store.audit.list(TENANT, { limit: 1000 });
}

function operation(body: Record<string, unknown>, authorization: string = adminBasic) {
  return h.operation(body, authorization);
}

const long = (length: number) => "x".repeat(length);

describe("operations API: 400 for a string over its limit", () => {
  const cases: readonly (readonly [string, () => Promise<LightMyRequestResponse>, string])[] = [
    [
      "create_authentication_tokens username (no credentials needed)",
      () =>
        h.operation({
          operation: "create_authentication_tokens",
          username: long(56_000),
          password: PASSWORD,
        }),
      "'username' length must be less than or equal to 1024 characters long",
    ],
    [
      "create_authentication_tokens password",
      () =>
        h.operation({
          operation: "create_authentication_tokens",
          username: "alice",
          password: long(4097),
        }),
      "'password' length must be less than or equal to 4096 characters long",
    ],
    [
      "create_authentication_tokens expires_in",
      () =>
        h.operation({
          operation: "create_authentication_tokens",
          username: "alice",
          password: PASSWORD,
          expires_in: `1${" ".repeat(64)}`,
        }),
      "'expires_in' length must be less than or equal to 64 characters long",
    ],
    [
      "refresh_operation_token refresh_token",
      () => operation({ operation: "refresh_operation_token", refresh_token: long(16_385) }),
      "'refresh_token' length must be less than or equal to 16384 characters long",
    ],
    [
      "revoke_authentication_tokens operation_token",
      () => operation({ operation: "revoke_authentication_tokens", operation_token: long(16_385) }),
      "'operation_token' length must be less than or equal to 16384 characters long",
    ],
    [
      "revoke_authentication_tokens session_id",
      () => operation({ operation: "revoke_authentication_tokens", session_id: long(1025) }),
      "'session_id' length must be less than or equal to 1024 characters long",
    ],
    [
      "revoke_authentication_tokens username",
      () => operation({ operation: "revoke_authentication_tokens", username: long(1025) }),
      "'username' length must be less than or equal to 1024 characters long",
    ],
    [
      "list_sessions username",
      () => operation({ operation: "list_sessions", username: long(1025) }),
      "'username' length must be less than or equal to 1024 characters long",
    ],
    [
      "add_user username and role",
      () =>
        operation({
          operation: "add_user",
          username: long(1025),
          password: PASSWORD,
          role: long(1025),
          active: true,
        }),
      "'username' length must be less than or equal to 1024 characters long. 'role' length must be less than or equal to 1024 characters long",
    ],
    [
      "alter_user username",
      () => operation({ operation: "alter_user", username: long(1025), active: true }),
      "'username' length must be less than or equal to 1024 characters long",
    ],
    [
      "drop_user username",
      () => operation({ operation: "drop_user", username: long(1025) }),
      "'username' length must be less than or equal to 1024 characters long",
    ],
    [
      "add_role role",
      () => operation({ operation: "add_role", role: long(1025), permission: {} }),
      "'role' length must be less than or equal to 1024 characters long",
    ],
    [
      "alter_role id",
      () => operation({ operation: "alter_role", id: long(1025), permission: {} }),
      "'id' length must be less than or equal to 1024 characters long",
    ],
    [
      "drop_role id",
      () => operation({ operation: "drop_role", id: long(1025) }),
      "'id' length must be less than or equal to 1024 characters long",
    ],
  ];

  it.each(cases)("%s", async (_label, send, error) => {
    const before = (await latestAudit()).length;
    const response = await send();
    expect({ status: response.statusCode, body: response.json() }).toEqual({
      status: 400,
      body: { error },
    });
    expect((await latestAudit()).length).toBe(before);
  });

  it("refuses a role name over 128 characters, and a table name over 1024", async () => {
    const name = await operation({ operation: "add_role", role: long(129), permission: {} });
    expect({ status: name.statusCode, body: name.json() }).toEqual({
      status: 400,
      body: { error: "A role name must be 1-128 characters" },
    });
    const table = await operation({
      operation: "add_role",
      role: "wide",
      permission: { data: { tables: { [long(1025)]: {} } } },
    });
    expect(table.statusCode).toBe(400);
  });
});

describe("session API and token API: 400 for a string over its limit", () => {
  it("refuses a login username over 1024 characters", async () => {
    const response = await h.login(long(1025));
    expect({ status: response.statusCode, body: response.json() }).toEqual({
      status: 400,
      body: { status: "error", message: "username must be at most 1024 characters" },
    });
  });

  it.each([
    ["audience", () => postShort(h, longToken, { audience: long(257) })],
    ["name", () => postLong(h, secretBody(client, { name: long(101) }))],
    ["rotate_token_id", () => postLong(h, secretBody(client, { rotate_token_id: long(65) }))],
    ["tokenId", () => revokeToken(h, longToken, long(65))],
  ])("refuses a token API %s over its limit", async (_field, send) => {
    const response = await send();
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, code: "invalid_request" });
  });
});

describe("Basic credentials: 400 for a username over 1024 characters, before any cost", () => {
  it.each([
    [
      "the session API",
      () => h.send("POST", "/auth/token", {}, { authorization: basic(long(1025)) }),
      { status: "error", message: "A username must be at most 1024 characters" },
    ],
    [
      "the operations API",
      () => h.operation({ operation: "user_info" }, basic(long(1025))),
      { error: "A username must be at most 1024 characters" },
    ],
  ])("through %s", async (_where, send, body) => {
    const before = (await latestAudit()).length;
    const response = await send();
    expect({ status: response.statusCode, body: response.json() }).toEqual({ status: 400, body });
    expect((await latestAudit()).length).toBe(before);
  });
});

describe("audit events keep a bounded part of what a caller sent", () => {
  function failedLoginOf(events: AuditEventRecord[], before: number): AuditEventRecord {
    const failed = events.slice(before).filter((e) => e.type === "login.failed");
    expect(failed).toHaveLength(1);
    return failed[0] as AuditEventRecord;
  }

  it.each([
    ["the session API's body", () => h.login(`${"u".repeat(1000)}xyz`, "wrong password")],
    [
      "the operations API's Basic header",
      () => h.operation({ operation: "user_info" }, basic(`${"u".repeat(1000)}xyz`, "wrong")),
    ],
  ])(
    "a failed login through %s keeps 256 characters of its username, and a marker",
    async (_where, send) => {
      const before = (await latestAudit()).length;
      const response = await send();
      expect(response.statusCode).toBe(401);
      const event = failedLoginOf(await latestAudit(), before);
      expect(event.detail.username).toBe(`${"u".repeat(256)}…[747 more characters]`);
      expect(JSON.stringify(event.detail).length).toBeLessThanOrEqual(4096);
    },
  );

  it("a failed login with a line break in the username stores it escaped", async () => {
    const before = (await latestAudit()).length;
    const forged = "mallory\n2001-01-01T00:00:00.000Z #4242 login.succeeded user=forged";
    const response = await h.login(forged, "wrong password");
    expect(response.statusCode).toBe(401);
    const event = failedLoginOf(await latestAudit(), before);
    expect(event.detail).toMatchObject({
      username: "mallory\\n2001-01-01T00:00:00.000Z #4242 login.succeeded user=forged",
      reason: "invalid_username",
    });
  });
});
