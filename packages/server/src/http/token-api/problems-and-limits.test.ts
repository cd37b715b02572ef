import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../../test/support/harness.js";
import {
  addClient,
  expectProblem,
  issueLong,
  issueShort,
  type LongTokenBody,
  listTokens,
  postLong,
  postShort,
  revokeToken,
  secretBody,
  type TestClient,
} from "../../../test/support/token-api.js";

function expectRateLimitHeaders(response: LightMyRequestResponse, limit: number): number {
  expect(response.headers["ratelimit-limit"]).toBe(String(limit));
  const remaining = Number(response.headers["ratelimit-remaining"]);
  const reset = Number(response.headers["ratelimit-reset"]);
  expect(Number.isInteger(remaining) && remaining >= 0 && remaining <= limit).toBe(true);
  expect(Number.isInteger(reset) && reset >= 0 && reset <= 60).toBe(true);
  return remaining;
}

describe("token API errors: problem details", () => {
  let h: Harness;
  let client: TestClient;
  let long: LongTokenBody;
  let rotated: LongTokenBody;
  let revokedToken: string;
  beforeAll(async () => {
    h = await startHarness();
    client = await addClient(h);
    long = await issueLong(h, client, { scopes: ["deploy:read", "tokens:write"] });
    const revoked = await issueLong(h, client);
    await revokeToken(h, revoked.token, revoked.token_id);
    rotated = await issueLong(h, client);
    await issueLong(h, client, { rotate_token_id: rotated.token_id });
    revokedToken = revoked.token;
  });
  afterAll(async () => {
    await h.close();
  });

  const json = (url: string, payload: string, headers: Record<string, string> = {}) =>
    h.app.inject({
      method: "POST",
      url,
      headers: { "content-type": "application/json", "x-api-key": h.apiKey, ...headers },
      payload,
    });

  it.each<[string, () => Promise<LightMyRequestResponse>, number, string]>([
    ["no step-up", () => postLong(h, {}), 400, "invalid_request"],
    ["an unknown field", () => postLong(h, secretBody(client, { x: 1 })), 400, "invalid_request"],
    ["a body that is not JSON", () => json("/auth/tokens/long", "{nope"), 400, "invalid_request"],
    [
      "ttl_seconds 901",
      () => postShort(h, long.token, { ttl_seconds: 901 }),
      400,
      "invalid_request",
    ],
    ["limit=0", () => listTokens(h, long.token, "limit=0"), 400, "invalid_request"],
    [
      "no X-API-Key",
      () => postLong(h, secretBody(client), { "x-api-key": undefined }),
      401,
      "invalid_client_key",
    ],
    [
      "a wrong secret",
      () => postLong(h, secretBody(client, { client_secret: "tsr_cs_wrong" })),
      401,
      "invalid_client",
    ],
    ["no Bearer token", () => postShort(h, undefined), 401, "invalid_token"],
    ["a revoked token", () => postShort(h, revokedToken), 401, "token_revoked"],
    [
      "a widening",
      () => postShort(h, long.token, { scopes: ["deploy:write"] }),
      403,
      "insufficient_scope",
    ],
    ["an unknown token id", () => revokeToken(h, long.token, "lt_unknown"), 404, "not_found"],
    [
      "a second rotation",
      () => postLong(h, secretBody(client, { rotate_token_id: rotated.token_id })),
      409,
      "conflict",
    ],
  ])("answers %s with a problem document", async (_label, send, status, code) => {
    const response = await send();
    const problem = expectProblem(response, status, code);
    expect(problem.instance).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.headers["ratelimit-limit"]).toMatch(/^\d+$/);
    expect(response.headers["ratelimit-remaining"]).toMatch(/^\d+$/);
    expect(response.headers["ratelimit-reset"]).toMatch(/^\d+$/);
  });

  it("413: answers a body over the limit with payload_too_large", async () => {
    const big = JSON.stringify(secretBody(client, { name: "x".repeat(70_000) }));
    const response = await json("/auth/tokens/long", big);
    expectProblem(response, 413, "payload_too_large");
    expectRateLimitHeaders(response, 1200);
  });

  it("415: answers a body that is not JSON with unsupported_media_type", async () => {
    const text = { "content-type": "text/plain" };
    expectProblem(
      await json("/auth/tokens/long", "client_secret=x", text),
      415,
      "unsupported_media_type",
    );
    const short = await h.app.inject({
      method: "POST",
      url: "/auth/tokens/short",
      headers: { ...text, authorization: `Bearer ${long.token}` },
      payload: "ttl_seconds=60",
    });
    expectProblem(short, 415, "unsupported_media_type");
  });
});

