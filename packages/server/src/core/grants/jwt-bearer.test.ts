import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import {
  assertion,
  hs256Copy,
  lastAudit,
  newSigningKey,
  type SigningKey,
  type TestClient,
  unsignedCopy,
} from "../../../test/support/token-api.js";
import { authenticateClient } from "../clients/authenticate-client.js";
import { createClient } from "../clients/clients.js";
import { CLIENT_CREDENTIALS, JWT_BEARER } from "../clients/grant-types.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import { introspectToken } from "../tokens/registry.js";
import { issueJwtBearerToken, proveJwtBearerClient } from "./jwt-bearer.js";

const ISSUER = "https://auth.example.test/tenants/default";
const TOKEN_URL = `${ISSUER}/oauth/token`;
const AUDIENCES = [ISSUER, TOKEN_URL];
const IP = "192.0.2.8";

let h: Harness;
let tenant: TenantRecord;
let key: SigningKey;
/** A private_key_jwt client registered for jwt-bearer. */
let keyed: ClientRecord;
/** A client_secret_basic client with the same kind of key, registered for jwt-bearer too. */
let secretKeyed: ClientRecord;
let secretKey: SigningKey;

async function keyedClient(
  name: string,
  signing: SigningKey,
  extra: { tokenEndpointAuthMethod?: "private_key_jwt"; grantTypes?: string[] } = {},
): Promise<ClientRecord> {
  const { client } = await createClient(h.runtime.ctx, {
    tenantId: TENANT,
    name,
    scopes: ["deploy:read", "deploy:write"],
    publicKeys: [signing.pem],
    ...extra,
  });
  return client;
}

beforeAll(async () => {
  // Room for every refusal below: the step-up throttle is the token API's, tested there.
  h = await startHarness({ TESSERA_STEP_UP_MAX_FAILURES_PER_CLIENT: "100" });
  const found = await h.runtime.ctx.store.tenants.get(TENANT);
  if (found === undefined) {
    throw new Error("no default tenant");
  }
  tenant = found;
  key = await newSigningKey("ES256");
  secretKey = await newSigningKey("EdDSA");
  keyed = await keyedClient("bearer-keyed", key, { tokenEndpointAuthMethod: "private_key_jwt" });
  secretKeyed = await keyedClient("bearer-secret", secretKey);
});
afterAll(async () => {
  await h.close();
});

const asTest = (client: ClientRecord): TestClient => ({
  id: client.id,
  name: client.name,
  secret: "",
  otpauthUri: undefined,
});

/** A grant assertion of `client`, for the token endpoint, valid now. */
const grantAssertion = (
  client: ClientRecord = keyed,
  signing: SigningKey = key,
  claims: Record<string, unknown> = {},
) => assertion(h, asTest(client), signing, { aud: TOKEN_URL, ...claims });

const prove = (
  presented: string,
  extra: { readonly client?: ClientRecord; readonly clientId?: string } = {},
) =>
  proveJwtBearerClient(h.runtime.ctx, {
    tenant,
    assertion: presented,
    audiences: AUDIENCES,
    ip: IP,
    ...extra,
  });

