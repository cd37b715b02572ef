import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Harness,
  PASSWORD,
  sessionOf,
  startHarness,
  TENANT,
} from "../../../test/support/harness.js";
import { createApiKey } from "../../core/api-keys.js";
import { createTenant } from "../../core/tenants.js";
import { setUserEnabled } from "../../core/users.js";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  await h.addUser("alice");
});
afterEach(async () => {
  await h.close();
});

async function jwks() {
  const response = await h.app.inject({ method: "GET", url: "/.well-known/jwks.json" });
  return createLocalJWKSet(response.json<JSONWebKeySet>());
}

describe("POST /auth/token: 200", () => {
  it("answers a login with the fields of spec 001, never echoing the password", async () => {
    const response = await h.login("alice");
    const body = sessionOf(response);
    expect(Object.keys(body).sort()).toEqual(
      ["clientId", "endpointUrl", "password", "session", "userPoolId", "username"].sort(),
    );
    expect(body).toMatchObject({
      endpointUrl: "https://auth.example.test",
      clientId: h.clientId,
      userPoolId: "default",
      username: "alice",
      password: "",
    });
    expect(body.session.refreshToken).toMatch(/^tsr_rt_[0-9A-Za-z]{49}$/);
    expect(body.session.expireEpoch).toBe(h.clock.now() - (h.clock.now() % 1000) + 3_600_000);
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.body).not.toContain(PASSWORD);
  });

  it("issues an access token and an ID token that jose verifies against the served JWKS", async () => {
    const { session } = sessionOf(await h.login("alice"));
    const keys = await jwks();
    const options = {
      algorithms: ["ES256"],
      issuer: "https://auth.example.test/tenants/default",
      audience: h.clientId,
      currentDate: new Date(h.clock.now()),
    };
    const access = await jwtVerify(session.accessToken, keys, { ...options, typ: "at+jwt" });
    expect(access.payload).toMatchObject({
      token_use: "access",
      client_id: h.clientId,
      username: "alice",
      scope: "openid",
    });
    expect(access.payload.jti).toEqual(expect.any(String));
    const id = await jwtVerify(session.authorization, keys, options);
    expect(id.payload).toMatchObject({ token_use: "id", username: "alice" });
    expect(id.payload.sid).toBe(access.payload.sid);
    expect(id.payload.sub).toBe(access.payload.sub);
    expect(decodeProtectedHeader(session.accessToken).kid).toEqual(expect.any(String));
  });

  it("accepts credentials in Authorization: Basic", async () => {
    const basic = Buffer.from(`alice:${PASSWORD}`).toString("base64");
    const response = await h.send("POST", "/auth/token", {}, { authorization: `Basic ${basic}` });
    expect(sessionOf(response).username).toBe("alice");
  });

  it("refreshes from the whole previous response, keeping the refresh token under policy none", async () => {
    const first = sessionOf(await h.login("alice"));
    h.clock.advance(10 * 60_000);
    const second = sessionOf(await h.send("POST", "/auth/token", first));
    expect(second.session.refreshToken).toBe(first.session.refreshToken);
    expect(second.session.accessToken).not.toBe(first.session.accessToken);
    expect(second.session.expireEpoch).toBeGreaterThan(first.session.expireEpoch);
  });

  it("refreshes from just {session: {refreshToken}}", async () => {
    const first = sessionOf(await h.login("alice"));
    const response = await h.send("POST", "/auth/token", {
      session: { refreshToken: first.session.refreshToken },
    });
    expect(sessionOf(response).username).toBe("alice");
  });

  it("keeps refreshing for 30 days, then refuses", async () => {
    const first = sessionOf(await h.login("alice"));
    const body = { session: { refreshToken: first.session.refreshToken } };
    h.clock.advance(30 * 24 * 3_600_000 - 1000);
    expect((await h.send("POST", "/auth/token", body)).statusCode).toBe(200);
    h.clock.advance(2000);
    const late = await h.send("POST", "/auth/token", body);
    expect(late.statusCode).toBe(401);
    expect(late.json()).toEqual({ status: "error", message: "Refresh token has expired" });
  });

  it("rotates under policy rotate: a new refresh token each time, the old one refused after the grace window", async () => {
    await h.setRefreshPolicy("rotate", 5);
    const first = sessionOf(await h.login("alice"));
    const second = sessionOf(await h.send("POST", "/auth/token", first));
    expect(second.session.refreshToken).not.toBe(first.session.refreshToken);
    const third = sessionOf(await h.send("POST", "/auth/token", second));
    expect(third.session.refreshToken).not.toBe(second.session.refreshToken);

    h.clock.advance(6000);
    const reuse = await h.send("POST", "/auth/token", first);
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().message).toBe("Refresh token has been revoked");
    // Reuse revoked the whole family: the newest token is dead too.
    expect((await h.send("POST", "/auth/token", third)).statusCode).toBe(401);
  });

  it("gives every one of 50 concurrent refreshes of one token the same new pair, leaving one lineage", async () => {
    await h.setRefreshPolicy("rotate", 10);
    const first = sessionOf(await h.login("alice"));
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        h.send("POST", "/auth/token", { session: { refreshToken: first.session.refreshToken } }),
      ),
    );
    const bodies = responses.map(sessionOf);
    const refreshTokens = new Set(bodies.map((b) => b.session.refreshToken));
    const accessTokens = new Set(bodies.map((b) => b.session.accessToken));
    expect(refreshTokens.size).toBe(1);
    expect(accessTokens.size).toBe(1);
    const [successor] = [...refreshTokens];
    expect(successor).not.toBe(first.session.refreshToken);
    // The one lineage continues: the successor rotates normally.
    const next = sessionOf(
      await h.send("POST", "/auth/token", { session: { refreshToken: successor } }),
    );
    expect(next.session.refreshToken).not.toBe(successor);
  });
});

