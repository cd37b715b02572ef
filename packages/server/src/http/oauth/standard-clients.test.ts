import { type CryptoKey, createRemoteJWKSet, exportSPKI, generateKeyPair, jwtVerify } from "jose";
import * as oauth from "oauth4webapi";
import * as client from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionOf, TENANT } from "../../../test/support/harness.js";
import { type ListeningHarness, startListeningHarness } from "../../../test/support/oauth.js";
import { addClient, type TestClient } from "../../../test/support/token-api.js";
import { createClient } from "../../core/clients/clients.js";

/**
 * Tessera as standard clients see it, unmodified, over a real listening
 * server: openid-client 6 and oauth4webapi 3 discover the tenant (RFC 8414
 * and OpenID Connect), get tokens by the client credentials grant with each
 * client authentication method, and check them as a resource server would
 * (oauth4webapi's RFC 9068 validation, jose with the JWKS found through
 * discovery). The server is plain HTTP on loopback, which both libraries
 * allow only when told (`allowInsecureRequests`); nothing else is set.
 */

const API = "https://api.example.test";
const SCOPES = ["deploy:read", "deploy:write"];

let h: ListeningHarness;
let secretClient: TestClient;
let keyClient: TestClient;
let privateKey: CryptoKey;

beforeAll(async () => {
  h = await startListeningHarness();
  secretClient = await addClient(h, { scopes: SCOPES, audiences: [API] });
  const pair = await generateKeyPair("ES256", { extractable: true });
  privateKey = pair.privateKey;
  const keyed = await createClient(h.runtime.ctx, {
    tenantId: TENANT,
    name: "keyed",
    scopes: SCOPES,
    tokenEndpointAuthMethod: "private_key_jwt",
    publicKeys: [await exportSPKI(pair.publicKey)],
  });
  keyClient = { id: keyed.client.id, name: keyed.client.name, secret: "", otpauthUri: undefined };
});
afterAll(async () => {
  await h.close();
});

const insecure = { execute: [client.allowInsecureRequests] };

/** The issuer's metadata as oauth4webapi reads it, by `algorithm`. */
async function discoverWithOauth4webapi(algorithm: "oauth2" | "oidc") {
  const issuer = new URL(h.issuer);
  const response = await oauth.discoveryRequest(issuer, {
    algorithm,
    [oauth.allowInsecureRequests]: true,
  });
  return oauth.processDiscoveryResponse(issuer, response);
}

/** An access token as a resource server checks it with jose, its JWKS found by discovery. */
async function verifyAsResourceServer(token: string, audience: string) {
  const as = await discoverWithOauth4webapi("oauth2");
  const jwks = createRemoteJWKSet(new URL(String(as.jwks_uri)));
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer: h.issuer,
    audience,
    typ: "at+jwt",
    algorithms: ["ES256"],
  });
  return { payload, protectedHeader };
}

describe("discovery", () => {
  it.each(["oauth2", "oidc"] as const)(
    "openid-client discovers the tenant (algorithm %s)",
    async (algorithm) => {
      const config = await client.discovery(
        new URL(h.issuer),
        secretClient.id,
        secretClient.secret,
        undefined,
        { ...insecure, algorithm },
      );
      const metadata = config.serverMetadata();
      expect(metadata.issuer).toBe(h.issuer);
      expect(metadata.token_endpoint).toBe(`${h.issuer}/oauth/token`);
      expect(metadata.jwks_uri).toBe(`${h.issuer}/.well-known/jwks.json`);
    },
  );

  it.each(["oauth2", "oidc"] as const)(
    "oauth4webapi discovers the tenant (algorithm %s), listing only what is served",
    async (algorithm) => {
      const as = await discoverWithOauth4webapi(algorithm);
      expect(as).toMatchObject({
        issuer: h.issuer,
        // password is off until the tenant turns it on.
        grant_types_supported: [
          "client_credentials",
          "refresh_token",
          "urn:ietf:params:oauth:grant-type:token-exchange",
          "urn:ietf:params:oauth:grant-type:jwt-bearer",
        ],
        // `none`: a public client refreshes by its id (RFC 6749 §6).
        token_endpoint_auth_methods_supported: [
          "client_secret_basic",
          "client_secret_post",
          "private_key_jwt",
          "none",
        ],
        token_endpoint_auth_signing_alg_values_supported: ["RS256", "ES256", "EdDSA"],
        response_types_supported: [],
        id_token_signing_alg_values_supported: ["ES256"],
      });
      // Tessera's own scopes only: never what the tenant's clients hold.
      expect(as.scopes_supported).toEqual(["openid", "tokens:admin", "tokens:write"]);
      expect(as).toMatchObject({
        introspection_endpoint: `${h.issuer}/oauth/introspect`,
        revocation_endpoint: `${h.issuer}/oauth/revoke`,
        // Introspection needs an authorized caller (RFC 7662 §2.1): no `none`.
        introspection_endpoint_auth_methods_supported: [
          "client_secret_basic",
          "client_secret_post",
          "private_key_jwt",
        ],
        // A public client may revoke its own tokens (RFC 7009 §2.1).
        revocation_endpoint_auth_methods_supported: [
          "client_secret_basic",
          "client_secret_post",
          "private_key_jwt",
          "none",
        ],
      });
      expect(as).not.toHaveProperty("authorization_endpoint");
    },
  );

  it("serves no metadata without the tenant: its issuer would not be the one RFC 8414 derives there", async () => {
    const derived = await fetch(
      `${h.publicUrl}/.well-known/oauth-authorization-server/tenants/default`,
    );
    expect(derived.status).toBe(200);
    expect(((await derived.json()) as { issuer: string }).issuer).toBe(
      `${h.publicUrl}/tenants/default`,
    );
    for (const path of [
      "/.well-known/openid-configuration",
      "/.well-known/oauth-authorization-server",
    ]) {
      const response = await fetch(`${h.publicUrl}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ error: "invalid_request" });
    }
    // oauth4webapi, given the public URL as the issuer, finds no metadata rather than a mismatch.
    await expect(
      oauth.discoveryRequest(new URL(h.publicUrl), { [oauth.allowInsecureRequests]: true }),
    ).resolves.toMatchObject({ status: 404 });
  });

  it("still serves the default tenant's endpoints without the prefix", async () => {
    const response = await fetch(`${h.publicUrl}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: secretClient.id,
        client_secret: secretClient.secret,
      }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { token_type: string }).token_type).toBe("Bearer");
  });

  it("answers 404 for an unknown tenant, which openid-client reports", async () => {
    await expect(
      client.discovery(new URL(`${h.publicUrl}/tenants/nope`), "x", "y", undefined, insecure),
    ).rejects.toThrow();
    const response = await fetch(`${h.publicUrl}/tenants/nope/.well-known/openid-configuration`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: "invalid_request",
      error_description: "No such tenant",
    });
  });
});