describe("proveJwtBearerClient and issueJwtBearerToken", () => {
  it("identify a private_key_jwt client by its assertion alone, and issue its RFC 9068 token", async () => {
    const client = await prove(await grantAssertion());
    expect(client.id).toBe(keyed.id);
    const issued = await issueJwtBearerToken(h.runtime.ctx, {
      tenant,
      client,
      ip: IP,
      scopes: ["deploy:read"],
    });
    const jwks = createLocalJWKSet({
      keys: [...(await h.runtime.ctx.keyring.jwks(TENANT)).keys],
    });
    const { payload, protectedHeader } = await jwtVerify(issued.accessToken, jwks, {
      issuer: ISSUER,
      audience: ISSUER,
      typ: "at+jwt",
      algorithms: ["ES256"],
      currentDate: new Date(h.clock.now()),
    });
    expect(protectedHeader.typ).toBe("at+jwt");
    expect(payload).toEqual({
      iss: ISSUER,
      sub: keyed.id,
      aud: ISSUER,
      client_id: keyed.id,
      scope: "deploy:read",
      iat: Math.floor(h.clock.now() / 1000),
      exp: Math.floor(h.clock.now() / 1000) + tenant.accessTokenTtlSeconds,
      jti: issued.jti,
    });
    expect((await lastAudit(h, "token.issued"))?.detail).toMatchObject({
      clientId: keyed.id,
      grant: JWT_BEARER,
      jti: issued.jti,
    });
    expect(
      await introspectToken(h.runtime.ctx, issued.accessToken, { tenantId: TENANT }),
    ).toMatchObject({ active: true, kind: "client_access_token", clientId: keyed.id });
  });

  it("take the issuer as aud too, and an assertion beside the client that authenticated", async () => {
    expect((await prove(await grantAssertion(keyed, key, { aud: ISSUER }))).id).toBe(keyed.id);
    expect((await prove(await grantAssertion(), { client: keyed })).id).toBe(keyed.id);
    expect(
      (await prove(await grantAssertion(secretKeyed, secretKey), { client: secretKeyed })).id,
    ).toBe(secretKeyed.id);
  });

  it("refuse another client's assertion beside an authenticated client, without spending it", async () => {
    const theirs = await grantAssertion();
    await expect(prove(theirs, { client: secretKeyed })).rejects.toMatchObject({
      code: "invalid_token",
      message: "The assertion's iss must be the id of the client that authenticated",
    });
    expect((await prove(theirs)).id).toBe(keyed.id);
  });

  it("refuse a client registered for a secret that sends no client authentication", async () => {
    await expect(prove(await grantAssertion(secretKeyed, secretKey))).rejects.toMatchObject({
      code: "invalid_credentials",
    });
    expect((await lastAudit(h, "client.step_up_failed"))?.detail).toMatchObject({
      clientId: secretKeyed.id,
      reason: "client_authentication_missing",
    });
  });

  it("refuse a client_id beside the assertion that is not its iss", async () => {
    await expect(prove(await grantAssertion(), { clientId: secretKeyed.id })).rejects.toMatchObject(
      { code: "invalid_request" },
    );
    expect((await prove(await grantAssertion(), { clientId: keyed.id })).id).toBe(keyed.id);
  });

  it("refuse a client not registered for jwt-bearer as forbidden, authenticated or not", async () => {
    const other = await newSigningKey("ES256");
    const machine = await keyedClient("bearer-not-allowed", other, {
      tokenEndpointAuthMethod: "private_key_jwt",
      grantTypes: [CLIENT_CREDENTIALS],
    });
    await expect(prove(await grantAssertion(machine, other))).rejects.toMatchObject({
      code: "forbidden",
    });
    await expect(
      prove(await grantAssertion(machine, other), { client: machine }),
    ).rejects.toMatchObject({ code: "forbidden" });
  });

  it("refuse a replayed jti, also one first spent as client authentication", async () => {
    const once = await grantAssertion();
    await prove(once);
    await expect(prove(once)).rejects.toMatchObject({
      code: "invalid_token",
      message: "The assertion's jti was already used: sign a new assertion for every request",
    });
    const spentOnAuthentication = await grantAssertion();
    const { client } = await authenticateClient(h.runtime.ctx, {
      tenant,
      ip: IP,
      methods: ["private_key_jwt"],
      presented: {
        method: "private_key_jwt",
        assertion: spentOnAuthentication,
        audiences: AUDIENCES,
      },
    });
    await expect(prove(spentOnAuthentication, { client })).rejects.toMatchObject({
      code: "invalid_token",
      message: "The assertion's jti was already used: sign a new assertion for every request",
    });
  });

  const now = () => Math.floor(h.clock.now() / 1000);
  it.each<[string, () => Promise<string>, string]>([
    ["garbage", async () => "not-a-jwt", "The assertion is not a signed JWT"],
    [
      "alg none",
      async () => unsignedCopy(await grantAssertion()),
      "The assertion's alg is not allowed: sign it with RS256, ES256 or EdDSA",
    ],
    [
      "HS256 keyed with the registered public key",
      async () => hs256Copy(await grantAssertion(), key.pem),
      "The assertion's alg is not allowed: sign it with RS256, ES256 or EdDSA",
    ],
    [
      "a key the client never registered",
      async () => grantAssertion(keyed, await newSigningKey("ES256")),
      "The assertion does not verify",
    ],
    [
      "another client's key",
      async () => grantAssertion(keyed, secretKey),
      "The assertion does not verify",
    ],
    [
      "an unknown iss",
      async () => grantAssertion(keyed, key, { iss: "no-such-client", sub: "no-such-client" }),
      "The assertion does not verify",
    ],
    [
      "an expired exp",
      async () => grantAssertion(keyed, key, { exp: now() - 60 }),
      "The assertion has expired",
    ],
    [
      "an exp too far ahead",
      async () => grantAssertion(keyed, key, { exp: now() + 3600 }),
      "The assertion's exp is more than 300 seconds ahead",
    ],
    [
      "a wrong aud",
      async () => grantAssertion(keyed, key, { aud: "https://elsewhere.example.test" }),
      "The assertion's aud must be the tenant's issuer or its token endpoint",
    ],
    [
      "a sub naming a user",
      async () => grantAssertion(keyed, key, { sub: "alice" }),
      "The assertion's sub must be the client's own id: a client may not assert users",
    ],
    [
      "no jti",
      async () => grantAssertion(keyed, key, { jti: undefined }),
      "The assertion lacks a required claim",
    ],
  ])(
    "refuse an assertion with %s as invalid_token, quoting nothing of it",
    async (_, make, says) => {
      const presented = await make();
      const refusal = await prove(presented).then(
        () => undefined,
        (error: unknown) => error as { code: string; message: string },
      );
      expect(refusal?.code).toBe("invalid_token");
      expect(refusal?.message.startsWith(says), refusal?.message).toBe(true);
      const claims = presented.includes(".") ? presented.split(".")[1] : presented;
      expect(refusal?.message).not.toContain(claims);
      if (presented.includes(".")) {
        expect(refusal?.message).not.toContain(String(decodeJwt(presented).jti));
      }
    },
  );
});
