import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  admin,
  adminClientKey,
  clientToken,
  expectAdminProblem,
  loginAdmin,
  otherTenant,
  unique,
  userToken,
} from "../../../test/support/admin-api.js";
import { type Harness, PASSWORD, sessionOf, startHarness } from "../../../test/support/harness.js";

interface User {
  readonly id: string;
  readonly username: string;
  readonly status: string;
  readonly permissions: string[];
  readonly role_id: string | null;
  readonly effective_permissions: string[];
  readonly updated_at: string;
}

let h: Harness;
let writer: string;
let reader: string;

beforeAll(async () => {
  h = await startHarness();
  writer = await userToken(h, ["admin"]);
  reader = await userToken(h, ["admin:read"]);
});
afterAll(async () => {
  await h.close();
});

async function createUser(extra: Record<string, unknown> = {}): Promise<User> {
  const response = await admin(h, "POST", `${ADMIN}/users`, writer, {
    username: unique("user"),
    password: PASSWORD,
    ...extra,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<User>();
}

describe("admin users: 2xx", () => {
  it("creates a user (201, Location, ETag) who can then log in, and never shows a password", async () => {
    const response = await admin(h, "POST", `${ADMIN}/users`, writer, {
      username: "grace",
      password: PASSWORD,
      permissions: ["deploy:write"],
    });
    expect(response.statusCode, response.body).toBe(201);
    const user = response.json<User>();
    expect(user).toMatchObject({
      username: "grace",
      status: "active",
      permissions: ["deploy:write"],
    });
    expect(response.headers.location).toBe(`${ADMIN}/users/${user.id}`);
    expect(response.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(response.body).not.toContain(PASSWORD);
    expect(response.body).not.toContain("argon2");
    expect((await h.login("grace")).statusCode).toBe(200);

    const read = await admin(h, "GET", response.headers.location as string, reader);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(user);
    expect(read.headers.etag).toBe(response.headers.etag);
  });

  it("lists users a page at a time by username, and searches ignoring case", async () => {
    const tag = unique("Page").toLowerCase();
    for (const name of ["c", "a", "b"]) {
      await createUser({ username: `${tag}-${name}` });
    }
    const first = await admin(
      h,
      "GET",
      `${ADMIN}/users?search=${tag.toUpperCase()}&limit=2`,
      reader,
    );
    expect(first.statusCode, first.body).toBe(200);
    const page = first.json<{ items: User[]; next: string | null }>();
    expect(page.items.map((u) => u.username)).toEqual([`${tag}-a`, `${tag}-b`]);
    expect(page.next).toEqual(expect.any(String));
    const second = await admin(
      h,
      "GET",
      `${ADMIN}/users?search=${tag}&limit=2&cursor=${page.next}`,
      reader,
    );
    expect(second.json()).toMatchObject({ items: [{ username: `${tag}-c` }], next: null });
  });

  it("disables a user (ending its sessions), grants permissions and enables it again", async () => {
    const user = await createUser();
    const session = await h.login(user.username);
    expect(session.statusCode).toBe(200);
    const disabled = await admin(h, "PATCH", `${ADMIN}/users/${user.id}`, writer, {
      enabled: false,
      permissions: ["impersonate", "deploy:read"],
    });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(disabled.json()).toMatchObject({
      status: "disabled",
      permissions: ["deploy:read", "impersonate"],
    });
    expect(disabled.headers.etag).not.toBe(undefined);
    expect((await h.login(user.username)).statusCode).toBe(401);

    const enabled = await admin(h, "PATCH", `${ADMIN}/users/${user.id}`, writer, { enabled: true });
    expect(enabled.json()).toMatchObject({ status: "active" });
    expect((await h.login(user.username)).statusCode).toBe(200);
  });

  it("sets a password (204): the old one stops working, the new one works", async () => {
    const user = await createUser();
    const response = await admin(h, "PUT", `${ADMIN}/users/${user.id}/password`, writer, {
      password: "a whole new passphrase",
    });
    expect(response.statusCode, response.body).toBe(204);
    expect((await h.login(user.username)).statusCode).toBe(401);
    expect((await h.login(user.username, "a whole new passphrase")).statusCode).toBe(200);
  });

  it("deletes a user (204), and deleting it again is 204 too", async () => {
    const user = await createUser();
    expect((await admin(h, "DELETE", `${ADMIN}/users/${user.id}`, writer)).statusCode).toBe(204);
    expect((await admin(h, "DELETE", `${ADMIN}/users/${user.id}`, writer)).statusCode).toBe(204);
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/users/${user.id}`, reader),
      404,
      "not_found",
    );
    expect((await h.login(user.username)).statusCode).toBe(401);
  });

  it("serves a client credentials token with admin:write, and a platform admin in another tenant", async () => {
    const bot = await clientToken(h, ["admin:write"]);
    const created = await admin(h, "POST", `${ADMIN}/users`, bot.token, {
      username: unique("by-bot"),
      password: PASSWORD,
    });
    expect(created.statusCode, created.body).toBe(201);

    const tenant = await otherTenant(h);
    const listed = await admin(h, "GET", `/admin/v1/tenants/${tenant}/users`, writer);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json()).toMatchObject({ items: [{ username: "someone" }] });
  });
});

describe("admin users: 400", () => {
  it.each([
    ["a number for a username", { username: 5, password: PASSWORD }],
    ["no password", { username: "nopass" }],
    ["an unknown field", { username: "x", password: PASSWORD, admin: true }],
    ["a control character", { username: "bad\u0007name", password: PASSWORD }],
    ["a short password", { username: unique("short"), password: "abc" }],
    [
      "a malformed permission",
      { username: unique("perm"), password: PASSWORD, permissions: ["No Spaces"] },
    ],
  ])("refuses %s", async (_, body) => {
    expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/users`, writer, body),
      400,
      "invalid_request",
    );
  });

  it("refuses an empty patch, a bad limit, and a cursor it did not hand out", async () => {
    const user = await createUser();
    expectAdminProblem(
      await admin(h, "PATCH", `${ADMIN}/users/${user.id}`, writer, {}),
      400,
      "invalid_request",
    );
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/users?limit=0`, reader),
      400,
      "invalid_request",
    );
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/users?limit=ten`, reader),
      400,
      "invalid_request",
    );
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/users?cursor=garbage`, reader),
      400,
      "invalid_request",
    );
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/users?cursor=e30`, reader),
      400,
      "invalid_request",
    );
  });

  it("refuses a body that is not JSON with 415, and a malformed one with 400", async () => {
    const form = await h.app.inject({
      method: "POST",
      url: `${ADMIN}/users`,
      headers: { authorization: `Bearer ${writer}`, "content-type": "text/plain" },
      payload: "username=x",
    });
    expectAdminProblem(form, 415, "unsupported_media_type");
    const broken = await h.app.inject({
      method: "POST",
      url: `${ADMIN}/users`,
      headers: { authorization: `Bearer ${writer}`, "content-type": "application/json" },
      payload: "{",
    });
    expectAdminProblem(broken, 400, "invalid_request");
  });
});

