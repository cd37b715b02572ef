import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import {
  type AssertionAlg,
  addClient,
  assertion,
  auditOf,
  CLIENT_SCOPES,
  DAY_MS,
  expectProblem,
  hs256Copy,
  ISSUER,
  isoDaysAhead,
  issueLong,
  issueShort,
  LONG_TOKEN,
  type LongTokenBody,
  lastAudit,
  listTokens,
  newSigningKey,
  otpBody,
  otpCode,
  postLong,
  postShort,
  type SigningKey,
  secretBody,
  type TestClient,
  unsignedCopy,
  withoutInstance,
} from "../../../test/support/token-api.js";
import { updateClient } from "../../core/clients/update-client.js";

const STEP_MS = 30_000;
const ALGS: AssertionAlg[] = ["ES256", "RS256", "EdDSA"];

function bearerHeader(token: string) {
  return { authorization: `Bearer ${token}` };
}

describe("POST /auth/tokens/long: 201", () => {
  let h: Harness;
  const keys = new Map<AssertionAlg, SigningKey>();
  beforeAll(async () => {
    h = await startHarness();
    for (const alg of ALGS) {
      keys.set(alg, await newSigningKey(alg));
    }
  });
  const keyOf = async (alg: AssertionAlg) => keys.get(alg) ?? newSigningKey(alg);
  afterAll(async () => {
    await h.close();
  });

  it("issues a long-term token for the client secret, with X-Token-Id, no-store and an audit event", async () => {
    const client = await addClient(h);
    const response = await postLong(h, secretBody(client));
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json<LongTokenBody>();
    expect(body).toEqual({
      token_id: expect.stringMatching(/^lt_/),
      token: expect.stringMatching(LONG_TOKEN),
      token_type: "long_term",
      scopes: CLIENT_SCOPES,
      expires_at: isoDaysAhead(h, 30),
    });
    expect(response.headers["x-token-id"]).toBe(body.token_id);
    expect(response.headers["cache-control"]).toBe("no-store");
    const issued = await lastAudit(h, "token.issued");
    expect(issued?.detail).toMatchObject({
      clientId: client.id,
      tokenId: body.token_id,
      method: "client_secret",
    });
    const trail = JSON.stringify(await h.runtime.ctx.store.audit.list(TENANT, { limit: 500 }));
    expect(trail).not.toContain(body.token);
    expect(trail).not.toContain(client.secret);
  });

  it("issues a token whose use works at once: it exchanges for a short-term token", async () => {
    const client = await addClient(h);
    const long = await issueLong(h, client);
    expect((await postShort(h, long.token)).statusCode).toBe(201);
  });

  it("accepts an OTP computed by otplib from the client's otpauth URI", async () => {
    const client = await addClient(h, { otp: true });
    expect(client.otpauthUri).toMatch(new RegExp(`^otpauth://totp/Tessera:${client.name}\\?`));
    const code = await otpCode(client, h.clock.now());
    const response = await postLong(h, otpBody(client, code));
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json<LongTokenBody>().token).toMatch(LONG_TOKEN);
    expect((await lastAudit(h, "token.issued"))?.detail).toMatchObject({
      clientId: client.id,
      method: "otp",
    });
  });

  it("accepts the code of the previous 30-second step", async () => {
    const client = await addClient(h, { otp: true });
    const code = await otpCode(client, h.clock.now());
    h.clock.advance(STEP_MS);
    const response = await postLong(h, otpBody(client, code));
    expect(response.statusCode, response.body).toBe(201);
  });

  it.each(ALGS.flatMap((alg) => [[alg, "PEM"] as const, [alg, "JWK"] as const]))(
    "accepts an assertion signed %s by a key registered as %s",
    async (alg, format) => {
      const key = await keyOf(alg);
      const client = await addClient(h, { publicKeys: [format === "PEM" ? key.pem : key.jwk] });
      const response = await postLong(h, { assertion: await assertion(h, client, key) });
      expect(response.statusCode, response.body).toBe(201);
      const body = response.json<LongTokenBody>();
      expect(response.headers["x-token-id"]).toBe(body.token_id);
      expect((await lastAudit(h, "token.issued"))?.detail).toMatchObject({
        clientId: client.id,
        tokenId: body.token_id,
        method: "assertion",
      });
    },
  );

  it("accepts an assertion for the issuer audience with the jwt-bearer grant type and exp 300 s ahead", async () => {
    const key = await keyOf("ES256");
    const client = await addClient(h, { publicKeys: [key.pem] });
    const now = Math.floor(h.clock.now() / 1000);
    const signed = await assertion(h, client, key, { aud: ISSUER, exp: now + 300 });
    const response = await postLong(h, {
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      assertion: signed,
    });
    expect(response.statusCode, response.body).toBe(201);
  });

  it("accepts a short-term token with tokens:write as Bearer, with no body", async () => {
    const client = await addClient(h);
    const long = await issueLong(h, client);
    const short = await issueShort(h, long.token, { scopes: ["deploy:read", "tokens:write"] });
    const response = await postLong(h, undefined, bearerHeader(short.access_token));
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json<LongTokenBody>();
    expect(body.scopes).toEqual(["deploy:read", "tokens:write"]);
    expect(body.token).not.toBe(long.token);
    expect((await lastAudit(h, "token.issued"))?.detail).toMatchObject({
      clientId: client.id,
      method: "short_term_token",
    });
  });

  it("narrows scopes, takes a name and ttl_days", async () => {
    const client = await addClient(h);
    const body = await issueLong(h, client, { scopes: ["deploy:read"], ttl_days: 90, name: "ci" });
    expect(body.scopes).toEqual(["deploy:read"]);
    expect(body.expires_at).toBe(isoDaysAhead(h, 90));
    const listed = (await listTokens(h, body.token)).json<{ tokens: { name: string }[] }>();
    expect(listed.tokens[0]?.name).toBe("ci");
  });

  it("cuts ttl_days to the client's ceiling", async () => {
    const client = await addClient(h, { maxTokenTtlDays: 45 });
    const body = await issueLong(h, client, { ttl_days: 90 });
    expect(body.expires_at).toBe(isoDaysAhead(h, 45));
  });

  it("rotates: the new token works at once, the old one and its short-term tokens for 900 s", async () => {
    const client = await addClient(h);
    const old = await issueLong(h, client);
    const oldShort = await issueShort(h, old.token);
    const response = await postLong(h, secretBody(client, { rotate_token_id: old.token_id }));
    expect(response.statusCode, response.body).toBe(201);
    const fresh = response.json<LongTokenBody>();
    expect(response.headers["x-token-id"]).toBe(fresh.token_id);
    expect(fresh.token_id).not.toBe(old.token_id);
    expect((await lastAudit(h, "token.rotated"))?.detail).toMatchObject({
      clientId: client.id,
      tokenId: fresh.token_id,
      replacedTokenId: old.token_id,
    });
    expect((await postShort(h, fresh.token)).statusCode).toBe(201);

    // The old token's short-term token lives its own 900 s, exactly the overlap.
    h.clock.advance(899_000);
    expect((await postShort(h, old.token)).statusCode).toBe(201);
    expect((await listTokens(h, oldShort.access_token)).statusCode).toBe(200);

    h.clock.advance(1000);
    expectProblem(await postShort(h, old.token), 401, "token_revoked");
    // Made just before the rotation, it expires exactly as the old token ends.
    expectProblem(await listTokens(h, oldShort.access_token), 401, "token_expired");
    expect((await postShort(h, fresh.token)).statusCode).toBe(201);
  });
});

