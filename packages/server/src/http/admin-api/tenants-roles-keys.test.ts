import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  admin,
  clientToken,
  expectAdminProblem,
  loginAdmin,
  otherTenant,
  unique,
  userToken,
} from "../../../test/support/admin-api.js";
import { type Harness, sessionOf, startHarness } from "../../../test/support/harness.js";

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

describe("admin tenants", () => {
  it("creates a tenant (201) that serves tokens at once, and lists it for a platform admin", async () => {
    const id = unique("acme");
    const created = await admin(h, "POST", "/admin/v1/tenants", writer, {
      id,
      display_name: "Acme",
      access_token_ttl_seconds: 600,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers.location).toBe(`/admin/v1/tenants/${id}`);
    expect(created.json()).toMatchObject({
      id,
      display_name: "Acme",
      access_token_ttl_seconds: 600,
      issuer: `https://auth.example.test/tenants/${id}`,
    });
    const jwks = await h.app.inject({ method: "GET", url: `/tenants/${id}/.well-known/jwks.json` });
    expect(jwks.statusCode).toBe(200);
    expect(jwks.json<JSONWebKeySet>().keys.length).toBeGreaterThan(0);

    const listed = await admin(h, "GET", "/admin/v1/tenants?limit=200", reader);
    expect(listed.json<{ items: { id: string }[] }>().items.map((t) => t.id)).toContain(id);
    expectAdminProblem(
      await admin(h, "POST", "/admin/v1/tenants", writer, { id }),
      409,
      "conflict",
    );
  });

  it("changes settings with If-Match (412 when stale), and refuses values out of range by their wire names", async () => {
    const read = await admin(h, "GET", "/admin/v1/tenants/default", reader);
    const etag = read.headers.etag as string;
    const changed = await admin(
      h,
      "PATCH",
      "/admin/v1/tenants/default",
      writer,
      { refresh_grace_seconds: 10 },
      { "if-match": etag },
    );
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ refresh_grace_seconds: 10 });
    expectAdminProblem(
      await admin(
        h,
        "PATCH",
        "/admin/v1/tenants/default",
        writer,
        { refresh_grace_seconds: 20 },
        { "if-match": etag },
      ),
      412,
      "precondition_failed",
    );
    const bad = expectAdminProblem(
      await admin(h, "PATCH", "/admin/v1/tenants/default", writer, { access_token_ttl_seconds: 5 }),
      400,
      "invalid_request",
    );
    expect(bad.detail).toContain("access_token_ttl_seconds");
    expectAdminProblem(
      await admin(h, "POST", "/admin/v1/tenants", writer, { id: "Not Valid" }),
      400,
      "invalid_request",
    );
  });

  it("shows, sets and changes signing_key_rotation_days (0 by default), refusing a period out of range", async () => {
    const id = unique("rot");
    const created = await admin(h, "POST", "/admin/v1/tenants", writer, {
      id,
      signing_key_rotation_days: 90,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ signing_key_rotation_days: 90 });
    const plain = await admin(h, "POST", "/admin/v1/tenants", writer, { id: unique("rot") });
    expect(plain.json()).toMatchObject({ signing_key_rotation_days: 0 });

    const changed = await admin(h, "PATCH", `/admin/v1/tenants/${id}`, writer, {
      signing_key_rotation_days: 0,
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ signing_key_rotation_days: 0 });
    const read = await admin(h, "GET", `/admin/v1/tenants/${id}`, reader);
    expect(read.json()).toMatchObject({ signing_key_rotation_days: 0 });

    for (const days of [-1, 3651, 1.5]) {
      const bad = expectAdminProblem(
        await admin(h, "PATCH", `/admin/v1/tenants/${id}`, writer, {
          signing_key_rotation_days: days,
        }),
        400,
        "invalid_request",
      );
      expect(bad.detail).toContain("signing_key_rotation_days");
    }
  });

  it("shows a tenant's admin its own tenant only, and lets only a platform admin create tenants", async () => {
    const tenant = await otherTenant(h);
    const theirs = await clientToken(h, ["admin:write"], tenant);
    const listed = await admin(h, "GET", "/admin/v1/tenants", theirs.token);
    expect(listed.json<{ items: { id: string }[] }>().items.map((t) => t.id)).toEqual([tenant]);
    expectAdminProblem(
      await admin(h, "GET", "/admin/v1/tenants/default", theirs.token),
      403,
      "forbidden",
    );
    expectAdminProblem(
      await admin(h, "POST", "/admin/v1/tenants", theirs.token, { id: unique("x") }),
      403,
      "forbidden",
    );
    expectAdminProblem(
      await admin(h, "POST", "/admin/v1/tenants", reader, { id: unique("x") }),
      403,
      "insufficient_scope",
    );
    expectAdminProblem(await admin(h, "GET", "/admin/v1/tenants", undefined), 401, "invalid_token");
  });
});