describe("admin users: 401", () => {
  it("answers 401 with a Bearer challenge without a token, whatever the path or body", async () => {
    for (const [method, url] of [
      ["GET", `${ADMIN}/users`],
      ["POST", `${ADMIN}/users`],
      ["DELETE", `${ADMIN}/users/nope`],
      ["GET", "/admin/v1/no/such/path"],
      ["GET", "/admin/v1"],
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

  it("refuses a garbage token, an API key and a refresh token as invalid_token", async () => {
    const session = await h.login((await createUser()).username);
    const refresh = session.json<{ session: { refreshToken: string } }>().session.refreshToken;
    for (const token of ["garbage", h.apiKey, refresh]) {
      expectAdminProblem(await admin(h, "GET", `${ADMIN}/users`, token), 401, "invalid_token");
    }
  });
});

describe("admin users: 403", () => {
  it("refuses an admin's token issued to a client that is not an admin client", async () => {
    const username = unique("elsewhere");
    await h.addUser(username, ["admin"]);
    const viaApp = sessionOf(await h.login(username)).session.accessToken;
    expectAdminProblem(await admin(h, "GET", `${ADMIN}/users`, viaApp), 403, "insufficient_scope");
  });

  it("caps an admin to reading through a client that holds admin:read only", async () => {
    const username = unique("capped");
    await h.addUser(username, ["admin"]);
    const key = await adminClientKey(h, ["admin:read"]);
    const token = sessionOf(await h.login(username, PASSWORD, key)).session.accessToken;
    expect((await admin(h, "GET", `${ADMIN}/users`, token)).statusCode).toBe(200);
    expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/users`, token, {
        username: unique("x"),
        password: PASSWORD,
      }),
      403,
      "insufficient_scope",
    );
  });

  it("refuses a user without admin, and a client without an admin scope", async () => {
    const plain = await userToken(h, ["deploy:read"]);
    expectAdminProblem(await admin(h, "GET", `${ADMIN}/users`, plain), 403, "insufficient_scope");
    const bot = await clientToken(h, ["deploy:read"]);
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/users`, bot.token),
      403,
      "insufficient_scope",
    );
  });

  it("refuses a change with read access only, before validating the body", async () => {
    expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/users`, reader, { garbage: 1 }),
      403,
      "insufficient_scope",
    );
    const readBot = await clientToken(h, ["admin:read"]);
    expect((await admin(h, "GET", `${ADMIN}/users`, readBot.token)).statusCode).toBe(200);
    expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/users`, readBot.token, {
        username: "x",
        password: PASSWORD,
      }),
      403,
      "insufficient_scope",
    );
  });

  it("keeps a tenant's admin to its own tenant", async () => {
    const tenant = await otherTenant(h);
    const theirs = await clientToken(h, ["admin:write"], tenant);
    expect(
      (await admin(h, "GET", `/admin/v1/tenants/${tenant}/users`, theirs.token)).statusCode,
    ).toBe(200);
    expectAdminProblem(await admin(h, "GET", `${ADMIN}/users`, theirs.token), 403, "forbidden");
    expectAdminProblem(
      await admin(h, "GET", "/admin/v1/tenants/no-such/users", theirs.token),
      403,
      "forbidden",
    );
  });

  it("refuses the access token of an impersonation session, even of an admin", async () => {
    const root = await createUser({ permissions: ["admin", "impersonate"] });
    const target = await createUser({ permissions: ["admin"] });
    const caller = sessionOf(await loginAdmin(h, root.username));
    const impersonated = await h.send(
      "POST",
      "/auth/impersonate",
      { username: target.username },
      {
        authorization: `Bearer ${caller.session.authorization}`,
        accesstoken: caller.session.accessToken,
        "x-api-key": await adminClientKey(h),
      },
    );
    const token = sessionOf(impersonated).session.accessToken;
    expectAdminProblem(await admin(h, "GET", `${ADMIN}/users`, token), 403, "forbidden");
    expect((await admin(h, "GET", `${ADMIN}/users`, caller.session.accessToken)).statusCode).toBe(
      200,
    );
  });

  it("refuses an admin disabling itself or taking away its own admin", async () => {
    const self = await createUser({ permissions: ["admin"] });
    const token = sessionOf(await loginAdmin(h, self.username)).session.accessToken;
    expectAdminProblem(
      await admin(h, "PATCH", `${ADMIN}/users/${self.id}`, token, { enabled: false }),
      403,
      "forbidden",
    );
    expectAdminProblem(
      await admin(h, "PATCH", `${ADMIN}/users/${self.id}`, token, { permissions: [] }),
      403,
      "forbidden",
    );
  });
});