describe("POST /auth/tokens/long: 400", () => {
  let h: Harness;
  let client: TestClient;
  beforeAll(async () => {
    h = await startHarness();
    client = await addClient(h, { otp: true });
  });
  afterAll(async () => {
    await h.close();
  });

  it("refuses a request with no mechanism", async () => {
    const problem = expectProblem(
      await postLong(h, { grant_type: "client_credentials", client_id: client.id }),
      400,
      "invalid_request",
    );
    expect(problem.detail).toMatch(/exactly one/);
    expectProblem(await postLong(h, undefined), 400, "invalid_request");
  });

  it("refuses two mechanisms at once, whichever two", async () => {
    const long = await issueLong(h, client);
    const short = await issueShort(h, long.token);
    expectProblem(
      await postLong(h, secretBody(client, { otp_code: "123456" })),
      400,
      "invalid_request",
    );
    expectProblem(
      await postLong(h, secretBody(client), bearerHeader(short.access_token)),
      400,
      "invalid_request",
    );
  });

  it("needs grant_type client_credentials and client_id with a secret", async () => {
    expectProblem(
      await postLong(h, { client_id: client.id, client_secret: client.secret }),
      400,
      "invalid_request",
    );
    expectProblem(
      await postLong(h, { grant_type: "client_credentials", client_secret: client.secret }),
      400,
      "invalid_request",
    );
  });

  it.each([29, 91, 0, 45.5, "30"])("refuses ttl_days %j", async (ttlDays) => {
    expectProblem(
      await postLong(h, secretBody(client, { ttl_days: ttlDays })),
      400,
      "invalid_request",
    );
  });

  it("refuses an unknown body field, naming it", async () => {
    const problem = expectProblem(
      await postLong(h, secretBody(client, { admin: true })),
      400,
      "invalid_request",
    );
    expect(problem.detail).toContain("admin");
  });

  it("refuses a name over 100 characters", async () => {
    expectProblem(
      await postLong(h, secretBody(client, { name: "n".repeat(101) })),
      400,
      "invalid_request",
    );
  });
});

