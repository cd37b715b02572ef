/**
 * What a client may be: readable ids, grant types, auth methods and their
 * secret, and the combinations refused before anything is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import { createApiKey } from "../api-keys.js";
import { TesseraError } from "../errors.js";
import { parseTokenEndpointAuthMethod } from "./auth-methods.js";
import { clientClaimScope, parseChosenClientId } from "./client-ids.js";
import { deriveClientName } from "./client-names.js";
import { createClient, findClient, listClients, type NewClientInput } from "./clients.js";
import { parseGrantTypes } from "./grant-types.js";
import { rotateClientSecret, updateClient } from "./update-client.js";

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const ES256_JWK = JSON.stringify({
  kty: "EC",
  crv: "P-256",
  x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
  y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
});

/** The refusal `work` ends in: its code and message. */
async function refusal(work: Promise<unknown>): Promise<{ code: string; message: string }> {
  const outcome = await work.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(TesseraError);
  const { code, message } = outcome as TesseraError;
  return { code, message };
}

describe("grant types and auth methods, parsed", () => {
  it("keeps RFC names once each, in one order, and refuses an unknown one or none", () => {
    expect(parseGrantTypes([JWT_BEARER, "password", "password", TOKEN_EXCHANGE])).toEqual([
      "password",
      TOKEN_EXCHANGE,
      JWT_BEARER,
    ]);
    expect(() => parseGrantTypes(["authorization_code"])).toThrow(
      /Unknown grant type authorization_code; the grant types are password, refresh_token, client_credentials/,
    );
    expect(() => parseGrantTypes([])).toThrow("A client needs at least one grant type");
  });

  it("knows the four auth methods and no other", () => {
    expect(parseTokenEndpointAuthMethod("private_key_jwt")).toBe("private_key_jwt");
    expect(() => parseTokenEndpointAuthMethod("client_secret_jwt")).toThrow(
      "Unknown auth method client_secret_jwt; the auth methods are client_secret_basic, client_secret_post, private_key_jwt, none",
    );
  });
});

describe("client ids and names", () => {
  it("takes a readable id safe in URLs and Basic credentials, and refuses the rest", () => {
    expect(parseChosenClientId("ci-bot")).toBe("ci-bot");
    expect(parseChosenClientId("A.b_c-9")).toBe("A.b_c-9");
    for (const bad of ["", "ci:bot", "ci bot", ".hidden", "..", "-x", "x".repeat(65), "é"]) {
      expect(() => parseChosenClientId(bad), bad).toThrow(/a client id is 1-64 letters/);
    }
    // A generated id's shape is reserved: a chosen one could copy another tenant's.
    expect(() => parseChosenClientId("abcdefghijklmnopqrstuvwxyz")).toThrow(/generated id/);
  });

  it("scopes one-time claims by tenant for every id but a generated one", () => {
    const tenantId = TENANT;
    expect(clientClaimScope({ tenantId, id: "ci-bot" as never })).toBe("default/ci-bot");
    const generated = "abcdefghijklmnopqrstuvwxyz" as never;
    expect(clientClaimScope({ tenantId, id: generated })).toBe(generated);
  });

  it("derives a name from free text, or falls back, counting past taken ones", () => {
    const none = () => false;
    expect(deriveClientName("web app 2026", none, "apikey-x")).toBe("web-app-2026");
    expect(deriveClientName("  ++ ", none, "apikey-x")).toBe("apikey-x");
    expect(deriveClientName("", none, "apikey-x")).toBe("apikey-x");
    expect(deriveClientName("web", (n) => n === "web" || n === "web-2", "f")).toBe("web-3");
  });
});

