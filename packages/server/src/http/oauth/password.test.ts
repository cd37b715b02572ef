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
/** A confidential client registered for password and refresh_token, and its Basic credentials. */
let backend: { id: string; authorization: string };

beforeAll(async () => {
  h = await startHarness({ TESSERA_LOGIN_MAX_FAILURES_PER_USER_IP: "3" });
  for (const name of ["alice", "bob", "dave", "erin"]) {
    await h.addUser(name);
  }
  const { client, clientSecret } = await createClient(h.runtime.ctx, {
    tenantId: TENANT,
    name: "password-backend",
    scopes: [],
    grantTypes: ["password", "refresh_token"],
  });
  backend = { id: client.id, authorization: clientBasic(client.id, clientSecret ?? "") };
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

/** A password grant request of the confidential client, by its secret. */
const login = (username: string, password: string, extra: Record<string, string> = {}) =>
  postToken(
    h,
    { grant_type: "password", username, password, ...extra },
    { authorization: backend.authorization },
  );

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
    it("for a confidential client registered for password, by its secret", async () => {
      const answer = ok(await login("alice", PASSWORD, { scope: "openid" }));
      expect(answer).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "openid" });
      expect(answer.refresh_token).toMatch(/^tsr_rt_/);
      expect(decodeJwt(answer.access_token)).toMatchObject({
        iss: ISSUER,
        aud: backend.id,
        client_id: backend.id,
        username: "alice",
        token_use: "access",
      });
      expect(decodeJwt(answer.id_token)).toMatchObject({
        iss: ISSUER,
        aud: backend.id,
        token_use: "id",
      });
    });

    it("whose refresh token works with the refresh_token grant of the same client", async () => {
      const first = ok(await login("alice", PASSWORD));
      const refreshed = ok(
        await postToken(
          h,
          {
            grant_type: "refresh_token",
            refresh_token: first.refresh_token,
          },
          { authorization: backend.authorization },
        ),
      );
      expect(decodeJwt(refreshed.access_token).sid).toBe(decodeJwt(first.access_token).sid);
    });
  });

  it("gives no refresh token to a client not registered for refresh_token", async () => {
    const { client, clientSecret } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "password-only",
      scopes: [],
      grantTypes: ["password"],
    });
    const response = await postToken(
      h,
      { grant_type: "password", username: "bob", password: PASSWORD },
      { authorization: clientBasic(client.id, clientSecret ?? "") },
    );
    const answer = ok(response);
    expect(Object.keys(answer).sort()).toEqual([
      "access_token",
      "expires_in",
      "id_token",
      "scope",
      "token_type",
    ]);
    expect(decodeJwt(answer.access_token)).toMatchObject({ aud: client.id, username: "bob" });
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
        username: "alice",
        password: PASSWORD,
      };
      delete form[missing];
      const error = expectOAuthError(
        await postToken(h, form, { authorization: backend.authorization }),
        400,
        "invalid_request",
      );
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
    it("refuses a client_id alone, an API key's public client's included, before any password is checked", async () => {
      const logins = async () =>
        (await h.runtime.ctx.store.audit.list(TENANT, { limit: 500 })).filter((e) =>
          e.type.startsWith("login."),
        ).length;
      const before = await logins();
      // The API key's client is public and registered for password (the session API's login,
      // by API key): by its id alone, which every token it was issued shows, it logs nobody in.
      for (const clientId of [h.clientId, "no-such-client"]) {
        const response = await postToken(h, {
          grant_type: "password",
          username: "alice",
          password: PASSWORD,
          client_id: clientId,
        });
        expectOAuthError(response, 401, "invalid_client");
      }
      expect(await logins()).toBe(before);
      // The session API's login by that client's API key goes on working.
      expect((await h.login("alice")).statusCode).toBe(200);
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
