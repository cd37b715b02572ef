import { randomUUID } from "node:crypto";
import { type CryptoKey, exportSPKI, generateKeyPair, SignJWT } from "jose";
import * as oauth from "oauth4webapi";
import * as client from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, TENANT } from "../../../test/support/harness.js";
import { type ListeningHarness, startListeningHarness } from "../../../test/support/oauth.js";
import { createClient } from "../../core/clients/clients.js";
import { JWT_BEARER } from "../../core/clients/grant-types.js";
import { updateTenant } from "../../core/tenants.js";

/**
 * The jwt-bearer (RFC 7523 §2.1) and password (RFC 6749 §4.3) grants as
 * standard clients use them, unmodified, over a real listening server:
 * openid-client 6's `genericGrantRequest` and oauth4webapi 3's
 * `genericTokenEndpointRequest`, each processing and validating the answer
 * (the password grant's ID token included) by its own rules.
 */

let h: ListeningHarness;
let keyed: { readonly id: string; readonly privateKey: CryptoKey };
/** A confidential client registered for password and refresh_token (public ones may not log in). */
let backend: { readonly id: string; readonly secret: string };

beforeAll(async () => {
  h = await startListeningHarness();
  const pair = await generateKeyPair("ES256", { extractable: true });
  const created = await createClient(h.runtime.ctx, {
    tenantId: TENANT,
    name: "bearer-bot",
    scopes: ["deploy:read", "deploy:write"],
    tokenEndpointAuthMethod: "private_key_jwt",
    grantTypes: [JWT_BEARER],
    publicKeys: [await exportSPKI(pair.publicKey)],
  });
  keyed = { id: created.client.id, privateKey: pair.privateKey };
  const made = await createClient(h.runtime.ctx, {
    tenantId: TENANT,
    name: "password-backend",
    scopes: [],
    grantTypes: ["password", "refresh_token"],
  });
  backend = { id: made.client.id, secret: made.clientSecret ?? "" };
  await h.addUser("frank");
  await updateTenant(h.runtime.ctx, TENANT, { oauthPasswordGrant: true });
});
afterAll(async () => {
  await h.close();
});

const insecure = { execute: [client.allowInsecureRequests] };
const options = { [oauth.allowInsecureRequests]: true };

/** A grant assertion the client signs itself: iss = sub = its id, aud the token endpoint. */
function grantAssertion(audience = `${h.issuer}/oauth/token`): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "ES256" })
    .setIssuer(keyed.id)
    .setSubject(keyed.id)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime("1m")
    .setJti(randomUUID())
    .sign(keyed.privateKey);
}

async function discoverWithOauth4webapi() {
  const issuer = new URL(h.issuer);
  const response = await oauth.discoveryRequest(issuer, { algorithm: "oidc", ...options });
  return oauth.processDiscoveryResponse(issuer, response);
}

describe("jwt-bearer", () => {
  it("openid-client gets a token by genericGrantRequest, with the assertion alone (client_id beside it)", async () => {
    const config = await client.discovery(
      new URL(h.issuer),
      keyed.id,
      undefined,
      client.None(),
      insecure,
    );
    expect(config.serverMetadata().grant_types_supported).toContain(JWT_BEARER);
    const tokens = await client.genericGrantRequest(config, JWT_BEARER, {
      assertion: await grantAssertion(h.issuer),
      scope: "deploy:read",
    });
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.scope).toBe("deploy:read");
    const as = await discoverWithOauth4webapi();
    const request = new Request("https://api.example.test/deployments", {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    const claims = await oauth.validateJwtAccessToken(as, request, h.issuer, options);
    expect(claims).toMatchObject({ sub: keyed.id, client_id: keyed.id, scope: "deploy:read" });
  });

  it("openid-client gets a token with private_key_jwt client authentication beside the grant", async () => {
    const config = await client.discovery(
      new URL(h.issuer),
      keyed.id,
      undefined,
      client.PrivateKeyJwt(keyed.privateKey),
      insecure,
    );
    const tokens = await client.genericGrantRequest(config, JWT_BEARER, {
      assertion: await grantAssertion(),
    });
    expect(tokens.scope).toBe("deploy:read deploy:write");
  });

  it("oauth4webapi gets a token by genericTokenEndpointRequest, and reports a replay as invalid_grant", async () => {
    const as = await discoverWithOauth4webapi();
    const self = { client_id: keyed.id };
    const presented = await grantAssertion();
    const send = () =>
      oauth.genericTokenEndpointRequest(
        as,
        self,
        oauth.None(),
        JWT_BEARER,
        { assertion: presented },
        options,
      );
    const tokens = await oauth.processGenericTokenEndpointResponse(as, self, await send());
    expect(tokens.token_type).toBe("bearer");
    await expect(
      oauth.processGenericTokenEndpointResponse(as, self, await send()),
    ).rejects.toMatchObject({ error: "invalid_grant", status: 400 });
  });
});

describe("password", () => {
  it("openid-client logs a user in by genericGrantRequest, checks the ID token, and refreshes", async () => {
    const config = await client.discovery(
      new URL(h.issuer),
      backend.id,
      undefined,
      client.ClientSecretPost(backend.secret),
      insecure,
    );
    expect(config.serverMetadata().grant_types_supported).toContain("password");
    // openid-client validates the ID token it gets: issuer, aud = this client, exp, iat.
    const tokens = await client.genericGrantRequest(config, "password", {
      username: "frank",
      password: PASSWORD,
      scope: "openid",
    });
    expect(tokens.claims()).toMatchObject({ iss: h.issuer, aud: backend.id, username: "frank" });
    expect(tokens.scope).toBe("openid");
    const refreshed = await client.refreshTokenGrant(config, String(tokens.refresh_token));
    expect(refreshed.claims()).toMatchObject({ aud: backend.id, sid: tokens.claims()?.sid });
  });

  it("openid-client reports a wrong password as invalid_grant", async () => {
    const config = await client.discovery(
      new URL(h.issuer),
      backend.id,
      undefined,
      client.ClientSecretPost(backend.secret),
      insecure,
    );
    await expect(
      client.genericGrantRequest(config, "password", { username: "frank", password: "wrong" }),
    ).rejects.toMatchObject({ error: "invalid_grant", status: 400 });
  });

  it("oauth4webapi logs a user in by genericTokenEndpointRequest, its ID token validated", async () => {
    const as = await discoverWithOauth4webapi();
    const self = { client_id: backend.id };
    const response = await oauth.genericTokenEndpointRequest(
      as,
      self,
      oauth.ClientSecretBasic(backend.secret),
      "password",
      { username: "frank", password: PASSWORD },
      options,
    );
    const tokens = await oauth.processGenericTokenEndpointResponse(as, self, response);
    expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({
      iss: h.issuer,
      aud: backend.id,
    });
    expect(tokens.refresh_token).toMatch(/^tsr_rt_/);
  });
});