describe("clients in the core", () => {
  let h: Harness;
  let count = 0;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const name = () => `shape-${++count}`;
  const add = (input: Partial<NewClientInput> = {}) =>
    createClient(h.runtime.ctx, { tenantId: TENANT, name: name(), scopes: [], ...input });

  it("gives a confidential client a secret and the token API's grants by default", async () => {
    const { client, clientSecret } = await add();
    expect(client).toMatchObject({
      grantTypes: ["client_credentials", JWT_BEARER],
      tokenEndpointAuthMethod: "client_secret_basic",
    });
    expect(clientSecret).toMatch(/^tsr_cs_/);
    expect(client.secretPrefix).toBe(clientSecret?.slice(0, 12));
  });

  it("gives a public client no secret and the session API's grants by default", async () => {
    const { client, clientSecret } = await add({ tokenEndpointAuthMethod: "none" });
    expect(clientSecret).toBeNull();
    expect(client).toMatchObject({
      grantTypes: ["password", "refresh_token"],
      tokenEndpointAuthMethod: "none",
      secretHash: null,
      secretPrefix: null,
    });
  });

  it("creates a client under a readable id, found by it, and refuses the id or a clash taken", async () => {
    const { client } = await add({ id: "ci-bot", name: "ci-bot" });
    expect(client.id).toBe("ci-bot");
    expect(await findClient(h.runtime.ctx, TENANT, "ci-bot")).toEqual(client);

    expect(await refusal(add({ id: "ci-bot" }))).toEqual({
      code: "conflict",
      message: "The tenant already has a client with id ci-bot",
    });
    const named = await add({ name: "release-bot" });
    expect(await refusal(add({ id: "release-bot" }))).toEqual({
      code: "conflict",
      message: "Client id release-bot is another client's name",
    });
    expect(await refusal(add({ id: "other-bot", name: "ci-bot" }))).toMatchObject({
      code: "conflict",
    });
    const byId = await add({ id: "deploy-id" });
    expect(await refusal(add({ name: "deploy-id" }))).toEqual({
      code: "conflict",
      message: "Client name deploy-id is another client's id",
    });
    expect(
      await refusal(
        updateClient(h.runtime.ctx, {
          tenantId: TENANT,
          client: named.client.id,
          name: byId.client.id,
        }),
      ),
    ).toMatchObject({ code: "conflict" });
  });

  it.each([
    [
      "client_credentials on a public client",
      { tokenEndpointAuthMethod: "none", grantTypes: ["client_credentials"] },
      "A public client (auth method none) cannot use the client_credentials grant: that grant needs a client that authenticates",
    ],
    [
      "jwt-bearer on a public client",
      { tokenEndpointAuthMethod: "none", grantTypes: ["password", JWT_BEARER] },
      `A public client (auth method none) cannot use the ${JWT_BEARER} grant: that grant needs a client that authenticates`,
    ],
    [
      "token exchange on a public client",
      {
        tokenEndpointAuthMethod: "none",
        grantTypes: ["password", "refresh_token", TOKEN_EXCHANGE],
      },
      `A public client (auth method none) cannot use the ${TOKEN_EXCHANGE} grant: that grant needs a client that authenticates`,
    ],
    [
      "private_key_jwt without a registered key",
      { tokenEndpointAuthMethod: "private_key_jwt" },
      "The auth method private_key_jwt needs at least one registered public key",
    ],
    [
      "a TOTP enrolment without client_credentials",
      { grantTypes: ["password"], otp: true },
      "A TOTP enrolment proves a client for the client_credentials grant: allow that grant, or remove the enrolment",
    ],
  ] as const)("refuses %s, storing nothing", async (_label, input, message) => {
    const before = (await listClients(h.runtime.ctx, TENANT)).length;
    expect(await refusal(add(input as Partial<NewClientInput>))).toEqual({
      code: "invalid_request",
      message,
    });
    expect(await listClients(h.runtime.ctx, TENANT)).toHaveLength(before);
  });

  it("refuses token exchange to an API key's public client, and takes it once the client has a secret", async () => {
    const { client } = await createApiKey(h.runtime.ctx, {
      tenantId: TENANT,
      name: "exchange-web",
    });
    const withExchange = ["password", "refresh_token", TOKEN_EXCHANGE];
    expect(
      await refusal(
        updateClient(h.runtime.ctx, {
          tenantId: TENANT,
          client: client.id,
          grantTypes: withExchange,
        }),
      ),
    ).toMatchObject({ code: "invalid_request", message: expect.stringContaining(TOKEN_EXCHANGE) });
    const confidential = await updateClient(h.runtime.ctx, {
      tenantId: TENANT,
      client: client.id,
      grantTypes: withExchange,
      tokenEndpointAuthMethod: "client_secret_basic",
    });
    expect(confidential.clientSecret).toMatch(/^tsr_cs_/);
    expect(confidential.client.grantTypes).toEqual(withExchange);
  });

  it("lets a private_key_jwt client have no secret, and keeps its last key", async () => {
    const { client, clientSecret } = await add({
      tokenEndpointAuthMethod: "private_key_jwt",
      publicKeys: [ES256_JWK],
    });
    expect(clientSecret).toBeNull();
    expect(client.secretHash).toBeNull();
    const kid = client.publicKeys[0]?.kid ?? "";
    expect(
      await refusal(
        updateClient(h.runtime.ctx, {
          tenantId: TENANT,
          client: client.id,
          removePublicKeys: [kid],
        }),
      ),
    ).toMatchObject({ code: "invalid_request", message: expect.stringMatching(/private_key_jwt/) });
  });

  it("makes a secret when the auth method needs one, drops it when it no longer does", async () => {
    const { client } = await add({ tokenEndpointAuthMethod: "none" });
    expect(
      await refusal(rotateClientSecret(h.runtime.ctx, { tenantId: TENANT, client: client.id })),
    ).toMatchObject({ code: "invalid_request", message: expect.stringMatching(/has no secret/) });

    const given = await updateClient(h.runtime.ctx, {
      tenantId: TENANT,
      client: client.id,
      tokenEndpointAuthMethod: "client_secret_post",
      grantTypes: ["client_credentials"],
    });
    expect(given.clientSecret).toMatch(/^tsr_cs_/);
    expect(given.client.secretPrefix).toBe(given.clientSecret?.slice(0, 12));

    const kept = await updateClient(h.runtime.ctx, {
      tenantId: TENANT,
      client: client.id,
      tokenEndpointAuthMethod: "client_secret_basic",
    });
    expect(kept.clientSecret).toBeUndefined();
    expect(kept.client.secretHash).toBe(given.client.secretHash);

    const dropped = await updateClient(h.runtime.ctx, {
      tenantId: TENANT,
      client: client.id,
      tokenEndpointAuthMethod: "none",
      grantTypes: ["password"],
    });
    expect(dropped.client).toMatchObject({ secretHash: null, secretPrefix: null });
    expect(dropped.clientSecret).toBeUndefined();
  });

  it("makes a public client for a key created without one, named after the key", async () => {
    const made = await createApiKey(h.runtime.ctx, { tenantId: TENANT, name: "web app 2026" });
    expect(made.clientCreated).toBe(true);
    expect(made.client).toMatchObject({
      name: "web-app-2026",
      tokenEndpointAuthMethod: "none",
      grantTypes: ["password", "refresh_token"],
      secretHash: null,
    });
    const again = await createApiKey(h.runtime.ctx, { tenantId: TENANT, name: "web app 2026" });
    expect(again.client.name).toBe("web-app-2026-2");

    const joined = await createApiKey(h.runtime.ctx, { tenantId: TENANT, client: "web-app-2026" });
    expect(joined).toMatchObject({ clientCreated: false, client: made.client });
    const listed = await listClients(h.runtime.ctx, TENANT);
    expect(listed.find((l) => l.client.id === made.client.id)?.apiKeys).toBe(2);

    const unnamed = await createApiKey(h.runtime.ctx, { tenantId: TENANT });
    expect(unnamed.client.name).toBe("app");
    const next = await createApiKey(h.runtime.ctx, { tenantId: TENANT, name: "++" });
    expect(next.client.name).toBe("app-2");
  });

  it("refuses a key for a client the tenant does not have", async () => {
    expect(
      await refusal(createApiKey(h.runtime.ctx, { tenantId: TENANT, client: "no-such-client" })),
    ).toEqual({ code: "not_found", message: "No client no-such-client" });
  });
});
