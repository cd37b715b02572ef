import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Configuration,
  type FetchLike,
  NoSessionError,
  SessionApi,
  SessionClient,
  type SessionClientOptions,
  SessionEndedError,
  type SessionTokenResponse,
  TesseraApiError,
  TesseraNetworkError,
  TokenRevokedError,
} from "../src/index.js";
import { expectApiError } from "./support/expect-api-error.js";
import { forwardTo, startLocalServer } from "./support/local-server.js";
import { addApiKey, addUser, PASSWORD } from "./support/provision.js";
import { recordingFetch } from "./support/recording-fetch.js";
import { isRequest, logMark, requestsLoggedSince } from "./support/request-log.js";
import { startTessera, type Tessera } from "./support/tessera.js";

let tessera: Tessera;
/** The default tenant's API key: refresh policy `none`. */
let apiKey: string;
/** The `rotating` tenant's API key: refresh policy `rotate`, no grace window. */
let rotatingApiKey: string;

beforeAll(async () => {
  tessera = await startTessera();
  apiKey = addApiKey(tessera);
  for (const username of ["alice", "bob", "dave", "erin", "frank"]) {
    addUser(tessera, username);
  }
  addUser(tessera, "root", { admin: true });
  tessera.cli(["tenant", "create", "rotating"]);
  // No grace: a rotated refresh token presented again is a reuse at once.
  tessera.cli([
    "tenant",
    "update",
    "rotating",
    "--refresh-policy",
    "rotate",
    "--refresh-grace-seconds",
    "0",
  ]);
  rotatingApiKey = tessera.cliJson<{ key: string }>([
    "apikey",
    "create",
    "--name",
    "rotating",
    "--tenant",
    "rotating",
  ]).key;
  tessera.cli(["user", "add", "carol", "--password-stdin", "--tenant", "rotating"], PASSWORD);
});
afterAll(async () => {
  await tessera.stop();
});

const isRefresh = isRequest("POST", "/auth/token");

/**
 * A SessionClient on a recording fetch and a clock the test moves by hand;
 * `failNext` makes that many requests fail as a dropped connection would.
 */
function sessionClient(options: Partial<SessionClientOptions> & { key?: string } = {}) {
  const recorder = recordingFetch();
  const faults = { failNext: 0 };
  const fetch: FetchLike = (url, init) => {
    if (faults.failNext > 0) {
      faults.failNext -= 1;
      return Promise.reject(new TypeError("fetch failed"));
    }
    return recorder.fetch(url, init);
  };
  const time = { now: Date.now() };
  const notified: (SessionTokenResponse | null)[] = [];
  const { key, ...rest } = options;
  const client = new SessionClient({
    configuration: new Configuration({ basePath: tessera.url, apiKey: key ?? apiKey, fetch }),
    clock: () => time.now,
    onTokens: (tokens) => {
      notified.push(tokens);
    },
    ...rest,
  });
  return { client, exchanges: recorder.exchanges, time, faults, notified };
}

/** The client's access token expiry, which a test moves its clock against. */
function expiryOf(client: SessionClient): number {
  const expireEpoch = client.expireEpoch;
  if (expireEpoch === undefined) {
    throw new Error("no session");
  }
  return expireEpoch;
}

