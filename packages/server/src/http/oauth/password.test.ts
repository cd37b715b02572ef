import type { LightMyRequestResponse } from "fastify";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, PASSWORD, startHarness, TENANT } from "../../../test/support/harness.js";
import { clientBasic, expectOAuthError, ISSUER, postToken } from "../../../test/support/oauth.js";
import { addClient } from "../../../test/support/token-api.js";
import { createClient } from "../../core/clients/clients.js";
import { updateTenant } from "../../core/tenants.js";

/**
 * The password grant (RFC 6749 §4.3) at the OAuth token endpoint, by
 * outcome, through `app.inject`: off until the tenant turns it on, then the
 * session API's login for the client (its throttle, its one answer for an
 * unknown user and a wrong password), answering the session's tokens.
 */

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ TESSERA_LOGIN_MAX_FAILURES_PER_USER_IP: "3" });
  for (const name of ["alice", "bob", "dave", "erin"]) {
    await h.addUser(name);
  }
});
afterAll(async () => {
  await h.close();
});

interface SessionAnswer {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly scope: string;
  readonly refresh_token: string;
  readonly id_token: string;
}

function ok(response: LightMyRequestResponse): SessionAnswer {
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers["cache-control"]).toBe("no-store");
  expect(response.headers.pragma).toBe("no-cache");
  return response.json<SessionAnswer>();
}

/** A password grant request of the API key's public client, by its id alone. */
const login = (username: string, password: string, extra: Record<string, string> = {}) =>
  postToken(h, { grant_type: "password", username, password, client_id: h.clientId, ...extra });

const grantTypes = async () =>
  (
    await h.app.inject({ method: "GET", url: "/tenants/default/.well-known/openid-configuration" })
  ).json<{
    grant_types_supported: string[];
  }>().grant_types_supported;

const setPasswordGrant = (on: boolean) =>
  updateTenant(h.runtime.ctx, TENANT, { oauthPasswordGrant: on });

describe("off by default", () => {
  it("answers unsupported_grant_type, and the metadata does not list it, until the tenant turns it on", async () => {
    const error = expectOAuthError(await login("alice", PASSWORD), 400, "unsupported_grant_type");
    expect(error.error_description).toContain("grant_types_supported");
    expect(await grantTypes()).not.toContain("password");
    await setPasswordGrant(true);
    expect(await grantTypes()).toContain("password");
    ok(await login("alice", PASSWORD));
    await setPasswordGrant(false);
    expectOAuthError(await login("alice", PASSWORD), 400, "unsupported_grant_type");
  });
});

describe("with the tenant's password grant on", () => {
  beforeAll(async () => {
    await setPasswordGrant(true);
  });

  describe("200: the session's tokens", () => {
    it("for the API key's public client, by its id alone", async () => {
      const answer = ok(await login("alice", PASSWORD, { scope: "openid" }));
      expect(answer).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "openid" });
      expect(answer.refresh_token).toMatch(/^tsr_rt_/);
      expect(decodeJwt(answer.access_token)).toMatchObject({
        iss: ISSUER,
        aud: h.clientId,
        client_id: h.clientId,
        username: "alice",
        token_use: "access",
      });
      expect(decodeJwt(answer.id_token)).toMatchObject({
        iss: ISSUER,
        aud: h.clientId,
        token_use: "id",
      });
    });

    it("whose refresh token works with the refresh_token grant of the same client", async () => {
      const first = ok(await login("alice", PASSWORD));
      const refreshed = ok(
        await postToken(h, {
          grant_type: "refresh_token",
          refresh_token: first.refresh_token,
          client_id: h.clientId,
        }),
      );
      expect(decodeJwt(refreshed.access_token).sid).toBe(decodeJwt(first.access_token).sid);
    });

    it("for a confidential client registered for password, by its secret", async () => {
      const { client, clientSecret } = await createClient(h.runtime.ctx, {
        tenantId: TENANT,
        name: "password-backend",
        scopes: [],
        grantTypes: ["password", "refresh_token"],
      });
      const response = await postToken(
        h,
        { grant_type: "password", username: "alice", password: PASSWORD },
        { authorization: clientBasic(client.id, clientSecret ?? "") },
      );
      expect(decodeJwt(ok(response).id_token).aud).toBe(client.id);
    });
  });

  describe("400", () => {
    it("answers an unknown user and a wrong password with one invalid_grant", async () => {
      const unknown = await login("nobody", PASSWORD);
      const wrong = await login("bob", "wrong password");
      expectOAuthError(unknown, 400, "invalid_grant");
      expect(wrong.statusCode).toBe(unknown.statusCode);
      expect(wrong.body).toBe(unknown.body);
      expect(unknown.json()).toEqual({
        error: "invalid_grant",
        error_description: "Incorrect username or password",
      });
    });

    it.each(["username", "password"])("asks for the %s", async (missing) => {
      const form: Record<string, string> = {
        grant_type: "password",
        client_id: h.clientId,
        username: "alice",
        password: PASSWORD,
      };
      delete form[missing];
      const error = expectOAuthError(await postToken(h, form), 400, "invalid_request");
      expect(error.error_description).toBe(`${missing} is required`);
    });

    it("answers invalid_scope for a scope a session does not have", async () => {
      expectOAuthError(await login("alice", PASSWORD, { scope: "admin" }), 400, "invalid_scope");
    });

    it("answers unauthorized_client for a client not registered for password", async () => {
      const machine = await addClient(h);
      const response = await postToken(
        h,
        { grant_type: "password", username: "alice", password: PASSWORD },
        { authorization: clientBasic(machine.id, machine.secret) },
      );
      expectOAuthError(response, 400, "unauthorized_client");
    });
  });

  describe("401", () => {
    it("refuses an unknown public client before any password is checked", async () => {
      const before = await h.runtime.ctx.store.audit.list(TENANT, { limit: 500 });
      const response = await login("alice", PASSWORD, { client_id: "no-such-client" });
      expectOAuthError(response, 401, "invalid_client");
      const after = await h.runtime.ctx.store.audit.list(TENANT, { limit: 500 });
      expect(after.filter((e) => e.type.startsWith("login.")).length).toBe(
        before.filter((e) => e.type.startsWith("login.")).length,
      );
    });
  });

  describe("429: the session API's login throttle", () => {
    it("refuses, the right password included, after repeated failures", async () => {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        expectOAuthError(await login("dave", "wrong"), 400, "invalid_grant");
      }
      const response = await login("dave", PASSWORD);
      expectOAuthError(response, 429, "temporarily_unavailable");
      expect(Number(response.headers["retry-after"])).toBeGreaterThan(0);
    });

    it("is one throttle with the session API's POST /auth/token", async () => {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        expectOAuthError(await login("erin", "wrong"), 400, "invalid_grant");
      }
      expect((await h.login("erin")).statusCode).toBe(429);
    });
  });
});