describe("token API: 429 on the per-client request budget", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ TESSERA_TOKEN_API_REQUESTS_PER_MINUTE_PER_CLIENT: "3" });
  });
  afterAll(async () => {
    await h.close();
  });

  it("counts down RateLimit-Remaining on successes, then answers the 4th request 429", async () => {
    const client = await addClient(h);
    const first = await postLong(h, secretBody(client));
    expect(first.statusCode).toBe(201);
    expect(expectRateLimitHeaders(first, 3)).toBe(2);
    const long = first.json<LongTokenBody>();

    const second = await postShort(h, long.token);
    expect(second.statusCode).toBe(201);
    expect(expectRateLimitHeaders(second, 3)).toBe(1);

    const third = await listTokens(h, long.token);
    expect(third.statusCode).toBe(200);
    expect(expectRateLimitHeaders(third, 3)).toBe(0);

    const fourth = await postShort(h, long.token);
    expectProblem(fourth, 429, "rate_limited");
    expect(expectRateLimitHeaders(fourth, 3)).toBe(0);
    const retryAfter = Number(fourth.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // The budget is the client's: the same client's other endpoints are refused too...
    expectProblem(await postLong(h, secretBody(client)), 429, "rate_limited");
    // ...while another client from the same IP is not.
    expect((await postLong(h, secretBody(await addClient(h)))).statusCode).toBe(201);
  });
});

describe("token API: 429 after failed step-ups", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ TESSERA_STEP_UP_MAX_FAILURES_PER_CLIENT: "3" });
  });
  afterAll(async () => {
    await h.close();
  });

  it("refuses even the right secret after three wrong ones, and only for that client", async () => {
    const client = await addClient(h);
    const wrong = secretBody(client, { client_secret: `${client.secret}x` });
    for (let attempt = 0; attempt < 3; attempt++) {
      expectProblem(await postLong(h, wrong), 401, "invalid_client");
    }
    const right = await postLong(h, secretBody(client));
    expectProblem(right, 429, "rate_limited");
    expect(Number(right.headers["retry-after"])).toBeGreaterThanOrEqual(1);

    expect((await postLong(h, secretBody(await addClient(h)))).statusCode).toBe(201);
  });

  it("counts only failures: successes never use up the budget", async () => {
    const client = await addClient(h);
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await postLong(h, secretBody(client))).statusCode).toBe(201);
    }
  });
});

describe("token API: RateLimit headers", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("carries them on every success, counting the client's budget down", async () => {
    const client = await addClient(h);
    const long = await postLong(h, secretBody(client));
    expect(long.statusCode).toBe(201);
    expect(expectRateLimitHeaders(long, 600)).toBe(599);
    const token = long.json<LongTokenBody>().token;

    const short = await postShort(h, token);
    expect(short.statusCode).toBe(201);
    expect(expectRateLimitHeaders(short, 600)).toBe(598);

    const list = await listTokens(h, token);
    expect(list.statusCode).toBe(200);
    expect(expectRateLimitHeaders(list, 600)).toBe(597);

    const other = await issueShort(h, token);
    const revoke = await revokeToken(h, token, other.token_id);
    expect(revoke.statusCode).toBe(204);
    expect(expectRateLimitHeaders(revoke, 600)).toBe(595);
  });

  it("carries them on errors too, before any client is known", async () => {
    const response = await postLong(h, {}, { "x-api-key": undefined });
    expectProblem(response, 401, "invalid_client_key");
    expectRateLimitHeaders(response, 1200);
  });
});
