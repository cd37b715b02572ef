import type { LightMyRequestResponse } from "fastify";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import {
  clientBasic,
  expectOAuthError,
  ISSUER,
  postToken,
  TOKEN_URL,
} from "../../../test/support/oauth.js";
import {
  addClient,
  assertion,
  hs256Copy,
  newSigningKey,
  type SigningKey,
  type TestClient,
  unsignedCopy,
} from "../../../test/support/token-api.js";
import { createClient } from "../../core/clients/clients.js";
import { CLIENT_CREDENTIALS, JWT_BEARER } from "../../core/clients/grant-types.js";

/**
 * The JWT bearer grant (RFC 7523 §2.1) at the OAuth token endpoint, by
 * outcome, through `app.inject`: a client's own access token for an
 * assertion signed by one of its registered keys, with or without client
 * authentication beside it.
 */

const API = "https://api.example.test";

let h: Harness;
let key: SigningKey;
/** A private_key_jwt client, registered for jwt-bearer. */
let keyed: TestClient;
/** A client_secret_basic client with a registered key (the token API's default grants). */
let secret: TestClient;
let secretKey: SigningKey;

beforeAll(async () => {
  // Room for the refusals below: the step-up throttle is tested with the token API.
  h = await startHarness({ TESSERA_STEP_UP_MAX_FAILURES_PER_CLIENT: "100" });
  key = await newSigningKey("ES256");
  const created = await createClient(h.runtime.ctx, {
    tenantId: TENANT,
    name: "jwt-bearer-keyed",
    scopes: ["deploy:read", "deploy:write"],
    audiences: [API],
    tokenEndpointAuthMethod: "private_key_jwt",
    grantTypes: [JWT_BEARER],
    publicKeys: [key.pem],
  });
  keyed = { id: created.client.id, name: created.client.name, secret: "", otpauthUri: undefined };
  secretKey = await newSigningKey("RS256");
  secret = await addClient(h, { publicKeys: [secretKey.pem] });
});
afterAll(async () => {
  await h.close();
});

interface TokenAnswer {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly scope: string;
}

function ok(response: LightMyRequestResponse): TokenAnswer {
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers["cache-control"]).toBe("no-store");
  expect(response.headers.pragma).toBe("no-cache");
  return response.json<TokenAnswer>();
}

/** A grant assertion for the token endpoint, valid now. */
const signed = (
  client: TestClient = keyed,
  signing: SigningKey = key,
  claims: Record<string, unknown> = {},
) => assertion(h, client, signing, { aud: TOKEN_URL, ...claims });

const bearerGrant = (presented: string, extra: Record<string, string> = {}, headers = {}) =>
  postToken(h, { grant_type: JWT_BEARER, assertion: presented, ...extra }, headers);

describe("200: the client's own access token", () => {
  it("for a private_key_jwt client's assertion alone (RFC 7523 §3.1)", async () => {
    const answer = ok(await bearerGrant(await signed()));
    expect(answer).toMatchObject({
      token_type: "Bearer",
      expires_in: 3600,
      scope: "deploy:read deploy:write",
    });
    expect(Object.keys(answer).sort()).toEqual(
      ["access_token", "expires_in", "scope", "token_type"].sort(),
    );
    expect(decodeJwt(answer.access_token)).toMatchObject({
      iss: ISSUER,
      sub: keyed.id,
      client_id: keyed.id,
      aud: ISSUER,
    });
  });

  it("with its client_id beside it, aud the issuer, a narrower scope and an allowed resource", async () => {
    const answer = ok(
      await bearerGrant(await signed(keyed, key, { aud: ISSUER }), {
        client_id: keyed.id,
        scope: "deploy:read",
        resource: API,
      }),
    );
    expect(answer.scope).toBe("deploy:read");
    expect(decodeJwt(answer.access_token).aud).toBe(API);
  });

  it("for a client that authenticates by its registered method beside the assertion", async () => {
    const bySecret = await bearerGrant(
      await signed(secret, secretKey),
      {},
      { authorization: clientBasic(secret.id, secret.secret) },
    );
    expect(decodeJwt(ok(bySecret).access_token).sub).toBe(secret.id);
    const byAssertion = await bearerGrant(await signed(), {
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: await signed(),
    });
    expect(decodeJwt(ok(byAssertion).access_token).sub).toBe(keyed.id);
  });
});

