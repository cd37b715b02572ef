import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ClientClosedError,
  ClientCredentialsClient,
  type ClientCredentialsClientOptions,
  Configuration,
  InvalidClientError,
  OAuthApi,
} from "../src/index.js";
import { expectApiError } from "./support/expect-api-error.js";
import { addClient, type ProvisionedClient } from "./support/provision.js";
import { recordingFetch } from "./support/recording-fetch.js";
import { isRequest, logMark, requestsLoggedSince } from "./support/request-log.js";
import { startTessera, type Tessera } from "./support/tessera.js";

const REPORTS = "https://reports.example.com";

let tessera: Tessera;
/** client_secret_basic, allowed the reports audience. */
let reports: ProvisionedClient;
/** client_secret_post. */
let poster: ProvisionedClient;

beforeAll(async () => {
  tessera = await startTessera();
  reports = addClient(tessera, "reports-bot", [
    "--grant-types",
    "client_credentials",
    "--scopes",
    "reports:read,reports:write",
    "--audience",
    REPORTS,
  ]);
  poster = addClient(tessera, "poster", [
    "--auth-method",
    "client_secret_post",
    "--grant-types",
    "client_credentials",
  ]);
});
afterAll(async () => {
  await tessera.stop();
});

const isToken = isRequest("POST", "/oauth/token");

/** A ClientCredentialsClient of the reports client, on a recording fetch and a hand-moved clock. */
function credentialsClient(options: Partial<ClientCredentialsClientOptions> = {}) {
  const recorder = recordingFetch();
  const time = { now: Date.now() };
  const client = new ClientCredentialsClient({
    basePath: tessera.url,
    clientId: reports.id,
    clientSecret: reports.clientSecret,
    configuration: { fetch: recorder.fetch },
    clock: () => time.now,
    ...options,
  });
  return { client, exchanges: recorder.exchanges, time };
}

/** Introspection by the reports client itself (RFC 7662). */
async function introspect(token: string) {
  const oauth = new OAuthApi(
    new Configuration({
      basePath: tessera.url,
      username: reports.id,
      password: reports.clientSecret,
    }),
  );
  return (await oauth.introspect({ token })).data;
}

