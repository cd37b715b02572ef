/**
 * Every identifier, name and audience a caller sends, on every dialect,
 * refuses control, bidirectional and other dangerous invisible characters
 * before any store sees them: a 400 in the dialect's shape, or on a login
 * path the dialect's usual 401, identical to an unknown user's. Runs on
 * SQLite, and on PostgreSQL with TESSERA_TEST_STORE=postgres (where such a
 * value used to reach a query and answer 500).
 */
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  basic,
  bearer,
  type Harness,
  PASSWORD,
  type SessionBody,
  sessionOf,
  TENANT,
} from "../../test/support/harness.js";
import { ADMIN, startOperationsHarness } from "../../test/support/operations.js";
import {
  addClient,
  issueLong,
  issueShort,
  postLong,
  postShort,
  revokeToken,
  secretBody,
  type TestClient,
} from "../../test/support/token-api.js";
import type { Store } from "../core/ports/index.js";
import { addRole } from "../core/roles.js";

/** One of each kind of character no identifier may hold. */
const BAD_CHARACTERS: readonly (readonly [string, string])[] = [
  ["NUL", "\u0000"],
  ["line feed", "\n"],
  ["carriage return", "\r"],
  ["escape", "\u001b"],
  ["DEL", "\u007f"],
  ["C1 next line", "\u0085"],
  ["C1 control sequence introducer", "\u009b"],
  ["right-to-left override", "\u202e"],
  ["left-to-right isolate", "\u2066"],
  ["pop directional isolate", "\u2069"],
  ["right-to-left mark", "\u200f"],
  ["Arabic letter mark", "\u061c"],
];

/** What a case expects back: a 400 in the dialect's shape, or a login path's 401. */
type Expected =
  | { readonly dialect: "session" | "operations" | "token"; readonly status: 400 }
  | { readonly status: 401; readonly body: unknown };

interface Case {
  readonly name: string;
  readonly send: (value: string) => Promise<LightMyRequestResponse>;
  readonly expected: Expected;
}

let h: Harness;
let adminSession: SessionBody;
let adminBasic: string;
let roleId: string;
let client: TestClient;
let longToken: string;
let shortToken: string;
/** Every argument any store method was called with, since the last reset. */
let storeCalls: unknown[][] = [];

/** Records every store call's arguments, so a test can tell what reached the store. */
function watchStore(store: Store): void {
  const aggregates = [
    "tenants",
    "users",
    "roles",
    "clients",
    "automationTokens",
    "oneTimeClaims",
    "apiKeys",
    "signingKeys",
    "sessions",
    "refreshTokens",
    "audit",
    "maintenance",
  ] as const satisfies readonly (keyof Store)[];
  for (const aggregate of aggregates) {
    const target = store[aggregate] as unknown as Record<string, unknown>;
    const prototype = Object.getPrototypeOf(target) as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const method = target[name];
      if (name === "constructor" || typeof method !== "function") {
        continue;
      }
      target[name] = (...args: unknown[]) => {
        storeCalls.push(args);
        return (method as (...a: unknown[]) => unknown).apply(target, args);
      };
    }
  }
}

/** True when `value` is, or holds anywhere inside it, a string containing `needle`. */
function holds(value: unknown, needle: string): boolean {
  if (typeof value === "string") {
    return value.includes(needle);
  }
  if (Array.isArray(value)) {
    return value.some((item) => holds(item, needle));
  }
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).some(([key, item]) => key.includes(needle) || holds(item, needle));
  }
  return false;
}

function sessionApi(body: unknown, headers: Record<string, string> = {}) {
  return h.send("POST", "/auth/token", body, headers);
}

function operation(body: Record<string, unknown>, authorization: string = adminBasic) {
  return h.operation(body, authorization);
}

