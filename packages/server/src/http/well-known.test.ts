import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, sessionOf, startHarness, TENANT } from "../../test/support/harness.js";
import type { TenantId } from "../core/ids.js";
import { createTenant } from "../core/tenants.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.addUser("alice");
  await createTenant(h.runtime.ctx, { id: "second" as TenantId });
});

afterAll(async () => {
  await h.close();
});

const PUBLIC_MEMBERS = ["alg", "crv", "e", "kid", "kty", "n", "use", "x", "y"];

async function get(url: string) {
  return h.app.inject({ method: "GET", url });
}

describe("GET /.well-known/jwks.json: 200", () => {
  it("publishes public members only, cacheable, as JSON", async () => {
    const response = await get("/.well-known/jwks.json");
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(response.headers["cache-control"]).toBe("public, max-age=300");
    const { keys } = response.json<JSONWebKeySet>();
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) {
      expect(PUBLIC_MEMBERS).toEqual(expect.arrayContaining(Object.keys(key)));
      expect(key).not.toHaveProperty("d");
    }
  });

  it("verifies the tokens the tenant signs", async () => {
    const { session } = sessionOf(await h.login("alice"));
    const response = await get("/.well-known/jwks.json");
    const jwks = createLocalJWKSet(response.json<JSONWebKeySet>());
    const { payload } = await jwtVerify(session.accessToken, jwks, {
      algorithms: ["ES256"],
      issuer: "https://auth.example.test/tenants/default",
      audience: h.clientId,
      typ: "at+jwt",
      currentDate: new Date(h.clock.now()),
    });
    expect(payload.username).toBe("alice");
  });

  it("publishes a new key once the keyring has it, not a stale copy", async () => {
    const before = (await get("/.well-known/jwks.json")).json<JSONWebKeySet>();
    await h.runtime.ctx.keyring.rotate(TENANT, "ES256");
    const after = (await get("/.well-known/jwks.json")).json<JSONWebKeySet>();
    const kids = (set: JSONWebKeySet) => set.keys.map((k) => k.kid).sort();
    expect(kids(after)).not.toEqual(kids(before));
    expect(kids(after)).toEqual(expect.arrayContaining(kids(before)));
  });

  it("serves each tenant's own keys at its own path", async () => {
    const own = (await get("/tenants/second/.well-known/jwks.json")).json<JSONWebKeySet>();
    const base = (await get("/tenants/default/.well-known/jwks.json")).json<JSONWebKeySet>();
    expect(own.keys.length).toBeGreaterThanOrEqual(2);
    const ownKids = own.keys.map((k) => k.kid);
    expect(base.keys.some((k) => ownKids.includes(k.kid))).toBe(false);
  });
});

describe("GET /tenants/{id}/.well-known/jwks.json: 404", () => {
  it.each([
    ["an unknown tenant", "/tenants/nobody/.well-known/jwks.json"],
    ["a malformed tenant id", "/tenants/NOT_A_TENANT/.well-known/jwks.json"],
  ])("answers %s with 404 and the session API's error body", async (_, url) => {
    const response = await get(url);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ status: "error", message: "No such tenant" });
  });

  it("keeps answering 404 for an unknown tenant asked for again", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await get("/tenants/ghost/.well-known/jwks.json")).statusCode).toBe(404);
    }
  });
});
