import { decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import {
  addClient,
  expectProblem,
  ISSUER,
  issueLong,
  issueShort,
  type LongTokenBody,
  listTokens,
  postShort,
  revokeToken,
  SHORT_TERM_TYP,
  type ShortTokenBody,
  servedJwks,
  type TestClient,
} from "../../../test/support/token-api.js";
import { updateClient } from "../../core/clients/update-client.js";
import type { ClientId } from "../../core/ids.js";
import { generateOpaqueToken } from "../../core/opaque-token.js";

/** Verifies a short-term token with jose against the served JWKS, at the harness's clock. */
async function verifyShort(h: Harness, token: string, audience = ISSUER) {
  return jwtVerify(token, await servedJwks(h), {
    algorithms: ["ES256"],
    issuer: ISSUER,
    audience,
    typ: SHORT_TERM_TYP,
    currentDate: new Date(h.clock.now()),
  });
}

describe("POST /auth/tokens/short: 201", () => {
  let h: Harness;
  let client: TestClient;
  let long: LongTokenBody;
  beforeAll(async () => {
    h = await startHarness();
    client = await addClient(h);
    long = await issueLong(h, client);
  });
  afterAll(async () => {
    await h.close();
  });

  it("exchanges with no body at all for a JWT that jose verifies against the served JWKS", async () => {
    const response = await postShort(h, long.token);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.headers["cache-control"]).toBe("no-store");
    const body = response.json<ShortTokenBody>();
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: "Bearer",
      expires_in: 900,
      token_id: expect.stringMatching(/^st_/),
      scope: "deploy:read deploy:write tokens:write",
    });
    const { payload, protectedHeader } = await verifyShort(h, body.access_token);
    expect(protectedHeader).toMatchObject({
      alg: "ES256",
      typ: SHORT_TERM_TYP,
      kid: expect.any(String),
    });
    const iat = Math.floor(h.clock.now() / 1000);
    expect(payload).toEqual({
      iss: ISSUER,
      sub: client.id,
      aud: ISSUER,
      client_id: client.id,
      scope: body.scope,
      jti: body.token_id,
      token_use: "automation",
      parent_token_id: long.token_id,
      iat,
      exp: iat + 900,
    });
  });

  it("exchanges with an empty JSON body too", async () => {
    const body = await issueShort(h, long.token, {});
    expect(body.expires_in).toBe(900);
    expect((await verifyShort(h, body.access_token)).payload.parent_token_id).toBe(long.token_id);
  });

  it("exchanges when a client sends a JSON Content-Type with no body at all", async () => {
    const response = await h.app.inject({
      method: "POST",
      url: "/auth/tokens/short",
      headers: { authorization: `Bearer ${long.token}`, "content-type": "application/json" },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json<{ expires_in: number }>().expires_in).toBe(900);
  });

  it("still refuses a JSON body that is not JSON", async () => {
    const response = await h.app.inject({
      method: "POST",
      url: "/auth/tokens/short",
      headers: { authorization: `Bearer ${long.token}`, "content-type": "application/json" },
      payload: "{not json",
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });

  it("narrows scopes and lifetime", async () => {
    const body = await issueShort(h, long.token, { scopes: ["deploy:read"], ttl_seconds: 60 });
    expect(body).toMatchObject({ scope: "deploy:read", expires_in: 60 });
    const { payload } = await verifyShort(h, body.access_token);
    expect(payload.scope).toBe("deploy:read");
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(60);
  });

  it("the token it issues authenticates on the token API", async () => {
    const body = await issueShort(h, long.token);
    const response = await listTokens(h, body.access_token);
    expect(response.statusCode, response.body).toBe(200);
    const ids = response.json<{ tokens: { token_id: string }[] }>().tokens.map((t) => t.token_id);
    expect(ids).toContain(body.token_id);
  });

  it("mints for the tenant's issuer when asked by name, as by default", async () => {
    const body = await issueShort(h, long.token, { audience: ISSUER });
    expect((await verifyShort(h, body.access_token)).payload.aud).toBe(ISSUER);
  });

  it("mints for an audience the operator allowed the client, and Tessera then refuses the token itself", async () => {
    const audience = "https://api.example.test";
    await updateClient(h.runtime.ctx, {
      tenantId: TENANT,
      client: client.id,
      audiences: ["https://other.example.test", audience],
    });
    const body = await issueShort(h, long.token, { audience });
    expect((await verifyShort(h, body.access_token, audience)).payload.aud).toBe(audience);
    expectProblem(await listTokens(h, body.access_token), 401, "invalid_token");
  });

  it("never lets the token outlive a rotated parent's scheduled end", async () => {
    const parent = await issueLong(h, client);
    await issueLong(h, client, { rotate_token_id: parent.token_id });
    const end = Math.floor(h.clock.now() / 1000) + 900;
    expect((await issueShort(h, parent.token)).expires_in).toBe(900);
    h.clock.advance(400_000);
    const late = await issueShort(h, parent.token);
    expect(late.expires_in).toBe(500);
    expect((await verifyShort(h, late.access_token)).payload.exp).toBe(end);
  });

  it("never lets the token outlive its parent", async () => {
    const parent = await issueLong(h, client);
    h.clock.set(Date.parse(parent.expires_at) - 5 * 60_000);
    const body = await issueShort(h, parent.token);
    expect(body.expires_in).toBeLessThanOrEqual(300);
    expect(body.expires_in).toBeGreaterThan(0);
    const { payload } = await verifyShort(h, body.access_token);
    expect(payload.exp).toBe(Date.parse(parent.expires_at) / 1000);
  });
});

describe("POST /auth/tokens/short: 400", () => {
  let h: Harness;
  let long: LongTokenBody;
  beforeAll(async () => {
    h = await startHarness();
    long = await issueLong(h, await addClient(h));
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([
    [{ ttl_seconds: 901 }],
    [{ ttl_seconds: 59 }],
    [{ ttl_seconds: 120.5 }],
    [{ ttl_seconds: "900" }],
    [{ audience: "" }],
    [{ audience: "a".repeat(257) }],
    [{ scopes: "deploy:read" }],
    [{ scopes: ["Not A Scope"] }],
    [{ lifetime: 60 }],
  ])("refuses %j", async (body) => {
    expectProblem(await postShort(h, long.token, body), 400, "invalid_request");
  });

  it("refuses an audience the client was not allowed with invalid_target, a session API client's id included", async () => {
    for (const audience of ["https://api.example.test", h.clientId, `${ISSUER}/`]) {
      const problem = expectProblem(
        await postShort(h, long.token, { audience }),
        400,
        "invalid_target",
      );
      expect(problem).toMatchObject({
        type: "urn:tessera:problem:invalid_target",
        detail: "The client may not have tokens for this audience",
      });
    }
  });

  it("refuses an audience the operator has taken back from the client", async () => {
    const client = await addClient(h, { audiences: ["https://api.example.test"] });
    const own = await issueLong(h, client);
    expect(
      (await postShort(h, own.token, { audience: "https://api.example.test" })).statusCode,
    ).toBe(201);
    await updateClient(h.runtime.ctx, { tenantId: TENANT, client: client.id, audiences: [] });
    expectProblem(
      await postShort(h, own.token, { audience: "https://api.example.test" }),
      400,
      "invalid_target",
    );
  });

  it("refuses Tessera's own audiences even where a client's stored list holds them", async () => {
    const client = await addClient(h);
    const own = await issueLong(h, client);
    const reserved = ["tessera:operations", "https://auth.example.test/tenants/other"];
    // Written as a list from before these were reserved, or by a CLI with another public URL.
    await h.runtime.store.clients.update(
      TENANT,
      client.id as ClientId,
      { audiences: reserved },
      h.clock.now(),
    );
    for (const audience of reserved) {
      expectProblem(await postShort(h, own.token, { audience }), 400, "invalid_target");
    }
    expect((await postShort(h, own.token, { audience: ISSUER })).statusCode).toBe(201);
  });

  it("issues nothing for a refused request", async () => {
    expectProblem(
      await postShort(h, long.token, { audience: "https://api.example.test" }),
      400,
      "invalid_target",
    );
    expectProblem(await postShort(h, long.token, { ttl_seconds: 901 }), 400, "invalid_request");
    const response = await listTokens(h, long.token);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<{ tokens: unknown[] }>().tokens).toHaveLength(1);
  });
});

describe("POST /auth/tokens/short: 401", () => {
  let h: Harness;
  let client: TestClient;
  beforeAll(async () => {
    h = await startHarness();
    client = await addClient(h);
  });
  afterAll(async () => {
    await h.close();
  });

  function expectInvalidToken(response: Awaited<ReturnType<typeof postShort>>, code: string) {
    expectProblem(response, 401, code);
    expect(response.headers["www-authenticate"]).toMatch(
      /^Bearer realm="tessera", error="invalid_token"/,
    );
  }

  it("needs a Bearer token, challenging for one without naming an error when none was sent", async () => {
    const none = await postShort(h, undefined);
    expectProblem(none, 401, "invalid_token");
    expect(none.headers["www-authenticate"]).toBe('Bearer realm="tessera"');
    const basic = await h.app.inject({
      method: "POST",
      url: "/auth/tokens/short",
      headers: { authorization: "Basic YTpi" },
    });
    expectInvalidToken(basic, "invalid_token");
  });

  it("refuses a revoked long-term token as token_revoked", async () => {
    const long = await issueLong(h, client);
    expect((await revokeToken(h, long.token, long.token_id)).statusCode).toBe(204);
    expectInvalidToken(await postShort(h, long.token), "token_revoked");
  });

  it("refuses an unknown long-term token and garbage as invalid_token", async () => {
    expectInvalidToken(await postShort(h, generateOpaqueToken("tsr_lt")), "invalid_token");
    expectInvalidToken(await postShort(h, "tsr_lt_garbage"), "invalid_token");
    expectInvalidToken(await postShort(h, "not-a-token"), "invalid_token");
  });

  it("refuses a short-term token where a long-term one is needed", async () => {
    const long = await issueLong(h, client);
    const short = await issueShort(h, long.token);
    expectInvalidToken(await postShort(h, short.access_token), "invalid_token");
  });

  it("refuses the tokens of a disabled client as token_revoked, until it is enabled", async () => {
    const other = await addClient(h);
    const long = await issueLong(h, other);
    await updateClient(h.runtime.ctx, { tenantId: TENANT, client: other.id, enabled: false });
    expectInvalidToken(await postShort(h, long.token), "token_revoked");
    await updateClient(h.runtime.ctx, { tenantId: TENANT, client: other.id, enabled: true });
    expect((await postShort(h, long.token)).statusCode).toBe(201);
  });

  it("refuses expired tokens as token_expired: a short-term one past exp, a long-term one past expires_at", async () => {
    const long = await issueLong(h, client);
    const short = await issueShort(h, long.token, { ttl_seconds: 60 });
    h.clock.advance(61_000 + 5_000);
    expectInvalidToken(await listTokens(h, short.access_token), "token_expired");
    h.clock.set(Date.parse(long.expires_at));
    expectInvalidToken(await postShort(h, long.token), "token_expired");
  });
});

describe("POST /auth/tokens/short: 403", () => {
  let h: Harness;
  let long: LongTokenBody;
  beforeAll(async () => {
    h = await startHarness();
    long = await issueLong(h, await addClient(h), { scopes: ["deploy:read"] });
  });
  afterAll(async () => {
    await h.close();
  });

  it("refuses scopes beyond the long-term token's, with WWW-Authenticate", async () => {
    const response = await postShort(h, long.token, { scopes: ["deploy:read", "deploy:write"] });
    const problem = expectProblem(response, 403, "insufficient_scope");
    expect(problem.detail).toContain("deploy:write");
    expect(response.headers["www-authenticate"]).toMatch(
      /^Bearer realm="tessera", error="insufficient_scope"/,
    );
  });

  it("issues nothing for a refused widening", async () => {
    await postShort(h, long.token, { scopes: ["tokens:write"] });
    const listed = (await listTokens(h, long.token)).json<{ tokens: unknown[] }>();
    expect(listed.tokens).toHaveLength(1);
    expect(decodeJwt((await issueShort(h, long.token)).access_token).scope).toBe("deploy:read");
  });
});