describe("client credentials", () => {
  it.each([
    ["client_secret_basic", () => client.ClientSecretBasic(secretClient.secret)],
    ["client_secret_post", () => client.ClientSecretPost(secretClient.secret)],
  ])("openid-client gets a token with %s", async (_, auth) => {
    const config = await client.discovery(
      new URL(h.issuer),
      secretClient.id,
      undefined,
      auth(),
      insecure,
    );
    const tokens = await client.clientCredentialsGrant(config, { scope: "deploy:read" });
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.scope).toBe("deploy:read");
    expect(tokens.expires_in).toBe(3600);
    const { payload, protectedHeader } = await verifyAsResourceServer(
      tokens.access_token,
      h.issuer,
    );
    expect(protectedHeader.typ).toBe("at+jwt");
    expect(payload).toMatchObject({
      iss: h.issuer,
      sub: secretClient.id,
      client_id: secretClient.id,
      aud: h.issuer,
      scope: "deploy:read",
    });
    expect(Object.keys(payload).sort()).toEqual(
      ["aud", "client_id", "exp", "iat", "iss", "jti", "scope", "sub"].sort(),
    );
  });

  it("openid-client gets a token with private_key_jwt", async () => {
    const config = await client.discovery(
      new URL(h.issuer),
      keyClient.id,
      undefined,
      client.PrivateKeyJwt(privateKey),
      insecure,
    );
    const tokens = await client.clientCredentialsGrant(config);
    expect(tokens.scope).toBe(SCOPES.join(" "));
    const { payload } = await verifyAsResourceServer(tokens.access_token, h.issuer);
    expect(payload.sub).toBe(keyClient.id);
  });

  it("oauth4webapi gets a token with each method, and validateJwtAccessToken accepts it", async () => {
    const as = await discoverWithOauth4webapi("oauth2");
    const cases = [
      { id: secretClient.id, auth: oauth.ClientSecretBasic(secretClient.secret) },
      { id: secretClient.id, auth: oauth.ClientSecretPost(secretClient.secret) },
      { id: keyClient.id, auth: oauth.PrivateKeyJwt(privateKey) },
    ];
    for (const { id, auth } of cases) {
      const response = await oauth.clientCredentialsGrantRequest(
        as,
        { client_id: id },
        auth,
        { scope: "deploy:write" },
        { [oauth.allowInsecureRequests]: true },
      );
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("pragma")).toBe("no-cache");
      const tokens = await oauth.processClientCredentialsResponse(as, { client_id: id }, response);
      const request = new Request(`${API}/deployments`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      const claims = await oauth.validateJwtAccessToken(as, request, h.issuer, {
        [oauth.allowInsecureRequests]: true,
      });
      expect(claims).toMatchObject({ client_id: id, sub: id, scope: "deploy:write" });
    }
  });

  it("issues a token for an allowed resource (RFC 8707), which that resource server accepts", async () => {
    const config = await client.discovery(
      new URL(h.issuer),
      secretClient.id,
      secretClient.secret,
      undefined,
      insecure,
    );
    const tokens = await client.clientCredentialsGrant(config, { resource: API });
    const { payload } = await verifyAsResourceServer(tokens.access_token, API);
    expect(payload.aud).toBe(API);
    await expect(verifyAsResourceServer(tokens.access_token, h.issuer)).rejects.toMatchObject({
      code: "ERR_JWT_CLAIM_VALIDATION_FAILED",
      claim: "aud",
    });
  });

  it("refuses a replayed private_key_jwt assertion", async () => {
    const as = await discoverWithOauth4webapi("oauth2");
    let assertion = "";
    const capture: oauth.ClientAuth = async (server, c, body, headers) => {
      await oauth.PrivateKeyJwt(privateKey)(server, c, body, headers);
      assertion = assertion === "" ? String(body.get("client_assertion")) : assertion;
      body.set("client_assertion", assertion);
    };
    const send = () =>
      oauth.clientCredentialsGrantRequest(
        as,
        { client_id: keyClient.id },
        capture,
        {},
        { [oauth.allowInsecureRequests]: true },
      );
    expect((await send()).status).toBe(200);
    const replay = await send();
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: "invalid_client" });
  });

  it("openid-client reports invalid_client for a wrong secret in the body", async () => {
    const config = await client.discovery(
      new URL(h.issuer),
      secretClient.id,
      undefined,
      client.ClientSecretPost("tsr_cs_wrong"),
      insecure,
    );
    await expect(client.clientCredentialsGrant(config)).rejects.toMatchObject({
      error: "invalid_client",
      status: 401,
    });
  });

  it("openid-client reports the Basic challenge for a wrong secret sent by Basic", async () => {
    const config = await client.discovery(
      new URL(h.issuer),
      secretClient.id,
      undefined,
      client.ClientSecretBasic("tsr_cs_wrong"),
      insecure,
    );
    const failure = await client.clientCredentialsGrant(config).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(client.WWWAuthenticateChallengeError);
    expect(failure).toMatchObject({ status: 401, cause: [{ scheme: "basic" }] });
  });
});

