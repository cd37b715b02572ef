import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthApi,
  Configuration,
  type FetchLike,
  OAuthApi,
  SessionApi,
  TesseraRedirectError,
} from "../src/index.js";
import { type LocalServer, startLocalServer } from "./support/local-server.js";

/*
 * A server that answers every request with a redirect to another origin (a
 * hijacked or misconfigured proxy), and that origin, which records what
 * reaches it. Tessera itself never redirects, so both are local stand-ins.
 */

const API_KEY = "tsr_ak_redirect-test-api-key";
const BEARER = "bearer-token-redirect-test";
const PASSWORD = "password-redirect-test";
const CLIENT_SECRET = "tsr_cs_redirect-test-client-secret";
const ACCESS_TOKEN = "access-token-redirect-test";
/** What the redirect's `Location` holds besides its origin: never to be repeated. */
const LOCATION_SECRETS = ["collect", "leaked-query"];

let collector: LocalServer;
let redirecting: LocalServer;
let status = 307;
/** The redirect's target: the collector, its path and query to be kept out of every error. */
let location = "";

beforeAll(async () => {
  collector = await startLocalServer(() => ({
    status: 200,
    headers: { "content-type": "application/json" },
    body: "{}",
  }));
  location = `${collector.url}/collect?token=leaked-query`;
  redirecting = await startLocalServer(() => ({ status, headers: { location } }));
});
afterAll(async () => {
  await Promise.all([collector.close(), redirecting.close()]);
});

function configuration(): Configuration {
  return new Configuration({
    basePath: redirecting.url,
    apiKey: API_KEY,
    accessToken: BEARER,
    username: "alice",
    password: PASSWORD,
  });
}

/** Each kind of credential the SDK sends: a header of its own, Bearer, a body, a form. */
const calls: Record<string, () => Promise<unknown>> = {
  "issueLongTermToken (X-API-Key, a client secret in the body)": () =>
    new AuthApi(configuration()).issueLongTermToken({
      grant_type: "client_credentials",
      client_id: "ci-bot",
      client_secret: CLIENT_SECRET,
    }),
  "listTokens (Bearer, a safe call that is otherwise retried)": () =>
    new AuthApi(configuration()).listTokens(),
  "createToken (a password in the body)": () =>
    new SessionApi(configuration()).createToken({ username: "alice", password: PASSWORD }),
  "impersonate (the AccessToken header)": () =>
    new SessionApi(configuration()).impersonate(
      { username: "bob" },
      { authorization: "Bearer id-token", accessToken: ACCESS_TOKEN },
    ),
  "token (client_secret_post)": () =>
    new OAuthApi(new Configuration({ basePath: redirecting.url })).token({
      grant_type: "client_credentials",
      client_id: "reports-bot",
      client_secret: CLIENT_SECRET,
    }),
};

describe("a redirect to another origin", () => {
  for (const code of [301, 302, 303, 307, 308]) {
    for (const [name, call] of Object.entries(calls)) {
      it(`${code}: ${name} is not followed, and rejects with TesseraRedirectError`, async () => {
        status = code;
        const before = redirecting.received.length;

        const error: unknown = await call().then(
          () => undefined,
          (caught: unknown) => caught,
        );

        expect(error).toBeInstanceOf(TesseraRedirectError);
        const redirect = error as TesseraRedirectError;
        expect(redirect.status).toBe(code);
        expect(redirect.locationOrigin).toBe(collector.url);
        expect(redirect.message).toContain(String(code));
        for (const secret of [API_KEY, BEARER, PASSWORD, CLIENT_SECRET, ACCESS_TOKEN]) {
          expect(redirect.message).not.toContain(secret);
        }
        for (const part of LOCATION_SECRETS) {
          expect(redirect.message).not.toContain(part);
          expect(redirect.locationOrigin).not.toContain(part);
        }
        // Sent once, not retried, and nothing reached the other origin.
        expect(redirecting.received).toHaveLength(before + 1);
        expect(collector.received).toEqual([]);
      });
    }
  }

  it("names the target's origin without the credentials a Location may carry", async () => {
    status = 307;
    const saved = location;
    location = `http://thief:pw-in-location@${new URL(collector.url).host}/collect`;
    try {
      const error: unknown = await calls["createToken (a password in the body)"]?.().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(TesseraRedirectError);
      const redirect = error as TesseraRedirectError;
      expect(redirect.locationOrigin).toBe(collector.url);
      expect(`${redirect.message} ${redirect.locationOrigin}`).not.toMatch(/thief|pw-in-location/);
      expect(collector.received).toEqual([]);
    } finally {
      location = saved;
    }
  });

  it("rejects a browser's opaque redirect (status 0) the same way", async () => {
    // What a browser's fetch returns under redirect: "manual"; Node's never does, so it is built here.
    const opaque: FetchLike = async (_url, init) => {
      expect(init.redirect).toBe("manual");
      const response = new Response(null);
      Object.defineProperties(response, {
        type: { value: "opaqueredirect" },
        status: { value: 0 },
      });
      return response;
    };
    const api = new AuthApi(
      new Configuration({ basePath: redirecting.url, apiKey: API_KEY, fetch: opaque }),
    );

    const error: unknown = await api.listTokens().then(
      () => undefined,
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(TesseraRedirectError);
    expect((error as TesseraRedirectError).status).toBe(0);
    expect((error as TesseraRedirectError).locationOrigin).toBeUndefined();
  });
});
