import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Configuration,
  type ConfigurationParameters,
  ForbiddenError,
  InvalidApiKeyError,
  InvalidCredentialsError,
  InvalidRequestError,
  SessionApi,
  type SessionTokenResponse,
  TokenRevokedError,
} from "../src/index.js";
import { expectApiError } from "./support/expect-api-error.js";
import { addApiKey, addUser, PASSWORD } from "./support/provision.js";
import { recordingFetch } from "./support/recording-fetch.js";
import { startTessera, type Tessera } from "./support/tessera.js";

let tessera: Tessera;
let apiKey: string;

beforeAll(async () => {
  tessera = await startTessera();
  apiKey = addApiKey(tessera);
  addUser(tessera, "alice");
  addUser(tessera, "bob");
  addUser(tessera, "root", { admin: true });
});
afterAll(async () => {
  await tessera.stop();
});

function sessionApi(settings: ConfigurationParameters = {}) {
  const recorder = recordingFetch();
  const configuration = new Configuration({
    basePath: tessera.url,
    apiKey,
    fetch: recorder.fetch,
    ...settings,
  });
  return { api: new SessionApi(configuration), exchanges: recorder.exchanges };
}

const sessionShape = (username: string) => ({
  endpointUrl: tessera.url,
  clientId: expect.any(String),
  userPoolId: "default",
  username,
  password: "",
  session: {
    authorization: expect.any(String),
    accessToken: expect.any(String),
    refreshToken: expect.stringMatching(/^tsr_rt_/),
    expireEpoch: expect.any(Number),
  },
});

async function login(username: string): Promise<SessionTokenResponse> {
  return (await sessionApi().api.createToken({ username, password: PASSWORD })).data;
}

describe("SessionApi.createToken", () => {
  it("logs in with username and password in the body under X-API-Key", async () => {
    const { api, exchanges } = sessionApi();
    const { status, data, headers } = await api.createToken({
      username: "alice",
      password: PASSWORD,
    });

    expect(status).toBe(200);
    expect(data).toEqual(sessionShape("alice"));
    expect(headers["cache-control"]).toBe("no-store");
    expect(exchanges[0]?.headers["x-api-key"]).toBe(apiKey);
  });

  it("logs in with the configuration's Basic credentials and no body", async () => {
    const { api, exchanges } = sessionApi({ username: "alice", password: PASSWORD });
    const { data } = await api.createToken();

    expect(data.username).toBe("alice");
    expect(exchanges[0]?.headers.authorization).toMatch(/^Basic /);
    expect(exchanges[0]?.body).toBeUndefined();
    expect(exchanges[0]?.headers["content-type"]).toBeUndefined();
  });

  it("refreshes when sent the previous answer", async () => {
    const first = await login("alice");
    const { data } = await sessionApi().api.createToken(first);

    expect(data).toEqual(sessionShape("alice"));
    expect(data.session.accessToken).not.toBe(first.session.accessToken);
  });

  it("rejects a wrong password with InvalidCredentialsError and the session API's body", async () => {
    const { api } = sessionApi();
    const error = await expectApiError(
      api.createToken({ username: "alice", password: "wrong horse" }),
      InvalidCredentialsError,
      { code: "invalid_credentials", status: 401 },
      ["wrong horse", apiKey],
    );
    expect(error.response.data).toEqual({ status: "error", message: expect.any(String) });
  });

  it("rejects a missing X-API-Key with InvalidApiKeyError, told by the dialect's fixed message", async () => {
    const { api } = sessionApi({ apiKey: "" });
    await expectApiError(
      api.createToken({ username: "alice", password: PASSWORD }),
      InvalidApiKeyError,
      {
        code: "invalid_api_key",
        status: 401,
        data: { status: "error", message: "Missing or invalid X-API-Key" },
      },
      [PASSWORD],
    );
  });
});

describe("SessionApi.revokeSessionToken", () => {
  it("ends the session (DELETE with the previous answer); its refresh token then fails", async () => {
    const session = await login("alice");
    const { api, exchanges } = sessionApi();

    const { status, data } = await api.revokeSessionToken(session);

    expect(status).toBe(200);
    expect(data).toEqual({ status: "success", message: expect.any(String) });
    expect(exchanges[0]?.method).toBe("DELETE");
    expect(JSON.parse(exchanges[0]?.body ?? "{}")).toEqual(session);
    await expectApiError(
      api.createToken({ session: { refreshToken: session.session.refreshToken } }),
      TokenRevokedError,
      { code: "token_revoked", status: 401 },
      [session.session.refreshToken],
    );
  });

  it("rejects a body with no token with InvalidRequestError", async () => {
    await expectApiError(
      sessionApi().api.revokeSessionToken({ session: {} }),
      InvalidRequestError,
      { code: "invalid_request", status: 400 },
    );
  });
});

describe("SessionApi.impersonate", () => {
  it("gives an admin tokens for another user, from its ID token and access token headers", async () => {
    const admin = await login("root");
    const { api, exchanges } = sessionApi();

    const { status, data, headers } = await api.impersonate(
      { username: "bob" },
      { authorization: admin.session.authorization, accessToken: admin.session.accessToken },
    );

    expect(status).toBe(200);
    expect(data).toEqual(sessionShape("bob"));
    expect(headers.deprecation).toEqual(expect.any(String));
    expect(exchanges[0]?.headers).toMatchObject({
      authorization: admin.session.authorization,
      accesstoken: admin.session.accessToken,
      "x-api-key": apiKey,
    });
  });

  it("refuses a caller that may not impersonate with ForbiddenError", async () => {
    const alice = await login("alice");
    await expectApiError(
      sessionApi().api.impersonate(
        { username: "bob" },
        { authorization: alice.session.authorization, accessToken: alice.session.accessToken },
      ),
      ForbiddenError,
      { code: "forbidden", status: 403 },
      [alice.session.accessToken, alice.session.authorization],
    );
  });
});