describe("POST /auth/tokens/long: 401", () => {
  let h: Harness;
  let es256: SigningKey;
  let client: TestClient;
  beforeAll(async () => {
    // Many refusals for one client from one IP: lift the failure budgets so they are
    // not what answers (problems-and-limits.test.ts covers them).
    h = await startHarness({
      TESSERA_STEP_UP_MAX_FAILURES_PER_IP: "1000",
      TESSERA_STEP_UP_MAX_FAILURES_PER_CLIENT: "1000",
    });
    es256 = await newSigningKey("ES256");
    client = await addClient(h, { publicKeys: [es256.pem] });
  });
  afterAll(async () => {
    await h.close();
  });

  const expectInvalidClient = (response: Awaited<ReturnType<typeof postLong>>) => {
    const problem = expectProblem(response, 401, "invalid_client");
    expect(problem.detail).toBe("Client authentication failed");
    return problem;
  };

  it("needs a valid X-API-Key", async () => {
    expectProblem(
      await postLong(h, secretBody(client), { "x-api-key": undefined }),
      401,
      "invalid_client_key",
    );
    expectProblem(
      await postLong(h, secretBody(client), { "x-api-key": "tsr_ak_nonsense" }),
      401,
      "invalid_client_key",
    );
  });

  it("answers a wrong secret and an unknown client identically, auditing the reason", async () => {
    const other = await addClient(h);
    const wrong = expectInvalidClient(
      await postLong(h, secretBody(other, { client_secret: `${other.secret}x` })),
    );
    expect((await lastAudit(h, "client.step_up_failed"))?.detail).toMatchObject({
      clientId: other.id,
      reason: "bad_secret",
    });
    const unknown = expectInvalidClient(
      await postLong(h, secretBody(other, { client_id: "a".repeat(26) })),
    );
    expect((await lastAudit(h, "client.step_up_failed"))?.detail).toMatchObject({
      reason: "unknown_client",
    });
    expect(withoutInstance(unknown)).toEqual(withoutInstance(wrong));
  });

  it("refuses a replayed OTP", async () => {
    const otpClient = await addClient(h, { otp: true });
    const body = otpBody(otpClient, await otpCode(otpClient, h.clock.now()));
    expect((await postLong(h, body)).statusCode).toBe(201);
    expectInvalidClient(await postLong(h, body));
  });

  it("refuses an OTP two steps old", async () => {
    const otpClient = await addClient(h, { otp: true });
    const code = await otpCode(otpClient, h.clock.now());
    h.clock.advance(2 * STEP_MS);
    expectInvalidClient(await postLong(h, otpBody(otpClient, code)));
  });

  it("refuses an OTP for a client without OTP enrolled", async () => {
    const plain = await addClient(h);
    expectInvalidClient(await postLong(h, otpBody(plain, "123456")));
  });

  it("refuses a replayed assertion jti", async () => {
    const signed = await assertion(h, client, es256);
    expect((await postLong(h, { assertion: signed })).statusCode).toBe(201);
    expectInvalidClient(await postLong(h, { assertion: signed }));
    expectInvalidClient(
      await postLong(h, {
        assertion: await assertion(h, client, es256, {
          jti: decodeJwt(signed).jti,
        }),
      }),
    );
  });

  const now = () => Math.floor(h.clock.now() / 1000);
  it.each<[string, () => Record<string, unknown>, string]>([
    ["a wrong aud", () => ({ aud: "https://elsewhere.example.test" }), "assertion_wrong_audience"],
    ["an expired exp", () => ({ exp: now() - 60 }), "assertion_expired"],
    ["an exp over 5 minutes ahead", () => ({ exp: now() + 306 }), "assertion_expiry_too_far"],
    ["no exp", () => ({ exp: undefined }), "assertion_missing_claim"],
    ["no jti", () => ({ jti: undefined }), "assertion_missing_claim"],
    ["sub differing from iss", () => ({ sub: "b".repeat(26) }), "assertion_wrong_subject"],
  ])("refuses an assertion with %s", async (_label, claims, reason) => {
    expectInvalidClient(
      await postLong(h, { assertion: await assertion(h, client, es256, claims()) }),
    );
    expect((await lastAudit(h, "client.step_up_failed"))?.detail).toMatchObject({
      clientId: client.id,
      method: "assertion",
      reason,
    });
  });

  it("refuses an alg: none assertion", async () => {
    const signed = await assertion(h, client, es256);
    expectInvalidClient(await postLong(h, { assertion: unsignedCopy(signed) }));
  });

  it("refuses an HS256 assertion keyed with the registered public key", async () => {
    const forged = await hs256Copy(await assertion(h, client, es256), es256.pem);
    expectInvalidClient(await postLong(h, { assertion: forged }));
  });

  it("refuses an assertion signed by a key the client never registered", async () => {
    const stranger = await newSigningKey("ES256");
    expectInvalidClient(await postLong(h, { assertion: await assertion(h, client, stranger) }));
  });

  it("refuses a disabled client with the right secret", async () => {
    const disabled = await addClient(h);
    await updateClient(h.runtime.ctx, { tenantId: TENANT, client: disabled.id, enabled: false });
    expectInvalidClient(await postLong(h, secretBody(disabled)));
  });

  it("refuses a long-term token as Bearer", async () => {
    const long = await issueLong(h, await addClient(h));
    const response = await postLong(h, undefined, bearerHeader(long.token));
    expectProblem(response, 401, "invalid_token");
    expect(response.headers["www-authenticate"]).toMatch(
      /^Bearer realm="tessera", error="invalid_token"/,
    );
  });
});

