import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, sessionOf, startHarness, TENANT } from "../../../test/support/harness.js";
import { createApiKey } from "../../core/api-keys.js";
import { getTenant, updateTenant } from "../../core/tenants.js";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  await h.addUser("alice");
  await h.addUser("root", ["admin"]);
});
afterEach(async () => {
  await h.close();
});

const SUCCESS = { status: "success", message: "The session is revoked" };

describe("DELETE /auth/token: 200", () => {
  it("revokes the session of the previous response: refresh refused with 401 afterwards", async () => {
    const login = sessionOf(await h.login("alice"));
    const response = await h.send("DELETE", "/auth/token", login);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(SUCCESS);
    const refresh = await h.send("POST", "/auth/token", login);
    expect(refresh.statusCode).toBe(401);
    expect(refresh.json()).toEqual({ status: "error", message: "Refresh token has been revoked" });
  });

  it("revokes by the access token alone, and the access token is refused afterwards", async () => {
    const root = sessionOf(await h.login("root"));
    await h.send("DELETE", "/auth/token", { session: { accessToken: root.session.accessToken } });
    const impersonate = await h.send(
      "POST",
      "/auth/impersonate",
      { username: "alice" },
      { authorization: root.session.authorization, accesstoken: root.session.accessToken },
    );
    expect(impersonate.statusCode).toBe(401);
    expect(impersonate.json().message).toBe("Token has been revoked");
    expect((await h.send("POST", "/auth/token", root)).statusCode).toBe(401);
  });

  it("accepts an expired access token for revocation", async () => {
    const login = sessionOf(await h.login("alice"));
    h.clock.advance(2 * 3_600_000);
    await h.send("DELETE", "/auth/token", { session: { accessToken: login.session.accessToken } });
    expect((await h.send("POST", "/auth/token", login)).statusCode).toBe(401);
  });

  it("ends a year-long session by its access token after the keys rotated and a month passed", async () => {
    await updateTenant(h.runtime.ctx, TENANT, { refreshTokenTtlSeconds: 365 * 86_400 });
    const login = sessionOf(await h.login("alice"));
    const tenant = await getTenant(h.runtime.ctx, TENANT);
    await h.runtime.ctx.keyring.rotate(TENANT, tenant.signingAlgorithm);
    // Past the 31 days its retired key stays in the JWKS; the session lives on.
    h.clock.advance(32 * 86_400_000);
    const response = await h.send("DELETE", "/auth/token", {
      session: { accessToken: login.session.accessToken },
    });
    expect(response.json()).toEqual(SUCCESS);
    const refresh = await h.send("POST", "/auth/token", login);
    expect(refresh.statusCode).toBe(401);
    expect(refresh.json()).toEqual({ status: "error", message: "Refresh token has been revoked" });
  });

  it("is idempotent, and answers the same for an unknown token", async () => {
    const login = sessionOf(await h.login("alice"));
    expect((await h.send("DELETE", "/auth/token", login)).json()).toEqual(SUCCESS);
    expect((await h.send("DELETE", "/auth/token", login)).json()).toEqual(SUCCESS);
    const unknown = await h.send("DELETE", "/auth/token", { session: { refreshToken: "nope" } });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toEqual(SUCCESS);
  });

  it("treats an access token sent as the refresh token as any unknown token, whatever its length", async () => {
    const login = sessionOf(await h.login("alice"));
    const alone = await h.send("DELETE", "/auth/token", {
      session: { refreshToken: login.session.accessToken },
    });
    expect({ status: alone.statusCode, body: alone.json() }).toEqual({
      status: 200,
      body: SUCCESS,
    });
    expect((await h.send("POST", "/auth/token", login)).statusCode).toBe(200);
    const withAccess = await h.send("DELETE", "/auth/token", {
      session: { refreshToken: login.session.accessToken, accessToken: login.session.accessToken },
    });
    expect(withAccess.json()).toEqual(SUCCESS);
    expect((await h.send("POST", "/auth/token", login)).statusCode).toBe(401);
  });

  it("does not let another client's key revoke a session", async () => {
    const login = sessionOf(await h.login("alice"));
    const other = await createApiKey(h.runtime.ctx, { tenantId: TENANT });
    await h.send("DELETE", "/auth/token", login, { "x-api-key": other.key });
    expect((await h.send("POST", "/auth/token", login)).statusCode).toBe(200);
  });

  it("records the revocation in the audit trail", async () => {
    const login = sessionOf(await h.login("alice"));
    await h.send("DELETE", "/auth/token", login);
    const events = await h.runtime.store.audit.list(TENANT, { limit: 10 });
    expect(events.map((e) => e.type)).toContain("session.revoked");
  });
});

describe("DELETE /auth/token: 400, 401", () => {
  it("needs a token to revoke", async () => {
    const response = await h.send("DELETE", "/auth/token", { username: "alice" });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      status: "error",
      message: "session.refreshToken or session.accessToken is required",
    });
  });

  it("needs the API key", async () => {
    const login = sessionOf(await h.login("alice"));
    const response = await h.send("DELETE", "/auth/token", login, { "x-api-key": "" });
    expect(response.statusCode).toBe(401);
  });
});