describe("POST /auth/token: 400", () => {
  it.each([
    [{ username: 5, password: PASSWORD }, "username must be a string"],
    [{ username: "alice", password: ["x"] }, "password must be a string"],
    [{ session: { refreshToken: 7 } }, "session.refreshToken must be a string"],
    [{ session: "x" }, "session must be a JSON object"],
    [{ username: "alice" }, "username and password, or session.refreshToken, are required"],
    [
      { username: "alice", password: "" },
      "username and password, or session.refreshToken, are required",
    ],
    [{}, "username and password, or session.refreshToken, are required"],
    [[], "The body must be a JSON object"],
    ["text", "The body must be a JSON object"],
  ])("refuses %j: %s", async (body, message) => {
    const response = await h.send("POST", "/auth/token", body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ status: "error", message });
  });

  it("refuses only an absurdly long session.refreshToken, past the cap of every token field", async () => {
    const response = await h.send("POST", "/auth/token", {
      session: { refreshToken: "z".repeat(16_385) },
    });
    expect({ status: response.statusCode, body: response.json() }).toEqual({
      status: 400,
      body: { status: "error", message: "session.refreshToken must be at most 16384 characters" },
    });
  });

  it("refuses a body that is not JSON", async () => {
    const response = await h.app.inject({
      method: "POST",
      url: "/auth/token",
      headers: { "content-type": "application/json", "x-api-key": h.apiKey },
      payload: "{not json",
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      status: "error",
      message: "The request body is not valid JSON",
    });
  });

  it("refuses a password over 1024 characters instead of truncating it", async () => {
    const response = await h.login("alice", `${PASSWORD}${"x".repeat(1024)}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe("The password must be at most 1024 characters");
  });

  it("refuses a prototype-poisoning body", async () => {
    const response = await h.app.inject({
      method: "POST",
      url: "/auth/token",
      headers: { "content-type": "application/json", "x-api-key": h.apiKey },
      payload: '{"username":"alice","password":"x","__proto__":{"admin":true}}',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().status).toBe("error");
  });
});

describe("POST /auth/token: 401", () => {
  it("answers unknown user, wrong password and disabled user identically", async () => {
    await h.addUser("bob");
    await setUserEnabled(h.runtime.ctx, { tenantId: TENANT, username: "bob", enabled: false });
    const unknown = await h.login("nobody");
    const wrong = await h.login("alice", "wrong password!");
    const disabled = await h.login("bob");
    for (const response of [unknown, wrong, disabled]) {
      expect(response.statusCode).toBe(401);
      expect(response.body).toBe(unknown.body);
      expect(response.json()).toEqual({
        status: "error",
        message: "Incorrect username or password",
      });
    }
  });

  it("does not trim or normalise the password", async () => {
    expect((await h.login("alice", ` ${PASSWORD}`)).statusCode).toBe(401);
    expect((await h.login("alice", PASSWORD.toUpperCase())).statusCode).toBe(401);
  });

  it.each([
    ["missing", undefined],
    ["malformed", "not-a-key"],
    ["well-formed but unknown", "tsr_ak_0000000000000000000000000000000000000000000000000"],
  ])("refuses a %s X-API-Key before looking at the body", async (_label, key) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (key !== undefined) {
      headers["x-api-key"] = key;
    }
    const response = await h.app.inject({
      method: "POST",
      url: "/auth/token",
      headers,
      payload: JSON.stringify({ username: 5 }),
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ status: "error", message: "Missing or invalid X-API-Key" });
  });

  it("refuses a garbage refresh token", async () => {
    const response = await h.send("POST", "/auth/token", { session: { refreshToken: "garbage" } });
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toBe("Invalid refresh token");
  });

  it("answers every wrong token in session.refreshToken with 401 Invalid refresh token, whatever its shape", async () => {
    const login = sessionOf(await h.login("alice"));
    const wrong = [
      login.session.accessToken,
      login.session.authorization,
      `tsr_rt_${"x".repeat(600)}`,
      "y".repeat(16_384),
    ];
    for (const refreshToken of wrong) {
      const response = await h.send("POST", "/auth/token", { session: { refreshToken } });
      expect({ status: response.statusCode, body: response.json() }).toEqual({
        status: 401,
        body: { status: "error", message: "Invalid refresh token" },
      });
    }
  });

  it("refuses a refresh token presented with another client's API key", async () => {
    const first = sessionOf(await h.login("alice"));
    const other = await createApiKey(h.runtime.ctx, { tenantId: TENANT });
    const response = await h.send("POST", "/auth/token", first, { "x-api-key": other.key });
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toBe("Invalid refresh token");
  });

  it("keeps tenants apart: another tenant's key cannot log in this tenant's users or refresh their tokens", async () => {
    await createTenant(h.runtime.ctx, { id: "acme" });
    const acme = await createApiKey(h.runtime.ctx, { tenantId: "acme" as typeof TENANT });
    expect((await h.login("alice", PASSWORD, acme.key)).statusCode).toBe(401);
    const first = sessionOf(await h.login("alice"));
    const refresh = await h.send("POST", "/auth/token", first, { "x-api-key": acme.key });
    expect(refresh.statusCode).toBe(401);
  });

  it("refuses a refresh once the user is disabled", async () => {
    const first = sessionOf(await h.login("alice"));
    await setUserEnabled(h.runtime.ctx, { tenantId: TENANT, username: "alice", enabled: false });
    const response = await h.send("POST", "/auth/token", first);
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toBe("Refresh token has been revoked");
  });
});

describe("POST /auth/token: 413, 415", () => {
  it("refuses a body over the limit with 413", async () => {
    const response = await h.send("POST", "/auth/token", { username: "a".repeat(70_000) });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ status: "error", message: "The request body is too large" });
  });

  it("refuses a non-JSON content type with 415", async () => {
    const response = await h.app.inject({
      method: "POST",
      url: "/auth/token",
      headers: { "content-type": "text/plain", "x-api-key": h.apiKey },
      payload: "username=alice",
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual({
      status: "error",
      message: "Content-Type must be application/json",
    });
  });
});

describe("POST /auth/token: 429", () => {
  it("throttles password guessing with Retry-After, without touching existing sessions", async () => {
    const live = sessionOf(await h.login("alice"));
    let last = await h.login("alice", "wrong-guess");
    for (let i = 0; i < 12 && last.statusCode !== 429; i++) {
      last = await h.login("alice", "wrong-guess");
    }
    expect(last.statusCode).toBe(429);
    expect(Number(last.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(last.json()).toEqual({
      status: "error",
      message: "Too many failed login attempts; try again later",
    });
    // Even the right password waits now...
    expect((await h.login("alice")).statusCode).toBe(429);
    // ...but the session alice already has keeps refreshing.
    expect((await h.send("POST", "/auth/token", live)).statusCode).toBe(200);
    const events = await h.runtime.store.audit.list(TENANT, { limit: 100 });
    expect(events.filter((e) => e.type === "login.throttled").length).toBeGreaterThanOrEqual(1);
  });
});