describe("SessionClient: the access token and its renewal", () => {
  it("logs in with body credentials and hands out the cached token until the skew, without a request", async () => {
    const { client, exchanges, time, notified } = sessionClient();
    const session = await client.login("alice", PASSWORD);

    expect(exchanges).toHaveLength(1);
    expect(JSON.parse(exchanges[0]?.body ?? "{}")).toEqual({
      username: "alice",
      password: PASSWORD,
    });
    expect(notified).toEqual([session]);
    expect(client.username).toBe("alice");
    expect(client.idToken).toBe(session.session.authorization);
    expect(client.expireEpoch).toBe(session.session.expireEpoch);

    time.now = session.session.expireEpoch - 61_000;
    const tokens = await Promise.all([client.getAccessToken(), client.getAccessToken()]);
    expect(tokens).toEqual([session.session.accessToken, session.session.accessToken]);
    expect(exchanges).toHaveLength(1);
  });

  it("refreshes once inside the skew, by the refresh token alone", async () => {
    const { client, exchanges, time, notified } = sessionClient();
    const first = await client.login("alice", PASSWORD);

    time.now = first.session.expireEpoch - 59_000;
    const token = await client.getAccessToken();

    expect(exchanges.filter(isRefresh)).toHaveLength(2);
    expect(JSON.parse(exchanges[1]?.body ?? "{}")).toEqual({
      session: { refreshToken: first.session.refreshToken },
    });
    expect(token).not.toBe(first.session.accessToken);
    expect(client.tokens?.session.accessToken).toBe(token);
    expect(client.idToken).not.toBe(first.session.authorization);
    // Policy none: the same refresh token goes on working.
    expect(client.tokens?.session.refreshToken).toBe(first.session.refreshToken);
    expect(notified).toHaveLength(2);
    expect(notified[1]?.session.accessToken).toBe(token);

    expect(client.expireEpoch).toBe(notified[1]?.session.expireEpoch);

    // The new token is handed out until its own skew.
    time.now = expiryOf(client) - 61_000;
    expect(await client.getAccessToken()).toBe(token);
    expect(exchanges).toHaveLength(2);
  });

  it("sends exactly one refresh for 50 concurrent callers when the token is due, as the server's log shows", async () => {
    const { client, exchanges, time } = sessionClient();
    await client.login("bob", PASSWORD);
    time.now = expiryOf(client) - 30_000;
    const from = await logMark(tessera);

    const tokens = await Promise.all(Array.from({ length: 50 }, () => client.getAccessToken()));

    expect(new Set(tokens).size).toBe(1);
    expect(exchanges.filter(isRefresh)).toHaveLength(2);
    const logged = (await requestsLoggedSince(tessera, from)).filter(isRefresh);
    expect(logged).toEqual([{ method: "POST", url: "/auth/token", statusCode: 200 }]);
  });

  it("rejects every waiting caller when the refresh fails, and the next call refreshes again", async () => {
    const { client, exchanges, time, faults } = sessionClient();
    await client.login("bob", PASSWORD);
    time.now = expiryOf(client) - 30_000;
    faults.failNext = 1;

    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => client.getAccessToken()),
    );
    expect(outcomes.every((outcome) => outcome.status === "rejected")).toBe(true);
    for (const outcome of outcomes) {
      expect(outcome.status === "rejected" && outcome.reason).toBeInstanceOf(TesseraNetworkError);
    }
    // Not an ended session: the tokens are kept, and the next call tries again.
    expect(client.tokens).toBeDefined();
    const token = await client.getAccessToken();
    expect(token).toBe(client.tokens?.session.accessToken);
    expect(exchanges.filter(isRefresh)).toHaveLength(2);
  });

  it("refresh() refreshes now, whatever the expiry, joining a refresh in flight", async () => {
    const { client, exchanges } = sessionClient();
    const first = await client.login("alice", PASSWORD);

    const [a, b] = await Promise.all([client.refresh(), client.refresh()]);

    expect(a).toBe(b);
    expect(a.session.accessToken).not.toBe(first.session.accessToken);
    expect(exchanges.filter(isRefresh)).toHaveLength(2);
  });

  it("carries on a persisted session without logging in", async () => {
    const { client: original } = sessionClient();
    const saved = await original.login("alice", PASSWORD);
    const { client, exchanges, time } = sessionClient({ tokens: saved });

    expect(await client.getAccessToken()).toBe(saved.session.accessToken);
    time.now = saved.session.expireEpoch;
    expect(await client.getAccessToken()).not.toBe(saved.session.accessToken);
    expect(exchanges.filter(isRefresh)).toHaveLength(1);
  });
});