describe("POST /auth/tokens/long: 403", () => {
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

  it("refuses a short-term token without tokens:write, with WWW-Authenticate", async () => {
    const short = await issueShort(h, long.token, { scopes: ["deploy:read"] });
    const response = await postLong(h, undefined, bearerHeader(short.access_token));
    expectProblem(response, 403, "insufficient_scope");
    expect(response.headers["www-authenticate"]).toMatch(
      /^Bearer realm="tessera", error="insufficient_scope"/,
    );
  });

  it("refuses scopes beyond the client's", async () => {
    const problem = expectProblem(
      await postLong(h, secretBody(client, { scopes: ["deploy:read", "billing:admin"] })),
      403,
      "insufficient_scope",
    );
    expect(problem.detail).toContain("billing:admin");
  });

  it("refuses scopes beyond the short-term token's, even within the client's", async () => {
    const short = await issueShort(h, long.token, { scopes: ["tokens:write"] });
    expectProblem(
      await postLong(h, { scopes: ["deploy:write"] }, bearerHeader(short.access_token)),
      403,
      "insufficient_scope",
    );
  });
});

describe("POST /auth/tokens/long: 404 and 409 (rotation)", () => {
  let h: Harness;
  let client: TestClient;
  beforeAll(async () => {
    h = await startHarness();
    client = await addClient(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it("404: refuses to rotate another client's token, and an unknown id, alike", async () => {
    const other = await issueLong(h, await addClient(h));
    const foreign = expectProblem(
      await postLong(h, secretBody(client, { rotate_token_id: other.token_id })),
      404,
      "not_found",
    );
    const unknown = expectProblem(
      await postLong(h, secretBody(client, { rotate_token_id: "lt_doesnotexist" })),
      404,
      "not_found",
    );
    expect(withoutInstance(foreign)).toEqual(withoutInstance(unknown));
    expect((await postShort(h, other.token)).statusCode).toBe(201);
  });

  it("404: refuses to rotate a short-term token", async () => {
    const long = await issueLong(h, client);
    const short = await issueShort(h, long.token);
    expectProblem(
      await postLong(h, secretBody(client, { rotate_token_id: short.token_id })),
      404,
      "not_found",
    );
  });

  it("409: refuses to rotate the same token twice", async () => {
    const old = await issueLong(h, client);
    await issueLong(h, client, { rotate_token_id: old.token_id });
    expectProblem(
      await postLong(h, secretBody(client, { rotate_token_id: old.token_id })),
      409,
      "conflict",
    );
    expect(await auditOf(h, "token.rotated")).toHaveLength(1);
  });

  it("404: refuses to rotate a token past its end", async () => {
    const old = await issueLong(h, client);
    h.clock.advance(30 * DAY_MS);
    expectProblem(
      await postLong(h, secretBody(client, { rotate_token_id: old.token_id })),
      404,
      "not_found",
    );
  });
});
