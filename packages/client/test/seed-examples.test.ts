import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthApi,
  Configuration,
  type ConfigurationParameters,
  type LongTokenResponse,
  RequiredError,
} from "../src/index.js";
import * as issueLong from "./spec-004-issue-long-term-token.js";
import * as issueShort from "./spec-004-issue-short-term-token.js";
import * as revoke from "./spec-004-revoke-token.js";
import { addApiKey, addClient, type ProvisionedClient } from "./support/provision.js";
import { type Exchange, recordingFetch } from "./support/recording-fetch.js";
import { startTessera, type Tessera } from "./support/tessera.js";

/*
 * Spec 004's three examples run against a real server, their code as the
 * seed prints it (test/spec-004-*.ts, compiled with `tsc --strict` by the
 * package's typecheck). The examples keep what they get to themselves, so
 * what they sent and got is read from the wire.
 */

let tessera: Tessera;
let apiKey: string;
let client: ProvisionedClient;

beforeAll(async () => {
  tessera = await startTessera();
  apiKey = addApiKey(tessera);
  client = addClient(tessera, "seed-examples", ["--scopes", "tokens:write"]);
});
afterAll(async () => {
  await tessera.stop();
});

/**
 * The examples' `new Configuration()`, with the base path and credentials
 * set (the issue allows only those), and the wire recorded.
 */
function configured(parameters: ConfigurationParameters): {
  readonly Configured: new () => Configuration;
  readonly exchanges: Exchange[];
} {
  const { fetch, exchanges } = recordingFetch();
  class Configured extends Configuration {
    constructor() {
      super({ basePath: tessera.url, ...parameters, fetch });
    }
  }
  return { Configured, exchanges };
}

async function longTermToken(): Promise<LongTokenResponse> {
  const api = new AuthApi(new Configuration({ basePath: tessera.url, apiKey }));
  const { data } = await api.issueLongTermToken({
    grant_type: "client_credentials",
    client_id: client.id,
    client_secret: client.clientSecret,
  });
  return data;
}

async function shortTermToken(scopes: string[]): Promise<string> {
  const long = await longTermToken();
  const api = new AuthApi(new Configuration({ basePath: tessera.url, accessToken: long.token }));
  return (await api.issueShortTermToken({ scopes })).data.access_token;
}

const pathOf = (exchange: Exchange | undefined) => new URL(exchange?.url ?? "").pathname;

describe("spec 004's issueLongTermToken example", () => {
  it("as printed: no request body, stepping up with the short-term token (tokens:write): 201", async () => {
    const short = await shortTermToken(["tokens:write"]);
    const { Configured, exchanges } = configured({ apiKey, accessToken: short });

    await issueLong.asPrinted(Configured);

    expect(exchanges).toHaveLength(1);
    const [exchange] = exchanges;
    expect(exchange).toMatchObject({ method: "POST", status: 201, body: undefined });
    expect(pathOf(exchange)).toBe("/auth/tokens/long");
    expect(exchange?.headers).toMatchObject({
      "x-api-key": apiKey,
      authorization: `Bearer ${short}`,
    });
    expect(exchange?.responseHeaders["x-token-id"]).toMatch(/^lt_/);
  });

  it("filled in: the client secret in the body: 201", async () => {
    const { Configured, exchanges } = configured({ apiKey });

    await issueLong.filledIn(Configured, {
      grant_type: "client_credentials",
      client_id: client.id,
      client_secret: client.clientSecret,
    });

    expect(exchanges.map((exchange) => exchange.status)).toEqual([201]);
    expect(exchanges[0]?.headers["content-type"]).toBe("application/json");
  });
});

describe("spec 004's issueShortTermToken example", () => {
  it("as printed: no request body, the long-term token as Bearer: 201", async () => {
    const long = await longTermToken();
    const { Configured, exchanges } = configured({ accessToken: long.token });

    await issueShort.asPrinted(Configured);

    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({ method: "POST", status: 201, body: undefined });
    expect(pathOf(exchanges[0])).toBe("/auth/tokens/short");
    expect(exchanges[0]?.headers.authorization).toBe(`Bearer ${long.token}`);
  });

  it("filled in: narrowed scopes: 201", async () => {
    const long = await longTermToken();
    const { Configured, exchanges } = configured({ accessToken: long.token });

    await issueShort.filledIn(Configured, { scopes: ["tokens:write"], ttl_seconds: 300 });

    expect(exchanges.map((exchange) => exchange.status)).toEqual([201]);
    expect(JSON.parse(exchanges[0]?.body ?? "")).toEqual({
      scopes: ["tokens:write"],
      ttl_seconds: 300,
    });
  });
});

describe("spec 004's revokeToken example", () => {
  it("as printed: tokenId unassigned is RequiredError, as the generated client throws, and nothing is sent", async () => {
    const long = await longTermToken();
    const { Configured, exchanges } = configured({ accessToken: long.token });

    const error = await revoke.asPrinted(Configured).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RequiredError);
    expect(error).toMatchObject({
      name: "RequiredError",
      field: "tokenId",
      message: "Required parameter tokenId was null or undefined when calling revokeToken.",
    });
    expect(exchanges).toEqual([]);
  });

  it("filled in: 204 with no content", async () => {
    const long = await longTermToken();
    const { Configured, exchanges } = configured({ accessToken: long.token });

    await revoke.filledIn(Configured, long.token_id);

    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({ method: "POST", status: 204, body: undefined });
    expect(pathOf(exchanges[0])).toBe(`/auth/tokens/${long.token_id}/revoke`);
  });
});