describe("SessionClient under the refresh policy rotate", () => {
  it("replaces the refresh token with the answer's in one refresh for 50 callers; the old one is then refused", async () => {
    const { client, exchanges, time, notified } = sessionClient({ key: rotatingApiKey });
    const first = await client.login("carol", PASSWORD);
    time.now = first.session.expireEpoch - 30_000;
    const from = await logMark(tessera);

    const tokens = await Promise.all(Array.from({ length: 50 }, () => client.getAccessToken()));

    expect(new Set(tokens).size).toBe(1);
    expect(exchanges.filter(isRefresh)).toHaveLength(2);
    expect((await requestsLoggedSince(tessera, from)).filter(isRefresh)).toHaveLength(1);
    const rotated = client.tokens?.session.refreshToken;
    expect(rotated).toMatch(/^tsr_rt_/);
    expect(rotated).not.toBe(first.session.refreshToken);
    expect(notified.at(-1)?.session.refreshToken).toBe(rotated);

    // The old refresh token, presented again past the (zero) grace window, is refused...
    const api = new SessionApi(
      new Configuration({ basePath: tessera.url, apiKey: rotatingApiKey }),
    );
    await expectApiError(
      api.createToken({ session: { refreshToken: first.session.refreshToken } }),
      TokenRevokedError,
      {
        code: "token_revoked",
        status: 401,
        data: { status: "error", message: "Refresh token has been revoked" },
      },
    );
    // ...and, as a reuse, ends the session: the client learns it at its next refresh.
    time.now = expiryOf(client) - 30_000;
    const ended = await client.getAccessToken().catch((error: unknown) => error);
    expect(ended).toBeInstanceOf(SessionEndedError);
    expect(ended).toMatchObject({ code: "token_revoked", status: 401 });
  });

  it("keeps rotated tokens onTokens rejected, rejects calls until onTokens takes them, and never refreshes meanwhile", async () => {
    const store = { failures: 0, saved: [] as SessionTokenResponse[] };
    const unavailable = new Error("the token store is unavailable");
    const { client, exchanges, time } = sessionClient({
      key: rotatingApiKey,
      onTokens: (tokens) => {
        if (store.failures > 0) {
          store.failures -= 1;
          throw unavailable;
        }
        if (tokens !== null) {
          store.saved.push(tokens);
        }
      },
    });
    const first = await client.login("carol", PASSWORD);
    store.failures = 3;
    time.now = first.session.expireEpoch - 30_000;

    await expect(client.getAccessToken()).rejects.toBe(unavailable);
    // The rotated tokens are held (the old refresh token is dead), but not handed out unsaved.
    const rotated = client.tokens;
    expect(rotated?.session.refreshToken).not.toBe(first.session.refreshToken);
    await expect(client.getAccessToken()).rejects.toBe(unavailable);
    await expect(client.refresh()).rejects.toBe(unavailable);
    expect(store.saved).toEqual([first]);

    time.now = expiryOf(client) - 61_000;
    const token = await client.getAccessToken();

    expect(token).toBe(rotated?.session.accessToken);
    expect(store.saved).toEqual([first, rotated]);
    expect(exchanges.filter(isRefresh)).toHaveLength(2);
    // What the store now holds carries the session on.
    const latest = store.saved.at(-1);
    if (latest === undefined) {
      throw new Error("nothing saved");
    }
    const restored = sessionClient({ key: rotatingApiKey, tokens: latest });
    await restored.client.refresh();
    expect(restored.exchanges.filter(isRefresh)).toHaveLength(1);
  });

  it("keeps refreshing with each answer's refresh token", async () => {
    const { client, exchanges, time } = sessionClient({ key: rotatingApiKey });
    await client.login("carol", PASSWORD);
    const seen = new Set<string>();
    for (let round = 0; round < 3; round++) {
      time.now = expiryOf(client) - 30_000;
      await client.getAccessToken();
      seen.add(client.tokens?.session.refreshToken ?? "");
    }
    expect(seen.size).toBe(3);
    const sent = exchanges
      .filter(isRefresh)
      .slice(1)
      .map((exchange) => JSON.parse(exchange.body ?? "{}").session.refreshToken as string);
    expect(sent.slice(1)).toEqual([...seen].slice(0, 2));
  });
});

