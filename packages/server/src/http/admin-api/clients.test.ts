import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  type AdminClientBody,
  admin,
  clientCredentials,
  clientToken,
  createAdminClient,
  expectAdminProblem,
  otherTenant,
  unique,
  userToken,
} from "../../../test/support/admin-api.js";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import { auditOf, lastAudit } from "../../../test/support/token-api.js";

let h: Harness;
let writer: string;
let writerId: string;
let reader: string;

beforeAll(async () => {
  h = await startHarness();
  writer = await userToken(h, ["admin"]);
  reader = await userToken(h, ["admin:read"]);
  const users = await h.runtime.ctx.store.users.list(TENANT);
  writerId = users.find((u) => u.permissions.includes("admin"))?.id ?? "";
});
afterAll(async () => {
  await h.close();
});

const clientUrl = (client: { readonly id: string }) => `${ADMIN}/clients/${client.id}`;

describe("admin clients: 2xx", () => {
  it("registers a client (201, Location, ETag) whose secret, shown once, gets a token", async () => {
    const response = await admin(h, "POST", `${ADMIN}/clients`, writer, {
      name: "billing-bot",
      grant_types: ["client_credentials"],
      scopes: ["billing:read", "billing:write"],
      audiences: ["https://billing.example.test"],
      max_token_ttl_days: 45,
    });
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json<AdminClientBody>();
    expect(created).toMatchObject({
      name: "billing-bot",
      status: "active",
      grant_types: ["client_credentials"],
      token_endpoint_auth_method: "client_secret_basic",
      scopes: ["billing:read", "billing:write"],
      audiences: ["https://billing.example.test"],
      max_token_ttl_days: 45,
      otp_enrolled: false,
      public_keys: [],
      previous_secret_expires_at: null,
    });
    expect(created.client_secret).toMatch(/^tsr_cs_/);
    expect(created.secret_prefix).toBe(created.client_secret?.slice(0, 12));
    expect(response.headers.location).toBe(`${ADMIN}/clients/${created.id}`);
    expect(response.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);

    const token = await clientCredentials(h, created.id, created.client_secret ?? "");
    expect(token.statusCode, token.body).toBe(200);
    expect(token.json()).toMatchObject({
      token_type: "Bearer",
      scope: "billing:read billing:write",
    });

    const read = await admin(h, "GET", response.headers.location as string, reader);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe(response.headers.etag);
    const { client_secret: _secret, ...withoutSecret } = created;
    expect(read.json()).toEqual(withoutSecret);
    expect(read.body).not.toContain(created.client_secret);
    expect(read.body).not.toContain("secret_hash");
    // By name as well as by id, as the CLI takes either.
    expect((await admin(h, "GET", `${ADMIN}/clients/billing-bot`, reader)).json()).toEqual(
      withoutSecret,
    );

    const event = await lastAudit(h, "client.created");
    expect(event).toMatchObject({ actorUserId: writerId, detail: { clientId: created.id } });
    expect(JSON.stringify(event)).not.toContain(created.client_secret);
  });

  it("registers a public client without a secret, and one with OTP whose URI is shown once", async () => {
    const pub = await createAdminClient(h, writer, { token_endpoint_auth_method: "none" });
    expect(pub).toMatchObject({
      token_endpoint_auth_method: "none",
      grant_types: ["password", "refresh_token"],
      secret_prefix: null,
    });
    expect(pub.client_secret).toBeUndefined();

    const otp = await createAdminClient(h, writer, { otp: true });
    expect(otp.otpauth_uri).toMatch(/^otpauth:\/\/totp\/Tessera:/);
    expect(otp.otp_enrolled).toBe(true);
    const read = await admin(h, "GET", clientUrl(otp), reader);
    expect(read.json()).toMatchObject({ otp_enrolled: true });
    expect(read.body).not.toContain("otpauth");
  });

  it("lists clients a page at a time by name", async () => {
    const tenant = await otherTenant(h);
    const base = `/admin/v1/tenants/${tenant}/clients`;
    const secrets: string[] = [];
    for (const name of ["c-app", "a-app", "b-app"]) {
      const made = await admin(h, "POST", base, writer, { name });
      expect(made.statusCode, made.body).toBe(201);
      secrets.push(made.json<AdminClientBody>().client_secret ?? "");
    }
    const first = await admin(h, "GET", `${base}?limit=2`, reader);
    expect(first.statusCode, first.body).toBe(200);
    const page = first.json<{ items: AdminClientBody[]; next: string | null }>();
    expect(page.items.map((c) => c.name)).toEqual(["a-app", "b-app"]);
    expect(page.next).toEqual(expect.any(String));
    for (const secret of secrets) {
      expect(first.body).not.toContain(secret);
    }
    const second = await admin(h, "GET", `${base}?limit=2&cursor=${page.next}`, reader);
    // Every tenant has the CLI's own client beside the operator's.
    expect(second.json()).toMatchObject({
      items: [{ name: "c-app" }, { name: "tessera-cli" }],
      next: null,
    });
  });

  it("changes scopes and grants, and disables a client (its secret then gets nothing) and enables it", async () => {
    const client = await createAdminClient(h, writer);
    const secret = client.client_secret ?? "";
    const changed = await admin(h, "PATCH", clientUrl(client), writer, {
      scopes: ["deploy:write"],
      grant_types: ["client_credentials"],
      name: unique("renamed"),
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      scopes: ["deploy:write"],
      grant_types: ["client_credentials"],
    });
    expect(changed.json<AdminClientBody>().client_secret).toBeUndefined();
    expect(changed.headers.etag).not.toBe(undefined);
    expect((await clientCredentials(h, client.id, secret)).json()).toMatchObject({
      scope: "deploy:write",
    });

    const disabled = await admin(h, "PATCH", clientUrl(client), writer, { enabled: false });
    expect(disabled.json()).toMatchObject({ status: "disabled" });
    expect((await clientCredentials(h, client.id, secret)).statusCode).toBe(401);
    expect(await lastAudit(h, "client.updated")).toMatchObject({
      actorUserId: writerId,
      detail: { clientId: client.id, status: "disabled" },
    });

    const enabled = await admin(h, "PATCH", clientUrl(client), writer, { enabled: true });
    expect(enabled.json()).toMatchObject({ status: "active" });
    expect((await clientCredentials(h, client.id, secret)).statusCode).toBe(200);
  });

  it("shows a secret once when a change of auth method gives a public client one", async () => {
    const client = await createAdminClient(h, writer, { token_endpoint_auth_method: "none" });
    const changed = await admin(h, "PATCH", clientUrl(client), writer, {
      token_endpoint_auth_method: "client_secret_post",
      grant_types: ["client_credentials"],
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const body = changed.json<AdminClientBody>();
    expect(body.client_secret).toMatch(/^tsr_cs_/);
    expect((await clientCredentials(h, client.id, body.client_secret ?? "")).statusCode).toBe(200);
    expect((await admin(h, "GET", clientUrl(client), reader)).body).not.toContain(
      body.client_secret,
    );
  });

  it("serves a client credentials token with admin:write, and a platform admin in another tenant", async () => {
    const bot = await clientToken(h, ["admin:write"]);
    const made = await admin(h, "POST", `${ADMIN}/clients`, bot.token, { name: unique("by-bot") });
    expect(made.statusCode, made.body).toBe(201);
    expect(await lastAudit(h, "client.created")).toMatchObject({
      actorUserId: null,
      actorClientId: bot.clientId,
      clientId: made.json<AdminClientBody>().id,
      ip: expect.any(String),
    });
    const tenant = await otherTenant(h);
    const elsewhere = await admin(h, "POST", `/admin/v1/tenants/${tenant}/clients`, writer, {
      name: "theirs",
    });
    expect(elsewhere.statusCode, elsewhere.body).toBe(201);
    expect(elsewhere.headers.location).toBe(
      `/admin/v1/tenants/${tenant}/clients/${elsewhere.json<AdminClientBody>().id}`,
    );
  });
});

describe("admin clients: 400", () => {
  it.each([
    ["a number for a name", { name: 5 }],
    ["no name", { scopes: [] }],
    ["an unknown field", { name: unique("x"), secret: "mine" }],
    ["a control character", { name: "bad\u0007name" }],
    ["a huge name", { name: "x".repeat(10_000) }],
    ["a name with a space", { name: "two words" }],
    ["an unknown grant type", { name: unique("g"), grant_types: ["implicit"] }],
    ["an unknown auth method", { name: unique("m"), token_endpoint_auth_method: "magic" }],
    ["a malformed scope", { name: unique("s"), scopes: ["No Spaces"] }],
    [
      "too many scopes",
      { name: unique("s"), scopes: Array.from({ length: 65 }, (_, i) => `s${i}`) },
    ],
    ["a ceiling out of range", { name: unique("t"), max_token_ttl_days: 91 }],
    ["a fractional ceiling", { name: unique("t"), max_token_ttl_days: 30.5 }],
    ["a key that is not a key", { name: unique("k"), public_keys: ["not a key"] }],
    [
      "contradicting settings",
      { name: unique("c"), token_endpoint_auth_method: "private_key_jwt" },
    ],
  ])("refuses to create with %s", async (_, body) => {
    expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/clients`, writer, body),
      400,
      "invalid_request",
    );
  });

  it("refuses an empty or unknown change, a bad limit, and a cursor it did not hand out", async () => {
    const client = await createAdminClient(h, writer);
    for (const body of [{}, { enabled: "no" }, { scopes: "a b" }, { secret_hash: "x" }]) {
      expectAdminProblem(
        await admin(h, "PATCH", clientUrl(client), writer, body),
        400,
        "invalid_request",
      );
    }
    const forged = Buffer.from(JSON.stringify({ n: "bad\u202ename" })).toString("base64url");
    for (const query of [
      "limit=0",
      "limit=201",
      "limit=ten",
      "cursor=garbage",
      "cursor=e30",
      `cursor=${forged}`,
    ]) {
      expectAdminProblem(
        await admin(h, "GET", `${ADMIN}/clients?${query}`, reader),
        400,
        "invalid_request",
      );
    }
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/clients/bad%07id`, reader),
      400,
      "invalid_request",
    );
  });
});