describe("ClientCredentialsClient.getAccessToken", () => {
  it("asks for one token for 50 concurrent and 10 later callers, by client_secret_basic, as the server's log shows", async () => {
    const { client, exchanges } = credentialsClient();
    const from = await logMark(tessera);

    const tokens = await Promise.all(Array.from({ length: 50 }, () => client.getAccessToken()));
    for (let call = 0; call < 10; call++) {
      tokens.push(await client.getAccessToken());
    }

    expect(new Set(tokens).size).toBe(1);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.headers.authorization).toMatch(/^Basic /);
    expect(exchanges[0]?.body).toBe("grant_type=client_credentials");
    expect((await requestsLoggedSince(tessera, from)).filter(isToken)).toEqual([
      { method: "POST", url: "/oauth/token", statusCode: 200 },
    ]);
    expect(await introspect(tokens[0] ?? "")).toMatchObject({
      active: true,
      client_id: reports.id,
    });
  });

  it("renews once inside the skew before expires_in ends, and not before", async () => {
    const { client, exchanges, time } = credentialsClient();
    const start = time.now;
    const first = await client.getAccessToken();
    const lifetimeMs = (decodeJwt(first).exp ?? 0) * 1000 - (decodeJwt(first).iat ?? 0) * 1000;

    time.now = start + lifetimeMs - 61_000;
    expect(await client.getAccessToken()).toBe(first);
    expect(exchanges).toHaveLength(1);

    time.now = start + lifetimeMs - 59_000;
    const renewed = await Promise.all(Array.from({ length: 20 }, () => client.getAccessToken()));
    expect(new Set(renewed).size).toBe(1);
    expect(renewed[0]).not.toBe(first);
    expect(exchanges).toHaveLength(2);
  });

  it("asks for the scope and resource it was given", async () => {
    const { client, exchanges } = credentialsClient({
      scope: ["reports:read"],
      resource: REPORTS,
    });

    const token = await client.getAccessToken();

    expect(new URLSearchParams(exchanges[0]?.body ?? "").getAll("resource")).toEqual([REPORTS]);
    expect(await introspect(token)).toMatchObject({
      active: true,
      scope: "reports:read",
      aud: REPORTS,
    });
  });

  it("calls the tokenEndpoint it is given, with the secret in the form for client_secret_post", async () => {
    const recorder = recordingFetch();
    const client = new ClientCredentialsClient({
      tokenEndpoint: `${tessera.issuer}/oauth/token`,
      clientId: poster.id,
      clientSecret: poster.clientSecret,
      authMethod: "client_secret_post",
      configuration: { fetch: recorder.fetch },
    });

    await client.getAccessToken();
    await client.close();

    expect(recorder.exchanges.map((exchange) => new URL(exchange.url).pathname)).toEqual([
      "/tenants/default/oauth/token",
      "/tenants/default/oauth/revoke",
    ]);
    for (const exchange of recorder.exchanges) {
      expect(exchange.headers.authorization).toBeUndefined();
      const form = new URLSearchParams(exchange.body ?? "");
      expect(form.get("client_id")).toBe(poster.id);
      expect(form.get("client_secret")).toBe(poster.clientSecret);
    }
  });

  it("fails with the typed error of a wrong secret, and tries again on the next call", async () => {
    const { client, exchanges } = credentialsClient({ clientSecret: "tsr_cs_wrong" });
    await expectApiError(
      client.getAccessToken(),
      InvalidClientError,
      { code: "invalid_client", status: 401 },
      ["tsr_cs_wrong"],
    );
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(InvalidClientError);
    expect(exchanges).toHaveLength(2);
  });

  it("refuses a token endpoint that is not Tessera's, when built", () => {
    expect(
      () =>
        new ClientCredentialsClient({
          tokenEndpoint: "https://auth.example.com/token",
          clientId: reports.id,
          clientSecret: reports.clientSecret,
        }),
    ).toThrow(TypeError);
  });
});

describe("ClientCredentialsClient: a tenant that names another path", () => {
  it("is refused when built, as tenantId or in tokenEndpoint, plain or percent-encoded", () => {
    const credentials = { clientId: reports.id, clientSecret: reports.clientSecret };
    for (const tenantId of ["", ".", "..", "%2e%2e"]) {
      expect(
        () => new ClientCredentialsClient({ basePath: tessera.url, tenantId, ...credentials }),
      ).toThrow(TypeError);
    }
    for (const tenant of ["%2e%2e", "%2E.", "%2e", ".."]) {
      expect(
        () =>
          new ClientCredentialsClient({
            tokenEndpoint: `${tessera.url}/tenants/${tenant}/oauth/token`,
            ...credentials,
          }),
      ).toThrow(TypeError);
    }
  });
});

describe("ClientCredentialsClient.close", () => {
  it("revokes the token it holds (introspection then says inactive), once, and refuses later calls", async () => {
    const { client, exchanges } = credentialsClient({ tenantId: "default" });
    const token = await client.getAccessToken();

    await Promise.all([client.close(), client.close()]);
    await client.close();

    const revocations = exchanges.filter(isRequest("POST", "/tenants/default/oauth/revoke"));
    expect(revocations).toHaveLength(1);
    expect(new URLSearchParams(revocations[0]?.body ?? "").get("token_type_hint")).toBe(
      "access_token",
    );
    expect(await introspect(token)).toEqual({ active: false });
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(ClientClosedError);
    expect(exchanges).toHaveLength(2);
  });

  it("sends nothing when it never held a token", async () => {
    const { client, exchanges } = credentialsClient();
    await client.close();
    expect(exchanges).toHaveLength(0);
  });
});