describe("SessionClient when the session ends", () => {
  it("rejects with SessionEndedError once an operator revokes the session, clears it, and sends nothing after", async () => {
    const { client, exchanges, time, notified } = sessionClient();
    await client.login("dave", PASSWORD);
    tessera.cli(["sessions", "revoke", "--user", "dave"]);
    time.now = expiryOf(client) - 30_000;

    const callers = await Promise.allSettled(
      Array.from({ length: 5 }, () => client.getAccessToken()),
    );
    const error = callers[0]?.status === "rejected" ? callers[0].reason : undefined;
    expect(error).toBeInstanceOf(SessionEndedError);
    expect(error).toBeInstanceOf(TesseraApiError);
    expect(error).toMatchObject({
      name: "SessionEndedError",
      code: "token_revoked",
      status: 401,
      operationId: "createToken",
    });
    expect(error.cause).toBeInstanceOf(TokenRevokedError);
    expect(callers.every((caller) => caller.status === "rejected" && caller.reason === error)).toBe(
      true,
    );
    expect(exchanges.filter(isRefresh)).toHaveLength(2);
    expect(client.tokens).toBeUndefined();
    expect(notified.at(-1)).toBeNull();

    const sent = exchanges.length;
    await expect(client.getAccessToken()).rejects.toBe(error);
    await expect(client.refresh()).rejects.toBe(error);
    expect(exchanges).toHaveLength(sent);

    // A new login starts afresh.
    await client.login("dave", PASSWORD);
    expect(await client.getAccessToken()).toBe(client.tokens?.session.accessToken);
  });

  it("keeps the session through a 401 that is not the session API's refusal of the refresh token (a proxy's)", async () => {
    let refuse = false;
    const proxy = await startLocalServer((request) =>
      refuse
        ? { status: 401, headers: { "content-type": "text/html" }, body: "<h1>401</h1>" }
        : forwardTo(tessera.url, request),
    );
    try {
      const time = { now: Date.now() };
      const notified: (SessionTokenResponse | null)[] = [];
      const client = new SessionClient({
        configuration: new Configuration({ basePath: proxy.url, apiKey }),
        clock: () => time.now,
        onTokens: (tokens) => {
          notified.push(tokens);
        },
      });
      const session = await client.login("alice", PASSWORD);
      refuse = true;
      time.now = expiryOf(client) - 30_000;

      const error = await client.getAccessToken().catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(TesseraApiError);
      expect(error).not.toBeInstanceOf(SessionEndedError);
      expect(error).toMatchObject({ status: 401, code: "invalid_credentials" });
      expect(client.tokens).toBe(session);
      expect(notified).toEqual([session]);

      refuse = false;
      const token = await client.getAccessToken();
      expect(token).not.toBe(session.session.accessToken);
      expect(client.tokens?.session.accessToken).toBe(token);
    } finally {
      await proxy.close();
    }
  });

  it("ends when another client logs the session out", async () => {
    const { client, time } = sessionClient();
    const session = await client.login("erin", PASSWORD);
    const { client: elsewhere, exchanges } = sessionClient({ tokens: session });

    await elsewhere.logout();

    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.method).toBe("DELETE");
    time.now = expiryOf(client) - 30_000;
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(SessionEndedError);
  });

  it("logout() ends the session on the server, forgets it, and is then a no-op", async () => {
    const { client, exchanges, notified } = sessionClient();
    const session = await client.login("frank", PASSWORD);

    await client.logout();

    expect(exchanges.map((exchange) => exchange.method)).toEqual(["POST", "DELETE"]);
    expect(JSON.parse(exchanges[1]?.body ?? "{}")).toEqual({
      session: {
        refreshToken: session.session.refreshToken,
        accessToken: session.session.accessToken,
      },
    });
    expect(client.tokens).toBeUndefined();
    expect(client.idToken).toBeUndefined();
    expect(notified.at(-1)).toBeNull();
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(NoSessionError);
    await client.logout();
    expect(exchanges).toHaveLength(2);

    const api = new SessionApi(new Configuration({ basePath: tessera.url, apiKey }));
    await expectApiError(
      api.createToken({ session: { refreshToken: session.session.refreshToken } }),
      TokenRevokedError,
      { code: "token_revoked", status: 401 },
    );
  });

  it("before login, getAccessToken rejects with NoSessionError without a request", async () => {
    const { client, exchanges } = sessionClient();
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(NoSessionError);
    expect(exchanges).toHaveLength(0);
  });
});

describe("SessionClient.impersonate", () => {
  it("returns a client of the impersonated session, asked for with spec 003's headers", async () => {
    const { client: admin, exchanges, time } = sessionClient();
    await admin.login("root", PASSWORD);
    const impersonatedTokens: (SessionTokenResponse | null)[] = [];

    const asBob = await admin.impersonate("bob", {
      onTokens: (tokens) => {
        impersonatedTokens.push(tokens);
      },
    });

    const request = exchanges.find(isRequest("POST", "/auth/impersonate"));
    expect(request?.headers).toMatchObject({
      "x-api-key": apiKey,
      authorization: admin.idToken,
      accesstoken: admin.tokens?.session.accessToken,
    });
    expect(JSON.parse(request?.body ?? "{}")).toEqual({ username: "bob" });
    expect(asBob.username).toBe("bob");
    expect(impersonatedTokens).toHaveLength(1);
    const claims = decodeJwt(await asBob.getAccessToken());
    expect(claims.username).toBe("bob");
    expect(claims.act).toEqual({ sub: expect.any(String) });

    // It refreshes on its own (sharing the clock)...
    time.now = expiryOf(asBob) - 30_000;
    const refreshed = await asBob.getAccessToken();
    expect(refreshed).toBe(asBob.tokens?.session.accessToken);
    expect(impersonatedTokens).toHaveLength(2);
    // ...and ends with the session it was born of.
    await admin.logout();
    time.now = expiryOf(asBob) - 30_000;
    await expect(asBob.getAccessToken()).rejects.toBeInstanceOf(SessionEndedError);
  });
});