describe("admin roles", () => {
  it("creates, reads, renames and deletes a role; a super_user role makes its members admins", async () => {
    const name = unique("ops");
    const created = await admin(h, "POST", `${ADMIN}/roles`, writer, {
      name,
      permission: { super_user: true },
    });
    expect(created.statusCode, created.body).toBe(201);
    const role = created.json<{ id: string; permissions: string[]; permission: object }>();
    expect(role.permissions).toEqual(["admin"]);
    expect(role.permission).toEqual({ super_user: true });
    expectAdminProblem(await admin(h, "POST", `${ADMIN}/roles`, writer, { name }), 409, "conflict");

    const member = await admin(h, "POST", `${ADMIN}/users`, writer, {
      username: unique("member"),
      password: "correct horse battery staple",
      role_id: role.id,
    });
    expect(member.json()).toMatchObject({ role_id: role.id, effective_permissions: ["admin"] });
    const memberToken = sessionOf(await loginAdmin(h, member.json<{ username: string }>().username))
      .session.accessToken;
    expect((await admin(h, "GET", `${ADMIN}/users`, memberToken)).statusCode).toBe(200);

    expectAdminProblem(
      await admin(h, "DELETE", `${ADMIN}/roles/${role.id}`, writer),
      409,
      "conflict",
    );
    const etag = created.headers.etag as string;
    const renamed = await admin(
      h,
      "PATCH",
      `${ADMIN}/roles/${role.id}`,
      writer,
      { name: `${name}-2` },
      { "if-match": etag },
    );
    expect(renamed.statusCode, renamed.body).toBe(200);
    expectAdminProblem(
      await admin(
        h,
        "PATCH",
        `${ADMIN}/roles/${role.id}`,
        writer,
        { name: `${name}-3` },
        { "if-match": etag },
      ),
      412,
      "precondition_failed",
    );
    // Taking super_user away from the role takes admin from its member at once.
    const demoted = await admin(h, "PATCH", `${ADMIN}/roles/${role.id}`, writer, {
      permission: {},
    });
    expect(demoted.json()).toMatchObject({ permissions: [] });
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/users`, memberToken),
      403,
      "insufficient_scope",
    );

    await admin(h, "DELETE", `${ADMIN}/users/${member.json<{ id: string }>().id}`, writer);
    expect((await admin(h, "DELETE", `${ADMIN}/roles/${role.id}`, writer)).statusCode).toBe(204);
    expect((await admin(h, "DELETE", `${ADMIN}/roles/${role.id}`, writer)).statusCode).toBe(204);
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/roles/${role.id}`, reader),
      404,
      "not_found",
    );
  });

  it("lists roles a page at a time, and refuses bad bodies", async () => {
    for (let i = 0; i < 3; i++) {
      await admin(h, "POST", `${ADMIN}/roles`, writer, { name: unique("r") });
    }
    const first = await admin(h, "GET", `${ADMIN}/roles?limit=2`, reader);
    const page = first.json<{ items: { name: string }[]; next: string | null }>();
    expect(page.items).toHaveLength(2);
    const second = await admin(h, "GET", `${ADMIN}/roles?limit=200&cursor=${page.next}`, reader);
    const rest = second.json<{ items: { name: string }[] }>().items.map((r) => r.name);
    expect(rest).not.toContain(page.items[0]?.name);
    expect(rest.every((name) => name > (page.items[1]?.name ?? ""))).toBe(true);
    expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/roles`, writer, { name: 7 }),
      400,
      "invalid_request",
    );
    expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/roles`, writer, { name: "x", permission: [] }),
      400,
      "invalid_request",
    );
    // HarperDB's shape, checked as the operations API and the CLI check it.
    const shapeless = expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/roles`, writer, {
        name: unique("r"),
        permission: { super_user: "yes", dev: { tables: { dog: { read: "yes" } } } },
      }),
      400,
      "invalid_request",
    );
    expect(shapeless.detail).toContain("'super_user' must be a boolean");
    const made = await admin(h, "POST", `${ADMIN}/roles`, writer, { name: unique("r") });
    const reshaped = await admin(
      h,
      "PATCH",
      `${ADMIN}/roles/${made.json<{ id: string }>().id}`,
      writer,
      {
        permission: { dev: true },
      },
    );
    expectAdminProblem(reshaped, 400, "invalid_request");
    expectAdminProblem(
      await admin(h, "PATCH", `${ADMIN}/roles/nope`, writer, { name: "y" }),
      404,
      "not_found",
    );
  });
});

describe("admin signing keys and maintenance", () => {
  it("lists keys without private parts, and rotates: the new key signs, the old one still verifies", async () => {
    const before = sessionOf(await h.login((await createPlainUser()).username)).session.accessToken;
    const listed = await admin(h, "GET", `${ADMIN}/signing-keys`, reader);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.body).not.toMatch(/"d":|sealed|private/i);
    const items = listed.json<{
      items: { status: string; kid: string; public_jwk: { kid: string; kty: string } }[];
    }>().items;
    expect(
      items.every((k) => k.public_jwk.kid === k.kid && typeof k.public_jwk.kty === "string"),
    ).toBe(true);
    const statuses = items.map((k) => k.status);
    expect(statuses).toEqual(expect.arrayContaining(["active", "next"]));

    const rotated = await admin(h, "POST", `${ADMIN}/signing-keys/rotate`, writer);
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { active_kid } = rotated.json<{ active_kid: string; algorithm: string }>();
    const after = sessionOf(await h.login((await createPlainUser()).username)).session.accessToken;
    const jwks = createLocalJWKSet(
      (await h.app.inject({ method: "GET", url: "/.well-known/jwks.json" })).json<JSONWebKeySet>(),
    );
    const options = { currentDate: new Date(h.clock.now()) };
    expect((await jwtVerify(after, jwks, options)).protectedHeader.kid).toBe(active_kid);
    expect((await jwtVerify(before, jwks, options)).protectedHeader.kid).not.toBe(active_kid);
    expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/signing-keys/rotate`, writer, { algorithm: "HS256" }),
      400,
      "invalid_request",
    );
    expectAdminProblem(
      await admin(h, "POST", `${ADMIN}/signing-keys/rotate`, reader),
      403,
      "insufficient_scope",
    );
  });

  it("gives the active keys rotates_at (activation plus the tenant's period), null by hand only", async () => {
    const tenant = unique("rotat");
    await admin(h, "POST", "/admin/v1/tenants", writer, { id: tenant });
    const path = `/admin/v1/tenants/${tenant}/signing-keys`;
    type Listed = {
      items: { status: string; activated_at: string | null; rotates_at: string | null }[];
    };
    const byHand = (await admin(h, "GET", path, reader)).json<Listed>().items;
    expect(byHand.length).toBeGreaterThan(0);
    expect(byHand.every((k) => k.rotates_at === null)).toBe(true);

    await admin(h, "PATCH", `/admin/v1/tenants/${tenant}`, writer, {
      signing_key_rotation_days: 30,
    });
    const listed = await admin(h, "GET", path, reader);
    expect(listed.statusCode, listed.body).toBe(200);
    const items = listed.json<Listed>().items;
    const active = items.filter((k) => k.status === "active");
    expect(active.length).toBeGreaterThan(0);
    for (const key of active) {
      expect(key.rotates_at).toBe(
        new Date(Date.parse(key.activated_at ?? "") + 30 * 86_400_000).toISOString(),
      );
    }
    expect(items.filter((k) => k.status !== "active").every((k) => k.rotates_at === null)).toBe(
      true,
    );
  });

  it("purges for a platform admin only, saying which retention applied", async () => {
    const purged = await admin(h, "POST", "/admin/v1/maintenance/purge", writer, {
      retention_days: 0,
    });
    expect(purged.statusCode, purged.body).toBe(200);
    expect(purged.json()).toMatchObject({
      sessions: expect.any(Number),
      ended_before: expect.any(String),
      retention_days: 0,
    });
    // Without retention_days, the server's setting (the harness keeps the default, 7 days).
    const byDefault = await admin(h, "POST", "/admin/v1/maintenance/purge", writer);
    expect(byDefault.statusCode, byDefault.body).toBe(200);
    const { ended_before, retention_days } = byDefault.json<{
      ended_before: string;
      retention_days: number;
    }>();
    expect(retention_days).toBe(7);
    expect(h.clock.now() - Date.parse(ended_before)).toBe(7 * 86_400_000);
    const tenant = await otherTenant(h);
    const theirs = await clientToken(h, ["admin:write"], tenant);
    expectAdminProblem(
      await admin(h, "POST", "/admin/v1/maintenance/purge", theirs.token),
      403,
      "forbidden",
    );
    expectAdminProblem(
      await admin(h, "POST", "/admin/v1/maintenance/purge", writer, { retention_days: -1 }),
      400,
      "invalid_request",
    );
  });
});

async function createPlainUser(): Promise<{ username: string }> {
  const username = unique("plain");
  await h.addUser(username);
  return { username };
}
