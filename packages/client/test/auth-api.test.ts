import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthApi,
  Configuration,
  InvalidApiKeyError,
  InvalidClientError,
  InvalidRequestError,
  InvalidTokenError,
  type LongTokenResponse,
  NotFoundError,
  RequiredError,
  TokenRevokedError,
} from "../src/index.js";
import { expectApiError, problem } from "./support/expect-api-error.js";
import { addApiKey, addClient, type ProvisionedClient } from "./support/provision.js";
import { recordingFetch } from "./support/recording-fetch.js";
import { startTessera, type Tessera } from "./support/tessera.js";

let tessera: Tessera;
let apiKey: string;
let client: ProvisionedClient;

beforeAll(async () => {
  tessera = await startTessera();
  apiKey = addApiKey(tessera);
  client = addClient(tessera, "ci-deployer", ["--scopes", "tokens:write,deploy:staging"]);
});
afterAll(async () => {
  await tessera.stop();
});

function authApi(settings: ConstructorParameters<typeof Configuration>[0] = {}) {
  const recorder = recordingFetch();
  const configuration = new Configuration({
    basePath: tessera.url,
    fetch: recorder.fetch,
    ...settings,
  });
  return { api: new AuthApi(configuration), configuration, exchanges: recorder.exchanges };
}

async function issueLong(): Promise<LongTokenResponse> {
  const { api } = authApi({ apiKey });
  const { data } = await api.issueLongTermToken({
    grant_type: "client_credentials",
    client_id: client.id,
    client_secret: client.clientSecret,
  });
  return data;
}

describe("AuthApi.issueLongTermToken", () => {
  it("issues a long-term token for the client secret under X-API-Key: 201 and X-Token-Id", async () => {
    const { api, exchanges } = authApi({ apiKey });
    const { status, data, headers } = await api.issueLongTermToken({
      grant_type: "client_credentials",
      client_id: client.id,
      client_secret: client.clientSecret,
      ttl_days: 30,
      scopes: ["deploy:staging"],
    });

    expect(status).toBe(201);
    expect(data).toEqual({
      token_id: expect.stringMatching(/^lt_/),
      token: expect.stringMatching(/^tsr_lt_/),
      token_type: "long_term",
      scopes: ["deploy:staging"],
      expires_at: expect.any(String),
    });
    expect(headers["x-token-id"]).toBe(data.token_id);
    expect(headers["x-request-id"]).toEqual(expect.any(String));
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.headers).toMatchObject({
      "x-api-key": apiKey,
      "content-type": "application/json",
      accept: "application/json",
    });
    expect(exchanges[0]?.headers.authorization).toBeUndefined();
  });

  it("steps up with a short-term token of scope tokens:write as Bearer and no body", async () => {
    const long = await issueLong();
    const short = await new AuthApi(
      new Configuration({ basePath: tessera.url, accessToken: long.token }),
    ).issueShortTermToken({ scopes: ["tokens:write"] });
    const { api, exchanges } = authApi({ apiKey, accessToken: short.data.access_token });

    const { status, data } = await api.issueLongTermToken();

    expect(status).toBe(201);
    expect(data.token).toMatch(/^tsr_lt_/);
    expect(exchanges[0]?.headers.authorization).toBe(`Bearer ${short.data.access_token}`);
    expect(exchanges[0]?.body).toBeUndefined();
    expect(exchanges[0]?.headers["content-type"]).toBeUndefined();
  });

  it("rejects a wrong secret with InvalidClientError, the problem in error.response.data", async () => {
    const { api } = authApi({ apiKey });
    const error = await expectApiError(
      api.issueLongTermToken({
        grant_type: "client_credentials",
        client_id: client.id,
        client_secret: "tsr_cs_wrong",
      }),
      InvalidClientError,
      { code: "invalid_client", status: 401 },
      ["tsr_cs_wrong", apiKey],
    );
    expect(error.response.data).toEqual(problem("invalid_client", 401, error.requestId));
    expect(error.response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(error.operationId).toBe("issueLongTermToken");
  });

  it("rejects a missing X-API-Key with InvalidApiKeyError (the problem's invalid_client_key)", async () => {
    const { api } = authApi();
    const error = await expectApiError(
      api.issueLongTermToken({ client_id: client.id, client_secret: client.clientSecret }),
      InvalidApiKeyError,
      { code: "invalid_api_key", status: 401 },
      [client.clientSecret],
    );
    expect(error.response.data).toEqual(problem("invalid_client_key", 401, error.requestId));
  });

  it("rejects a body out of range with InvalidRequestError", async () => {
    const { api } = authApi({ apiKey });
    await expectApiError(
      api.issueLongTermToken({
        client_id: client.id,
        client_secret: client.clientSecret,
        ttl_days: 7,
      }),
      InvalidRequestError,
      { code: "invalid_request", status: 400 },
      [client.clientSecret],
    );
  });
});

