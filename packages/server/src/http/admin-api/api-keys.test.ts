import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  admin,
  clientToken,
  createAdminClient,
  expectAdminProblem,
  otherTenant,
  unique,
  userToken,
} from "../../../test/support/admin-api.js";
import { type Harness, startHarness } from "../../../test/support/harness.js";
import { lastAudit } from "../../../test/support/token-api.js";

interface ApiKey {
  readonly id: string;
  readonly client_id: string;
  readonly name: string;
  readonly prefix: string;
  readonly revoked_at: string | null;
  readonly last_used_at: string | null;
  readonly key?: string;
  readonly client_name?: string;
  readonly client_created?: boolean;
}

let h: Harness;
let writer: string;
let reader: string;
let username: string;

beforeAll(async () => {
  h = await startHarness();
  writer = await userToken(h, ["admin"]);
  reader = await userToken(h, ["admin:read"]);
  username = unique("someone");
  await h.addUser(username);
});
afterAll(async () => {
  await h.close();
});

async function createKey(body: Record<string, unknown> = {}): Promise<ApiKey> {
  const response = await admin(h, "POST", `${ADMIN}/api-keys`, writer, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<ApiKey>();
}

/** A public client, as API keys' clients are: it may log users in. */
const publicClient = () => createAdminClient(h, writer, { token_endpoint_auth_method: "none" });

describe("admin API keys: 2xx", () => {
  it("creates a key for a client (201, Location), shown once, that logs a user in", async () => {
    const client = await publicClient();
    const response = await admin(h, "POST", `${ADMIN}/api-keys`, writer, {
      name: "web app",
      client_id: client.id,
    });
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json<ApiKey>();
    expect(created).toMatchObject({
      client_id: client.id,
      client_name: client.name,
      client_created: false,
      name: "web app",
      revoked_at: null,
    });
    expect(created.key).toMatch(/^tsr_ak_/);
    expect(created.prefix).toBe(created.key?.slice(0, 12));
    expect(response.headers.location).toBe(`${ADMIN}/api-keys/${created.id}`);

    expect((await h.login(username, undefined, created.key)).statusCode).toBe(200);
    const read = await admin(h, "GET", response.headers.location as string, reader);
    expect(read.statusCode).toBe(200);
    expect(read.body).not.toContain(created.key);
    expect(read.json()).toMatchObject({ id: created.id, last_used_at: expect.any(String) });
    const event = await lastAudit(h, "api_key.created");
    expect(event?.detail).toEqual({ apiKeyId: created.id, clientId: client.id });
    expect(event?.actorUserId).toEqual(expect.any(String));
  });

  it("makes a public client for a key created without one, named after the key", async () => {
    const name = unique("mobile");
    const created = await createKey({ name });
    expect(created).toMatchObject({ client_created: true, client_name: name });
    const client = await admin(h, "GET", `${ADMIN}/clients/${created.client_id}`, reader);
    expect(client.json()).toMatchObject({
      name,
      token_endpoint_auth_method: "none",
      grant_types: ["password", "refresh_token"],
    });
    expect((await h.login(username, undefined, created.key)).statusCode).toBe(200);
  });

  it("lists keys oldest first a page at a time, of one client with client_id, revoked ones too", async () => {
    const client = await publicClient();
    const keys = [];
    for (let i = 0; i < 3; i += 1) {
      keys.push(await createKey({ client_id: client.id, name: `k${i}` }));
      h.clock.advance(1000);
    }
    await createKey();
    expect((await admin(h, "DELETE", `${ADMIN}/api-keys/${keys[1]?.id}`, writer)).statusCode).toBe(
      204,
    );
    const first = await admin(
      h,
      "GET",
      `${ADMIN}/api-keys?client_id=${client.name}&limit=2`,
      reader,
    );
    expect(first.statusCode, first.body).toBe(200);
    const page = first.json<{ items: ApiKey[]; next: string | null }>();
    expect(page.items.map((k) => k.id)).toEqual([keys[0]?.id, keys[1]?.id]);
    expect(page.items[1]?.revoked_at).toEqual(expect.any(String));
    for (const key of keys) {
      expect(first.body).not.toContain(key.key);
    }
    const second = await admin(
      h,
      "GET",
      `${ADMIN}/api-keys?client_id=${client.id}&limit=2&cursor=${page.next}`,
      reader,
    );
    expect(second.json()).toMatchObject({ items: [{ id: keys[2]?.id }], next: null });

    const all = await admin(h, "GET", `${ADMIN}/api-keys?limit=200`, reader);
    expect(all.json<{ items: ApiKey[] }>().items.length).toBeGreaterThan(3);
  });

  it("revokes a key (204) at once, and revoking it again is 204 too", async () => {
    const key = await createKey();
    expect((await h.login(username, undefined, key.key)).statusCode).toBe(200);
    expect((await admin(h, "DELETE", `${ADMIN}/api-keys/${key.id}`, writer)).statusCode).toBe(204);
    expect((await h.login(username, undefined, key.key)).statusCode).toBe(401);
    expect(await lastAudit(h, "api_key.revoked")).toMatchObject({
      actorUserId: expect.any(String),
      detail: { apiKeyId: key.id },
    });
    expect((await admin(h, "DELETE", `${ADMIN}/api-keys/${key.id}`, writer)).statusCode).toBe(204);
    expect((await admin(h, "GET", `${ADMIN}/api-keys/${key.id}`, reader)).json()).toMatchObject({
      revoked_at: expect.any(String),
    });
  });
});

describe("admin API keys: 400", () => {
  it.each([
    ["a number for a name", { name: 5 }],
    ["an unknown field", { name: "x", key: "tsr_ak_mine" }],
    ["a control character", { name: "bad\u0007name" }],
    ["a huge name", { name: "x".repeat(10_000) }],
    ["a client_id with a control character", { client_id: "bad\u202eid" }],
  ])("refuses to create with %s", async (_, body) => {
    expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/api-keys`, writer, body),
      400,
      "invalid_request",
    );
  });

  it("refuses a bad limit or cursor, and a bad id", async () => {
    const forged = (position: object) =>
      `cursor=${Buffer.from(JSON.stringify(position)).toString("base64url")}`;
    for (const query of [
      "limit=0",
      "limit=x",
      "cursor=garbage",
      "cursor=e30",
      forged({ c: "1", i: "ak_x" }),
      forged({ c: 1.5, i: "ak_x" }),
      forged({ c: 1, i: "ak_\u0007" }),
      "client_id=a%07b",
    ]) {
      expectAdminProblem(
        await admin(h, "GET", `${ADMIN}/api-keys?${query}`, reader),
        400,
        "invalid_request",
      );
    }
    expectAdminProblem(
      await admin(h, "DELETE", `${ADMIN}/api-keys/a%07b`, writer),
      400,
      "invalid_request",
    );
  });
});

describe("admin API keys: 401, 403", () => {
  it("answers 401 without a token", async () => {
    for (const [method, url] of [
      ["GET", `${ADMIN}/api-keys`],
      ["POST", `${ADMIN}/api-keys`],
      ["GET", `${ADMIN}/api-keys/x`],
      ["DELETE", `${ADMIN}/api-keys/x`],
    ] as const) {
      expectAdminProblem(await admin(h, method, url, undefined), 401, "invalid_token");
    }
  });

  it("refuses a change with read access only, and another tenant's admin", async () => {
    const key = await createKey();
    for (const token of [reader, (await clientToken(h, ["admin:read"])).token]) {
      expectAdminProblem(
        await admin(h, "POST", `${ADMIN}/api-keys`, token, {}),
        403,
        "insufficient_scope",
      );
      expectAdminProblem(
        await admin(h, "DELETE", `${ADMIN}/api-keys/${key.id}`, token),
        403,
        "insufficient_scope",
      );
    }
    const theirs = await clientToken(h, ["admin:write"], await otherTenant(h));
    expectAdminProblem(await admin(h, "GET", `${ADMIN}/api-keys`, theirs.token), 403, "forbidden");
    expectAdminProblem(
      await admin(h, "DELETE", `${ADMIN}/api-keys/${key.id}`, theirs.token),
      403,
      "forbidden",
    );
    expect((await h.login(username, undefined, key.key)).statusCode).toBe(200);
  });
});

describe("admin API keys: 403 for a client with admin:write", () => {
  it("keeps it to keys of clients that hold no more than it does", async () => {
    const bot = await clientToken(h, ["admin:write"]);
    const stronger = await createAdminClient(h, writer, {
      token_endpoint_auth_method: "none",
      scopes: ["deploy:write"],
    });
    expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/api-keys`, bot.token, { client_id: stronger.id }),
      403,
      "forbidden",
    );
    const theirs = await createKey({ client_id: stronger.id });
    expectAdminProblem(
      await admin(h, "DELETE", `${ADMIN}/api-keys/${theirs.id}`, bot.token),
      403,
      "forbidden",
    );
    expect((await h.login(username, undefined, theirs.key)).statusCode).toBe(200);
    const own = await admin(h, "POST", `${ADMIN}/api-keys`, bot.token, { name: unique("bots") });
    expect(own.statusCode, own.body).toBe(201);
    const ownKey = own.json<ApiKey>();
    expect((await admin(h, "DELETE", `${ADMIN}/api-keys/${ownKey.id}`, bot.token)).statusCode).toBe(
      204,
    );
  });
});

describe("admin API keys: 404", () => {
  it("answers 404 for an unknown key, client or tenant, and for another tenant's key", async () => {
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/api-keys/ak_nope`, reader),
      404,
      "not_found",
    );
    expectAdminProblem(
      await admin(h, "DELETE", `${ADMIN}/api-keys/ak_nope`, writer),
      404,
      "not_found",
    );
    expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/api-keys`, writer, { client_id: "no-such-client" }),
      404,
      "not_found",
    );
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/api-keys?client_id=no-such-client`, reader),
      404,
      "not_found",
    );
    expectAdminProblem(
      await admin(h, "GET", "/admin/v1/tenants/no-such/api-keys", reader),
      404,
      "not_found",
    );
    const key = await createKey();
    const tenant = await otherTenant(h);
    expectAdminProblem(
      await admin(h, "DELETE", `/admin/v1/tenants/${tenant}/api-keys/${key.id}`, writer),
      404,
      "not_found",
    );
    expect((await h.login(username, undefined, key.key)).statusCode).toBe(200);
  });
});
