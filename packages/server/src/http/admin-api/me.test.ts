import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  admin,
  clientToken,
  expectAdminProblem,
  otherTenant,
  userToken,
} from "../../../test/support/admin-api.js";
import { type Harness, startHarness } from "../../../test/support/harness.js";

/**
 * `GET /admin/v1/me`, who a token calls as (what `tessera login` and
 * `whoami` show), and the users list's exact `username` filter (how a tool
 * that knows a username finds its id).
 */

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe("GET /admin/v1/me", () => {
  it("names a user, the admin client the token was issued to, and write access to every tenant", async () => {
    const token = await userToken(h, ["admin"]);
    const response = await admin(h, "GET", "/admin/v1/me", token);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      tenant_id: "default",
      platform: true,
      access: "write",
      user: { id: expect.any(String), name: expect.stringMatching(/^op/) },
      client: { id: expect.any(String), name: expect.any(String) },
    });
  });

  it("names a client calling with its own token, with no user, and read access", async () => {
    const { token, clientId } = await clientToken(h, ["admin:read"]);
    const response = await admin(h, "GET", "/admin/v1/me", token);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      access: "read",
      user: null,
      client: { id: clientId },
    });
  });

  it("tells another tenant's admin that it manages its own tenant only", async () => {
    const tenant = await otherTenant(h);
    const { token } = await clientToken(h, ["admin:write"], tenant);
    const response = await admin(h, "GET", "/admin/v1/me", token);
    expect(response.json()).toMatchObject({ tenant_id: tenant, platform: false, access: "write" });
  });

  it("answers 401 without a token, 403 to a token without admin access", async () => {
    expectAdminProblem(await admin(h, "GET", "/admin/v1/me", undefined), 401, "invalid_token");
    const { token } = await clientToken(h, ["tokens:write"]);
    expectAdminProblem(await admin(h, "GET", "/admin/v1/me", token), 403, "insufficient_scope");
  });
});

describe("GET /users?username=", () => {
  it("answers the one user of exactly that username, or none", async () => {
    const writer = await userToken(h, ["admin"]);
    for (const username of ["exact-ann", "exact-anne"]) {
      const made = await admin(h, "POST", `${ADMIN}/users`, writer, {
        username,
        password: "a password for ann",
      });
      expect(made.statusCode, made.body).toBe(201);
    }
    const found = await admin(h, "GET", `${ADMIN}/users?username=exact-ann`, writer);
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json()).toMatchObject({ items: [{ username: "exact-ann" }], next: null });
    expect(found.json<{ items: unknown[] }>().items).toHaveLength(1);
    const none = await admin(h, "GET", `${ADMIN}/users?username=exact-nobody`, writer);
    expect(none.json()).toEqual({ items: [], next: null });
    const bad = await admin(
      h,
      "GET",
      `${ADMIN}/users?username=${encodeURIComponent("a\nb")}`,
      writer,
    );
    expectAdminProblem(bad, 400, "invalid_request");
  });
});