describe("AuthApi.issueShortTermToken", () => {
  it("exchanges the long-term token for a JWT, asking accessToken for LongTokenAuth", async () => {
    const long = await issueLong();
    const asked: (string | undefined)[] = [];
    const { api, exchanges } = authApi({
      accessToken: (name?: string) => {
        asked.push(name);
        return long.token;
      },
    });

    const { status, data } = await api.issueShortTermToken({ ttl_seconds: 120 });

    expect(status).toBe(201);
    expect(data).toEqual({
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: "Bearer",
      expires_in: 120,
      token_id: expect.stringMatching(/^st_/),
      scope: "deploy:staging tokens:write",
    });
    expect(asked).toEqual(["LongTokenAuth"]);
    expect(exchanges[0]?.headers.authorization).toBe(`Bearer ${long.token}`);
  });

  it("rejects a token that is not a long-term token with InvalidTokenError", async () => {
    const { api } = authApi({ accessToken: "tsr_lt_not_a_real_token" });
    const error = await expectApiError(
      api.issueShortTermToken(),
      InvalidTokenError,
      { code: "invalid_token", status: 401 },
      ["tsr_lt_not_a_real_token"],
    );
    expect(error.response.headers["www-authenticate"]).toMatch(/^Bearer /);
  });
});

describe("AuthApi.revokeToken", () => {
  it("revokes by id with 204 and no data, and answers 204 again (idempotent)", async () => {
    const caller = await issueLong();
    const target = await issueLong();
    const { api, exchanges } = authApi({ accessToken: caller.token });

    const first = await api.revokeToken(target.token_id);
    const again = await api.revokeToken(target.token_id);

    expect(first.status).toBe(204);
    expect(first.data).toBeUndefined();
    expect(again.status).toBe(204);
    expect(exchanges.map((exchange) => new URL(exchange.url).pathname)).toEqual([
      `/auth/tokens/${target.token_id}/revoke`,
      `/auth/tokens/${target.token_id}/revoke`,
    ]);
    expect(exchanges[0]?.body).toBeUndefined();
    // The revoked token itself is refused from then on.
    await expectApiError(
      authApi({ accessToken: target.token }).api.listTokens(),
      TokenRevokedError,
      { code: "token_revoked", status: 401 },
      [target.token],
    );
  });

  it("rejects an unknown id with NotFoundError", async () => {
    const long = await issueLong();
    const { api } = authApi({ accessToken: long.token });
    const error = await expectApiError(
      api.revokeToken("lt_does_not_exist"),
      NotFoundError,
      { code: "not_found", status: 404 },
      [long.token],
    );
    expect(error.response.data).toEqual(problem("not_found", 404, error.requestId));
  });

  it("rejects a missing tokenId with RequiredError before sending anything", async () => {
    const { api, exchanges } = authApi();
    const error = await api.revokeToken(undefined as unknown as string).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequiredError);
    expect(error).toMatchObject({
      field: "tokenId",
      message: "Required parameter tokenId was null or undefined when calling revokeToken.",
    });
    expect(exchanges).toEqual([]);
  });

  it("rejects an empty, . or .. tokenId (plain or percent-encoded) with RequiredError before sending anything", async () => {
    const long = await issueLong();
    const { api, exchanges } = authApi({ accessToken: long.token });
    for (const tokenId of ["", ".", "..", "%2e", "%2e%2e", "%2E.", ".%2E"]) {
      const error = await api.revokeToken(tokenId).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RequiredError);
      expect(error).toMatchObject({
        field: "tokenId",
        message: 'Required parameter tokenId was empty, "." or ".." when calling revokeToken.',
      });
    }
    expect(exchanges).toEqual([]);
    // Dots that are not a whole segment are an id like any other.
    await expectApiError(api.revokeToken("..."), NotFoundError, { code: "not_found", status: 404 });
    expect(exchanges.map((exchange) => new URL(exchange.url).pathname)).toEqual([
      "/auth/tokens/.../revoke",
    ]);
  });
});

describe("AuthApi.listTokens", () => {
  it("lists the client's tokens, and the ended ones with include_ended", async () => {
    const long = await issueLong();
    const ended = await issueLong();
    await authApi({ accessToken: ended.token }).api.revokeToken(ended.token_id);
    const { api, exchanges } = authApi({ accessToken: long.token });

    const live = await api.listTokens();
    const all = await api.listTokens({ include_ended: true, limit: 100 });

    expect(live.status).toBe(200);
    const liveIds = live.data.tokens.map((token) => token.token_id);
    expect(liveIds).toContain(long.token_id);
    expect(liveIds).not.toContain(ended.token_id);
    expect(all.data.tokens.map((token) => token.token_id)).toContain(ended.token_id);
    expect(JSON.stringify(all.data)).not.toContain(long.token);
    expect(new URL(exchanges[1]?.url ?? "").search).toBe("?include_ended=true&limit=100");
  });

  it("rejects a call without a Bearer token with InvalidTokenError", async () => {
    const { api } = authApi({ apiKey });
    await expectApiError(api.listTokens(), InvalidTokenError, {
      code: "invalid_token",
      status: 401,
    });
  });
});