describe("admin clients: 401", () => {
  it("answers 401 without a token, whatever the route or body", async () => {
    for (const [method, url] of [
      ["GET", `${ADMIN}/clients`],
      ["POST", `${ADMIN}/clients`],
      ["GET", `${ADMIN}/clients/x`],
      ["PATCH", `${ADMIN}/clients/x`],
      ["POST", `${ADMIN}/clients/x/secret`],
      ["POST", `${ADMIN}/clients/x/public-keys`],
      ["DELETE", `${ADMIN}/clients/x/public-keys/k`],
      ["POST", `${ADMIN}/clients/x/totp`],
      ["DELETE", `${ADMIN}/clients/x/totp`],
    ] as const) {
      const response = await admin(
        h,
        method,
        url,
        undefined,
        method === "GET" || method === "DELETE" ? undefined : { garbage: true },
      );
      expectAdminProblem(response, 401, "invalid_token");
      expect(response.headers["www-authenticate"]).toBe('Bearer realm="tessera"');
    }
  });
});

describe("admin clients: 403", () => {
  it("refuses a change with read access only, before validating the body", async () => {
    const client = await createAdminClient(h, writer);
    const readBot = await clientToken(h, ["admin:read"]);
    for (const token of [reader, readBot.token]) {
      expect((await admin(h, "GET", clientUrl(client), token)).statusCode).toBe(200);
      for (const [method, url] of [
        ["POST", `${ADMIN}/clients`],
        ["PATCH", clientUrl(client)],
        ["POST", `${clientUrl(client)}/secret`],
        ["POST", `${clientUrl(client)}/totp`],
      ] as const) {
        expectAdminProblem(
          await admin(h, method, url, token, { garbage: 1 }),
          403,
          "insufficient_scope",
        );
      }
    }
    expect((await admin(h, "GET", clientUrl(client), reader)).json()).toMatchObject({
      status: "active",
      otp_enrolled: false,
    });
  });

  it("keeps a client with admin:write to clients that hold no more than it does", async () => {
    const bot = await clientToken(h, ["admin:write", "deploy:read"]);
    const made = await admin(h, "POST", `${ADMIN}/clients`, bot.token, {
      name: unique("mine"),
      scopes: ["deploy:read"],
    });
    expect(made.statusCode, made.body).toBe(201);
    const mine = made.json<AdminClientBody>();
    expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/clients`, bot.token, {
        name: unique("stronger"),
        scopes: ["deploy:write"],
      }),
      403,
      "forbidden",
    );
    const stronger = await createAdminClient(h, writer, { scopes: ["deploy:write"] });
    for (const [method, url, body] of [
      ["PATCH", clientUrl(stronger), { enabled: false }],
      ["PATCH", clientUrl(mine), { scopes: ["deploy:write"] }],
      ["POST", `${clientUrl(stronger)}/secret`, { overlap_seconds: 60 }],
      ["POST", `${clientUrl(stronger)}/totp`, undefined],
      ["DELETE", `${clientUrl(stronger)}/totp`, undefined],
    ] as const) {
      expectAdminProblem(await admin(h, method, url, bot.token, body), 403, "forbidden");
    }
    expect((await clientCredentials(h, stronger.id, stronger.client_secret ?? "")).statusCode).toBe(
      200,
    );
    expect((await admin(h, "GET", clientUrl(stronger), reader)).json()).toMatchObject({
      status: "active",
      otp_enrolled: false,
    });
    const narrowed = await admin(h, "PATCH", clientUrl(mine), bot.token, { scopes: [] });
    expect(narrowed.statusCode, narrowed.body).toBe(200);
  });

  it("keeps a tenant's admin to its own tenant", async () => {
    const client = await createAdminClient(h, writer);
    const tenant = await otherTenant(h);
    const theirs = await clientToken(h, ["admin:write"], tenant);
    expect(
      (await admin(h, "GET", `/admin/v1/tenants/${tenant}/clients`, theirs.token)).statusCode,
    ).toBe(200);
    expectAdminProblem(await admin(h, "GET", clientUrl(client), theirs.token), 403, "forbidden");
    expectAdminProblem(
      await admin(h, "PATCH", clientUrl(client), theirs.token, { enabled: false }),
      403,
      "forbidden",
    );
    expect((await admin(h, "GET", clientUrl(client), reader)).json()).toMatchObject({
      status: "active",
    });
  });
});

describe("admin clients: 404, 409, 412", () => {
  it("answers 404 for an unknown client or tenant", async () => {
    expectAdminProblem(await admin(h, "GET", `${ADMIN}/clients/nope`, reader), 404, "not_found");
    expectAdminProblem(
      await admin(h, "PATCH", `${ADMIN}/clients/nope`, writer, { enabled: false }),
      404,
      "not_found",
    );
    expectAdminProblem(
      await admin(h, "GET", "/admin/v1/tenants/no-such/clients", reader),
      404,
      "not_found",
    );
    expectAdminProblem(
      await admin(h, "POST", "/admin/v1/tenants/no-such/clients", writer, { name: "x" }),
      404,
      "not_found",
    );
  });

  it("answers 409 for a name or id taken, at creation and at rename", async () => {
    const client = await createAdminClient(h, writer);
    const other = await createAdminClient(h, writer, { id: unique("chosen") });
    for (const body of [{ name: client.name }, { name: unique("n"), id: other.id }]) {
      expectAdminProblem(await admin(h, "POST", `${ADMIN}/clients`, writer, body), 409, "conflict");
    }
    expectAdminProblem(
      await admin(h, "PATCH", clientUrl(other), writer, { name: client.name }),
      409,
      "conflict",
    );
    expect(
      (await auditOf(h, "client.created")).filter((e) => e.detail.name === client.name),
    ).toHaveLength(1);
  });

  it("changes a client only if its ETag still matches If-Match (412 otherwise)", async () => {
    const created = await admin(h, "POST", `${ADMIN}/clients`, writer, { name: unique("etag") });
    const { id } = created.json<AdminClientBody>();
    const etag = created.headers.etag as string;
    const url = `${ADMIN}/clients/${id}`;
    const first = await admin(h, "PATCH", url, writer, { scopes: ["a:b"] }, { "if-match": etag });
    expect(first.statusCode, first.body).toBe(200);
    const second = await admin(h, "PATCH", url, writer, { scopes: ["c:d"] }, { "if-match": etag });
    expectAdminProblem(second, 412, "precondition_failed");
    const now = await admin(h, "GET", url, reader);
    expect(now.json()).toMatchObject({ scopes: ["a:b"] });
    const third = await admin(
      h,
      "PATCH",
      url,
      writer,
      { scopes: ["c:d"] },
      { "if-match": now.headers.etag as string },
    );
    expect(third.statusCode).toBe(200);
    expectAdminProblem(
      await admin(h, "PATCH", url, writer, { enabled: true }, { "if-match": "garbage" }),
      400,
      "invalid_request",
    );
  });
});