describe("introspection and revocation", () => {
  it("openid-client introspects its token, revokes it, and then finds it inactive", async () => {
    const config = await client.discovery(
      new URL(h.issuer),
      secretClient.id,
      undefined,
      client.ClientSecretBasic(secretClient.secret),
      insecure,
    );
    const { access_token } = await client.clientCredentialsGrant(config, { scope: "deploy:read" });
    const active = await client.tokenIntrospection(config, access_token);
    expect(active).toMatchObject({
      active: true,
      client_id: secretClient.id,
      sub: secretClient.id,
      scope: "deploy:read",
      token_type: "Bearer",
      iss: h.issuer,
      aud: h.issuer,
    });
    await client.tokenRevocation(config, access_token);
    expect(await client.tokenIntrospection(config, access_token)).toEqual({ active: false });
    // A revoked token is refused by the registry at once (RFC 7009 §2.2: 200 again).
    await client.tokenRevocation(config, access_token);
  });

  it("oauth4webapi introspects and revokes with private_key_jwt", async () => {
    const as = await discoverWithOauth4webapi("oauth2");
    const options = { [oauth.allowInsecureRequests]: true };
    const self = { client_id: keyClient.id };
    const issued = await oauth.processClientCredentialsResponse(
      as,
      self,
      await oauth.clientCredentialsGrantRequest(
        as,
        self,
        oauth.PrivateKeyJwt(privateKey),
        {},
        options,
      ),
    );
    const introspect = async () =>
      oauth.processIntrospectionResponse(
        as,
        self,
        await oauth.introspectionRequest(
          as,
          self,
          oauth.PrivateKeyJwt(privateKey),
          issued.access_token,
          options,
        ),
      );
    expect(await introspect()).toMatchObject({ active: true, client_id: keyClient.id });
    const revoked = await oauth.revocationRequest(
      as,
      self,
      oauth.PrivateKeyJwt(privateKey),
      issued.access_token,
      options,
    );
    expect(revoked.headers.get("cache-control")).toBe("no-store");
    expect(await oauth.processRevocationResponse(revoked)).toBeUndefined();
    expect(await introspect()).toEqual({ active: false });
  });
});

describe("refresh", () => {
  it("openid-client refreshes a session API login for its public client, ID token checked", async () => {
    await h.addUser("carol");
    const session = sessionOf(await h.login("carol")).session;
    const config = await client.discovery(
      new URL(h.issuer),
      h.clientId,
      undefined,
      client.None(),
      insecure,
    );
    // openid-client validates the ID token it gets: issuer, aud = this client, exp, iat.
    const tokens = await client.refreshTokenGrant(config, session.refreshToken);
    expect(tokens.claims()).toMatchObject({ iss: h.issuer, aud: h.clientId, username: "carol" });
    expect(tokens.refresh_token).toBe(session.refreshToken);
    const as = await discoverWithOauth4webapi("oidc");
    const request = new Request(`${API}/reports`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    const claims = await oauth.validateJwtAccessToken(as, request, h.clientId, {
      [oauth.allowInsecureRequests]: true,
    });
    expect(claims).toMatchObject({ client_id: h.clientId, username: "carol" });
  });
});