const CASES: readonly Case[] = [
  {
    name: "session API: POST /auth/token username",
    send: (value) => sessionApi({ username: value, password: PASSWORD }),
    expected: {
      status: 401,
      body: { status: "error", message: "Incorrect username or password" },
    },
  },
  {
    name: "session API: POST /auth/token Basic username",
    send: (value) => sessionApi({}, { authorization: basic(value) }),
    expected: {
      status: 401,
      body: { status: "error", message: "Incorrect username or password" },
    },
  },
  {
    name: "session API: POST /auth/impersonate username",
    send: (value) =>
      h.send(
        "POST",
        "/auth/impersonate",
        { username: value },
        {
          authorization: bearer(adminSession.session.authorization),
          accesstoken: adminSession.session.accessToken,
        },
      ),
    expected: { dialect: "session", status: 400 },
  },
  {
    name: "operations API: create_authentication_tokens username",
    send: (value) =>
      h.operation({
        operation: "create_authentication_tokens",
        username: value,
        password: PASSWORD,
      }),
    expected: { status: 401, body: { error: "invalid credentials" } },
  },
  {
    name: "operations API: Basic username",
    send: (value) => operation({ operation: "user_info" }, basic(value)),
    expected: { status: 401, body: { error: "Login failed" } },
  },
  {
    name: "operations API: list_sessions username",
    send: (value) => operation({ operation: "list_sessions", username: value }),
    expected: { dialect: "operations", status: 400 },
  },
  {
    name: "operations API: revoke_authentication_tokens username",
    send: (value) => operation({ operation: "revoke_authentication_tokens", username: value }),
    expected: { dialect: "operations", status: 400 },
  },
  {
    name: "operations API: revoke_authentication_tokens session_id",
    send: (value) => operation({ operation: "revoke_authentication_tokens", session_id: value }),
    expected: { dialect: "operations", status: 400 },
  },
  {
    name: "operations API: add_user username",
    send: (value) =>
      operation({
        operation: "add_user",
        username: value,
        password: PASSWORD,
        role: "developer",
        active: true,
      }),
    expected: { dialect: "operations", status: 400 },
  },
  {
    name: "operations API: add_user role",
    send: (value) =>
      operation({
        operation: "add_user",
        username: "newcomer",
        password: PASSWORD,
        role: value,
        active: true,
      }),
    expected: { dialect: "operations", status: 400 },
  },
  {
    name: "operations API: alter_user username",
    send: (value) => operation({ operation: "alter_user", username: value, active: true }),
    expected: { dialect: "operations", status: 400 },
  },
  {
    name: "operations API: alter_user role",
    send: (value) => operation({ operation: "alter_user", username: "alice", role: value }),
    expected: { dialect: "operations", status: 400 },
  },
  {
    name: "operations API: drop_user username",
    send: (value) => operation({ operation: "drop_user", username: value }),
    expected: { dialect: "operations", status: 400 },
  },
  {
    name: "operations API: add_role role",
    send: (value) => operation({ operation: "add_role", role: value, permission: {} }),
    expected: { dialect: "operations", status: 400 },
  },
  {
    name: "operations API: add_role database name in the permission object",
    send: (value) =>
      operation({
        operation: "add_role",
        role: "with-bad-database",
        permission: { [`db${value}`]: { tables: {} } },
      }),
    expected: { dialect: "operations", status: 400 },
  },
  {
    name: "operations API: alter_role id",
    send: (value) => operation({ operation: "alter_role", id: value, permission: {} }),
    expected: { dialect: "operations", status: 400 },
  },
  {
    name: "operations API: alter_role role",
    send: (value) =>
      operation({ operation: "alter_role", id: roleId, role: value, permission: {} }),
    expected: { dialect: "operations", status: 400 },
  },
  {
    name: "operations API: drop_role id",
    send: (value) => operation({ operation: "drop_role", id: value }),
    expected: { dialect: "operations", status: 400 },
  },
  {
    name: "token API: POST /auth/tokens/short audience",
    send: (value) => postShort(h, longToken, { audience: value }),
    expected: { dialect: "token", status: 400 },
  },
  {
    name: "token API: POST /auth/tokens/short scope",
    send: (value) => postShort(h, longToken, { scopes: [value] }),
    expected: { dialect: "token", status: 400 },
  },
  {
    name: "token API: POST /auth/tokens/long name",
    send: (value) => postLong(h, secretBody(client, { name: value })),
    expected: { dialect: "token", status: 400 },
  },
  {
    name: "token API: POST /auth/tokens/long rotate_token_id",
    send: (value) => postLong(h, secretBody(client, { rotate_token_id: value })),
    expected: { dialect: "token", status: 400 },
  },
  {
    name: "token API: POST /auth/tokens/long client_id",
    send: (value) => postLong(h, secretBody(client, { client_id: `${client.id}${value}` })),
    expected: {
      status: 401,
      body: expect.objectContaining({ status: 401, code: "invalid_client" }),
    },
  },
  {
    name: "token API: POST /auth/tokens/{tokenId}/revoke",
    send: (value) => revokeToken(h, shortToken, `st_${value}`),
    expected: { dialect: "token", status: 400 },
  },
];

/** The error body shape each dialect answers a 400 in. */
function expectDialectShape(response: LightMyRequestResponse, dialect: string): void {
  const body = response.json<Record<string, unknown>>();
  if (dialect === "session") {
    expect(body).toEqual({ status: "error", message: expect.any(String) });
  } else if (dialect === "operations") {
    expect(body).toEqual({ error: expect.any(String) });
  } else {
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(body).toMatchObject({
      status: 400,
      code: "invalid_request",
      detail: expect.any(String),
    });
  }
}

beforeAll(async () => {
  h = await startOperationsHarness();
  await h.addUser("root", ["admin", "impersonate"]);
  adminSession = sessionOf(await h.login("root"));
  adminBasic = basic(ADMIN);
  roleId = (
    await addRole(h.runtime.ctx, {
      tenantId: TENANT,
      name: "developer",
      permission: { super_user: false },
    })
  ).id;
  client = await addClient(h, { scopes: ["deploy:read", "tokens:write", "tokens:admin"] });
  longToken = (await issueLong(h, client)).token;
  shortToken = (await issueShort(h, longToken)).access_token;
  watchStore(h.runtime.ctx.store);
});

afterAll(async () => {
  await h.close();
});

describe.each(CASES)("$name", ({ send, expected }) => {
  it.each(BAD_CHARACTERS)("refuses a %s before the store sees it", async (_label, character) => {
    storeCalls = [];
    const response = await send(`ali${character}ce`);
    expect(response.statusCode, response.body).toBe(expected.status);
    if ("body" in expected) {
      expect(response.json()).toEqual(expected.body);
    } else {
      expectDialectShape(response, expected.dialect);
    }
    // Nothing the caller sent is echoed raw.
    expect(holds(response.json(), character)).toBe(false);
    const reached = storeCalls.filter((args) => holds(args, character));
    expect(reached, "a store method received the character").toEqual([]);
  });
});
