import axios from "axios";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateClients, typeCheckGenerated } from "./support/generate-clients.js";
import { loadFlows, type SessionApiTarget, type TokenApiTarget } from "./support/generated-flow.js";
import { addApiKey, addClient, addUser, PASSWORD } from "./support/provision.js";
import { type RecordingRelay, startRecordingRelay } from "./support/recording-relay.js";
import { startTessera, type Tessera } from "./support/tessera.js";

// Clients generated from the served /openapi.json, at test time and
// unmodified, drive spec 004's token API and spec 001's session API on a
// real server: a document that generators misread, or a change to it that
// breaks generated code, fails here rather than in a user's build.

/** Each generator, and the module of flows written against what it generates. */
const GENERATORS = [
  { name: "@hey-api/openapi-ts (fetch client)", flows: "hey-api" },
  { name: "openapi-typescript + openapi-fetch", flows: "openapi-fetch" },
] as const;

let tessera: Tessera;
let target: TokenApiTarget;
/** Each session flow logs in as a user of its own, so one flow's refusals cannot lock out another. */
let users = 0;

beforeAll(async () => {
  tessera = await startTessera();
  const client = addClient(tessera, "generated-clients", ["--scopes", "tokens:write"]);
  target = {
    baseUrl: tessera.url,
    apiKey: addApiKey(tessera, "generated-clients"),
    clientId: client.id,
    clientSecret: client.clientSecret,
  };
  const response = await fetch(`${tessera.url}/openapi.json`);
  expect(response.status).toBe(200);
  const document = (await response.json()) as Record<string, unknown>;
  expect(document.openapi).toBe("3.1.0");
  await generateClients(document);
});
afterAll(async () => {
  await tessera?.stop();
});

function newUser(): SessionApiTarget {
  users += 1;
  const username = `generated-user-${users}`;
  addUser(tessera, username);
  return { baseUrl: target.baseUrl, apiKey: target.apiKey, username, password: PASSWORD };
}

describe("clients generated from /openapi.json", () => {
  it("type-check with the flows that use them under tsc --strict", async () => {
    const check = await typeCheckGenerated();
    expect(check.output).toBe("");
    expect(check.passed).toBe(true);
  });

  describe.each(GENERATORS)("$name", ({ flows }) => {
    it("issues, lists and revokes tokens, and reads a refused secret's problem (spec 004)", async () => {
      await (await loadFlows(flows)).tokenApi(target);
    });

    it("logs in with credentials in the body and with Basic and no body, refreshes, logs out, and reads a refusal (spec 001)", async () => {
      await (await loadFlows(flows)).sessionApi(newUser());
    });
  });
});

describe("axios, as the axios-based generators call revokeToken", () => {
  let relay: RecordingRelay;

  beforeAll(async () => {
    relay = await startRecordingRelay(tessera.url);
  });
  afterAll(async () => {
    await relay?.close();
  });

  it("gets 204 for a POST without data, sent as an empty form-encoded body", async () => {
    const issue = await axios.post<{ token: string; token_id: string }>(
      `${tessera.url}/auth/tokens/long`,
      {
        grant_type: "client_credentials",
        client_id: target.clientId,
        client_secret: target.clientSecret,
      },
      { headers: { "X-API-Key": target.apiKey } },
    );
    expect(issue.status).toBe(201);
    const { token, token_id: tokenId } = issue.data;

    // How the axios-based generators (openapi-generator's typescript-axios, orval, zodios) call
    // an operation without a request body: a POST with no data.
    const revoked = await axios.post(`${relay.url}/auth/tokens/${tokenId}/revoke`, undefined, {
      headers: { Authorization: `Bearer ${token}` },
      validateStatus: () => true,
    });

    expect(revoked.status, JSON.stringify(revoked.data)).toBe(204);
    const [sent, ...more] = relay.requests();
    expect(more).toEqual([]);
    expect(sent?.requestLine).toBe(`POST /auth/tokens/${tokenId}/revoke HTTP/1.1`);
    expect(sent?.headers).toMatchObject({
      "content-type": "application/x-www-form-urlencoded",
      "content-length": "0",
    });
    expect(sent?.bodyLength).toBe(0);

    const after = await axios.get(`${tessera.url}/auth/tokens`, {
      headers: { Authorization: `Bearer ${token}` },
      validateStatus: () => true,
    });
    expect(after.status).toBe(401);
  });
});