describe("admin users: 404, 409, 412", () => {
  it("answers 404 for an unknown user, tenant or role", async () => {
    expectAdminProblem(await admin(h, "GET", `${ADMIN}/users/nope`, reader), 404, "not_found");
    expectAdminProblem(
      await admin(h, "PATCH", `${ADMIN}/users/nope`, writer, { enabled: true }),
      404,
      "not_found",
    );
    expectAdminProblem(
      await admin(h, "GET", "/admin/v1/tenants/no-such/users", reader),
      404,
      "not_found",
    );
    const user = await createUser();
    expectAdminProblem(
      await admin(h, "PATCH", `${ADMIN}/users/${user.id}`, writer, { role_id: "nope" }),
      404,
      "not_found",
    );
  });

  it("answers 409 for a username taken", async () => {
    const user = await createUser();
    expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/users`, writer, {
        username: user.username,
        password: PASSWORD,
      }),
      409,
      "conflict",
    );
  });

  it("changes a user only if its ETag still matches If-Match (412 otherwise)", async () => {
    const created = await admin(h, "POST", `${ADMIN}/users`, writer, {
      username: unique("etag"),
      password: PASSWORD,
    });
    const { id } = created.json<User>();
    const etag = created.headers.etag as string;
    const first = await admin(
      h,
      "PATCH",
      `${ADMIN}/users/${id}`,
      writer,
      { permissions: ["a:b"] },
      { "if-match": etag },
    );
    expect(first.statusCode, first.body).toBe(200);
    const second = await admin(
      h,
      "PATCH",
      `${ADMIN}/users/${id}`,
      writer,
      { permissions: ["c:d"] },
      { "if-match": etag },
    );
    expectAdminProblem(second, 412, "precondition_failed");
    const now = await admin(h, "GET", `${ADMIN}/users/${id}`, reader);
    expect(now.json()).toMatchObject({ permissions: ["a:b"] });
    const third = await admin(
      h,
      "PATCH",
      `${ADMIN}/users/${id}`,
      writer,
      { permissions: ["c:d"] },
      { "if-match": now.headers.etag as string },
    );
    expect(third.statusCode).toBe(200);
    expectAdminProblem(
      await admin(
        h,
        "PATCH",
        `${ADMIN}/users/${id}`,
        writer,
        { enabled: true },
        { "if-match": 'W/"x", garbage' },
      ),
      400,
      "invalid_request",
    );
  });
});

describe("admin users: a client with admin:write hands out only what it holds", () => {
  it("creates and changes ordinary users, but no one stronger than itself, nor touches an admin", async () => {
    const bot = await clientToken(h, ["admin:write", "deploy:read"]);
    const plain = await admin(h, "POST", `${ADMIN}/users`, bot.token, {
      username: unique("plain"),
      password: PASSWORD,
      permissions: ["deploy:read"],
    });
    expect(plain.statusCode, plain.body).toBe(201);
    const plainId = plain.json<User>().id;
    for (const body of [
      { username: unique("up"), password: PASSWORD, permissions: ["admin"] },
      { username: unique("up"), password: PASSWORD, permissions: ["impersonate"] },
    ]) {
      expectAdminProblem(
        await admin(h, "POST", `${ADMIN}/users`, bot.token, body),
        403,
        "forbidden",
      );
    }
    expectAdminProblem(
      await admin(h, "PATCH", `${ADMIN}/users/${plainId}`, bot.token, { permissions: ["admin"] }),
      403,
      "forbidden",
    );
    expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/roles`, bot.token, {
        name: unique("su"),
        permission: { super_user: true },
      }),
      403,
      "forbidden",
    );
    const role = await admin(h, "POST", `${ADMIN}/roles`, writer, {
      name: unique("su"),
      permission: { super_user: true },
    });
    expectAdminProblem(
      await admin(h, "PATCH", `${ADMIN}/users/${plainId}`, bot.token, {
        role_id: role.json<{ id: string }>().id,
      }),
      403,
      "forbidden",
    );

    const strong = await createUser({ permissions: ["admin"] });
    for (const [method, url, body] of [
      ["PATCH", `${ADMIN}/users/${strong.id}`, { enabled: false }],
      ["PUT", `${ADMIN}/users/${strong.id}/password`, { password: "taken over now" }],
      ["DELETE", `${ADMIN}/users/${strong.id}`, undefined],
      ["DELETE", `${ADMIN}/users/${strong.id}/sessions`, undefined],
    ] as const) {
      expectAdminProblem(await admin(h, method, url, bot.token, body), 403, "forbidden");
    }
    expect((await h.login(strong.username)).statusCode).toBe(200);
    const disabled = await admin(h, "PATCH", `${ADMIN}/users/${plainId}`, bot.token, {
      enabled: false,
    });
    expect(disabled.statusCode, disabled.body).toBe(200);
  });
});