describe("400", () => {
  it("asks for the assertion", async () => {
    const error = expectOAuthError(
      await postToken(h, { grant_type: JWT_BEARER, client_id: keyed.id }),
      400,
      "invalid_request",
    );
    expect(error.error_description).toBe("assertion is required");
  });

  it("answers invalid_request for a client_id that is not the assertion's iss", async () => {
    expectOAuthError(
      await bearerGrant(await signed(), { client_id: secret.id }),
      400,
      "invalid_request",
    );
  });

  const now = () => Math.floor(h.clock.now() / 1000);
  it.each<[string, () => Promise<string>, string]>([
    ["garbage", async () => "garbage", "The assertion is not a signed JWT"],
    ["alg none", async () => unsignedCopy(await signed()), "The assertion's alg is not allowed"],
    [
      "HS256 keyed with the registered public key",
      async () => hs256Copy(await signed(), key.pem),
      "The assertion's alg is not allowed",
    ],
    [
      "an expired exp",
      async () => signed(keyed, key, { exp: now() - 60 }),
      "The assertion has expired",
    ],
    [
      "a wrong aud",
      async () => signed(keyed, key, { aud: "https://elsewhere.example.test" }),
      "The assertion's aud must be",
    ],
    ["another client's key", async () => signed(keyed, secretKey), "The assertion does not verify"],
    [
      "a key nobody registered",
      async () => signed(keyed, await newSigningKey("ES256")),
      "The assertion does not verify",
    ],
    [
      "a sub naming a user",
      async () => signed(keyed, key, { sub: "alice" }),
      "The assertion's sub must be the client's own id: a client may not assert users",
    ],
  ])(
    "answers invalid_grant for an assertion with %s, quoting nothing of it",
    async (_, make, says) => {
      const presented = await make();
      const response = await bearerGrant(presented);
      const error = expectOAuthError(response, 400, "invalid_grant");
      expect(error.error_description.startsWith(says), error.error_description).toBe(true);
      for (const part of presented.split(".").filter((p) => p.length > 8)) {
        expect(response.body).not.toContain(part);
      }
    },
  );

  it("answers invalid_grant for a replayed jti", async () => {
    const once = await signed();
    ok(await bearerGrant(once));
    const error = expectOAuthError(await bearerGrant(once), 400, "invalid_grant");
    expect(error.error_description).toBe(
      "The assertion's jti was already used: sign a new assertion for every request",
    );
  });

  it("answers invalid_grant for another client's assertion beside an authenticated client", async () => {
    const response = await bearerGrant(
      await signed(),
      {},
      {
        authorization: clientBasic(secret.id, secret.secret),
      },
    );
    expectOAuthError(response, 400, "invalid_grant");
  });

  it("answers unauthorized_client for a client not registered for jwt-bearer", async () => {
    const other = await newSigningKey("ES256");
    const created = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "jwt-bearer-not-allowed",
      scopes: [],
      tokenEndpointAuthMethod: "private_key_jwt",
      grantTypes: [CLIENT_CREDENTIALS],
      publicKeys: [other.pem],
    });
    const machine = { ...keyed, id: created.client.id };
    expectOAuthError(await bearerGrant(await signed(machine, other)), 400, "unauthorized_client");
  });
});

describe("401", () => {
  it("refuses a client registered for a secret that sends the assertion alone", async () => {
    expectOAuthError(await bearerGrant(await signed(secret, secretKey)), 401, "invalid_client");
  });

  it("refuses a wrong secret beside a good assertion", async () => {
    const response = await bearerGrant(
      await signed(secret, secretKey),
      {},
      { authorization: clientBasic(secret.id, "tsr_cs_wrong") },
    );
    expectOAuthError(response, 401, "invalid_client");
  });
});
