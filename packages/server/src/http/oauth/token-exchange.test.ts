import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import * as oauth from "oauth4webapi";
import * as client from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, sessionOf, TENANT } from "../../../test/support/harness.js";
import {
  clientBasic,
  expectOAuthError,
  type ListeningHarness,
  postToken,
  startListeningHarness,
} from "../../../test/support/oauth.js";
import { issueEveryKind } from "../../../test/support/registry.js";
import { createApiKey } from "../../core/api-keys.js";
import { createClient } from "../../core/clients/clients.js";
import { TOKEN_EXCHANGE } from "../../core/clients/grant-types.js";
import type { TenantId } from "../../core/ids.js";
import { createTenant } from "../../core/tenants.js";
import { addUser } from "../../core/users.js";

/**
 * Token exchange (RFC 8693) at the token endpoint, as unmodified
 * openid-client 6 (`genericGrantRequest`) and oauth4webapi 3
 * (`genericTokenEndpointRequest`) send it, over
 * a real listening server: impersonation (Keycloak's `requested_subject`)
 * and delegation (`actor_token`), then what introspection and revocation
 * make of the tokens; and every bad request answered with an RFC 6749
 * error, never a 500.
 */

const API = "https://api.example.test";
const ACCESS = "urn:ietf:params:oauth:token-type:access_token";
const JWT = "urn:ietf:params:oauth:token-type:jwt";
const insecure = { execute: [client.allowInsecureRequests] };

let h: ListeningHarness;
/** A confidential client registered for token exchange, whose API key its users log in through. */
let exchanger: { id: string; secret: string; apiKey: string };

beforeAll(async () => {
  h = await startListeningHarness();
  const ctx = h.runtime.ctx;
  const { client: created, clientSecret } = await createClient(ctx, {
    tenantId: TENANT,
    name: "exchanger",
    scopes: ["deploy:read"],
    audiences: [API],
    grantTypes: ["password", "refresh_token", "client_credentials", TOKEN_EXCHANGE],
  });
  const { key } = await createApiKey(ctx, { tenantId: TENANT, client: created.id });
  exchanger = { id: created.id, secret: clientSecret ?? "", apiKey: key };
  await h.addUser("admin", ["impersonate"]);
  await h.addUser("alice");
  await h.addUser("bob");
  await h.addUser("root", ["admin"]);
});
afterAll(async () => {
  await h.close();
});

/** A session API login of `username` through the exchanger's API key. */
async function login(username: string) {
  return sessionOf(await h.login(username, PASSWORD, exchanger.apiKey)).session;
}

async function config() {
  return client.discovery(
    new URL(h.issuer),
    exchanger.id,
    undefined,
    client.ClientSecretBasic(exchanger.secret),
    insecure,
  );
}

async function discoveredAs() {
  const issuer = new URL(h.issuer);
  const response = await oauth.discoveryRequest(issuer, {
    algorithm: "oauth2",
    [oauth.allowInsecureRequests]: true,
  });
  return oauth.processDiscoveryResponse(issuer, response);
}

/** A JWT as a resource server checks it: jose, the JWKS found through discovery. */
async function verifyAsResourceServer(token: string, audience: string) {
  const as = await discoveredAs();
  const jwks = createRemoteJWKSet(new URL(String(as.jwks_uri)));
  return (
    await jwtVerify(token, jwks, {
      issuer: h.issuer,
      audience,
      typ: "at+jwt",
      algorithms: ["ES256"],
    })
  ).payload;
}

function userId(token: string): string {
  return String(decodeJwt(token).sub);
}

describe("impersonation", () => {
  it("openid-client exchanges the actor's own token for the target's session, act naming the actor", async () => {
    const admin = await login("admin");
    const cfg = await config();
    const tokens = await client.genericGrantRequest(cfg, TOKEN_EXCHANGE, {
      subject_token: admin.accessToken,
      subject_token_type: ACCESS,
      requested_subject: "alice",
    });

    expect(tokens).toMatchObject({
      issued_token_type: ACCESS,
      token_type: "bearer",
      expires_in: 3600,
      scope: "openid",
    });
    expect(tokens.refresh_token).toMatch(/^tsr_rt_/);
    const payload = await verifyAsResourceServer(tokens.access_token, exchanger.id);
    expect(payload).toMatchObject({
      username: "alice",
      client_id: exchanger.id,
      act: { sub: userId(admin.accessToken) },
    });

    const described = await client.tokenIntrospection(cfg, tokens.access_token);
    expect(described).toMatchObject({
      active: true,
      username: "alice",
      act: { sub: userId(admin.accessToken) },
    });

    // The impersonation dies with the actor's session.
    await client.tokenRevocation(cfg, admin.accessToken);
    expect(await client.tokenIntrospection(cfg, tokens.access_token)).toEqual({ active: false });
    expect(await client.tokenIntrospection(cfg, String(tokens.refresh_token))).toEqual({
      active: false,
    });
  });

  it("oauth4webapi exchanges with requested_token_type jwt, and refreshes the new session", async () => {
    const admin = await login("admin");
    const as = await discoveredAs();
    const me = { client_id: exchanger.id };
    const auth = oauth.ClientSecretPost(exchanger.secret);
    const options = { [oauth.allowInsecureRequests]: true };
    const response = await oauth.genericTokenEndpointRequest(
      as,
      me,
      auth,
      TOKEN_EXCHANGE,
      {
        subject_token: admin.accessToken,
        subject_token_type: JWT,
        requested_subject: "bob",
        requested_token_type: JWT,
      },
      options,
    );
    expect(response.headers.get("cache-control")).toBe("no-store");
    const tokens = await oauth.processGenericTokenEndpointResponse(as, me, response);
    expect(tokens.issued_token_type).toBe(JWT);
    expect(decodeJwt(tokens.access_token)).toMatchObject({ username: "bob" });

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      me,
      await oauth.refreshTokenGrantRequest(as, me, auth, String(tokens.refresh_token), options),
    );
    expect(decodeJwt(refreshed.access_token)).toMatchObject({
      username: "bob",
      act: { sub: userId(admin.accessToken) },
    });
  });
});

describe("delegation", () => {
  it("openid-client gets a delegated token for a user's actor; introspection shows act; revoking it leaves the subject's session", async () => {
    const alice = await login("alice");
    const bob = await login("bob");
    const cfg = await config();
    const tokens = await client.genericGrantRequest(cfg, TOKEN_EXCHANGE, {
      subject_token: alice.accessToken,
      subject_token_type: ACCESS,
      actor_token: bob.accessToken,
      actor_token_type: ACCESS,
      audience: API,
    });

    expect(tokens).toMatchObject({
      issued_token_type: ACCESS,
      token_type: "bearer",
      scope: "openid",
    });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();
    const payload = await verifyAsResourceServer(tokens.access_token, API);
    expect(payload).toMatchObject({
      sub: userId(alice.accessToken),
      client_id: exchanger.id,
      token_use: "delegated",
      act: { sub: userId(bob.accessToken) },
    });

    expect(await client.tokenIntrospection(cfg, tokens.access_token)).toMatchObject({
      active: true,
      token_type: "Bearer",
      username: "alice",
      sub: userId(alice.accessToken),
      aud: API,
      act: { sub: userId(bob.accessToken) },
    });

    await client.tokenRevocation(cfg, tokens.access_token);
    expect(await client.tokenIntrospection(cfg, tokens.access_token)).toEqual({ active: false });
    expect(await client.tokenIntrospection(cfg, alice.accessToken)).toMatchObject({ active: true });
  });

  it("oauth4webapi gets one with the client's own token as actor, nesting an impersonator's act, and validateJwtAccessToken accepts it", async () => {
    const admin = await login("admin");
    const as = await discoveredAs();
    const me = { client_id: exchanger.id };
    const auth = oauth.ClientSecretBasic(exchanger.secret);
    const options = { [oauth.allowInsecureRequests]: true };
    const own = await oauth.processClientCredentialsResponse(
      as,
      me,
      await oauth.clientCredentialsGrantRequest(as, me, auth, {}, options),
    );
    const impersonated = await oauth.processGenericTokenEndpointResponse(
      as,
      me,
      await oauth.genericTokenEndpointRequest(
        as,
        me,
        auth,
        TOKEN_EXCHANGE,
        {
          subject_token: admin.accessToken,
          subject_token_type: ACCESS,
          requested_subject: "alice",
        },
        options,
      ),
    );
    const delegated = await oauth.processGenericTokenEndpointResponse(
      as,
      me,
      await oauth.genericTokenEndpointRequest(
        as,
        me,
        auth,
        TOKEN_EXCHANGE,
        {
          subject_token: impersonated.access_token,
          subject_token_type: ACCESS,
          actor_token: own.access_token,
          actor_token_type: ACCESS,
          resource: API,
        },
        options,
      ),
    );

    const request = new Request(`${API}/deployments`, {
      headers: { authorization: `Bearer ${delegated.access_token}` },
    });
    const claims = await oauth.validateJwtAccessToken(as, request, API, options);
    expect(claims).toMatchObject({
      sub: userId(impersonated.access_token),
      client_id: exchanger.id,
      act: { sub: exchanger.id, act: { sub: userId(admin.accessToken) } },
    });
  });
});

describe("a client not registered for refresh_token", () => {
  it("gets an impersonation's access and ID tokens, and no refresh token", async () => {
    const ctx = h.runtime.ctx;
    const { client: created, clientSecret } = await createClient(ctx, {
      tenantId: TENANT,
      name: "exchanger-no-refresh",
      scopes: [],
      grantTypes: ["password", TOKEN_EXCHANGE],
    });
    const { key } = await createApiKey(ctx, { tenantId: TENANT, client: created.id });
    const admin = sessionOf(await h.login("admin", PASSWORD, key)).session;
    const response = await postToken(
      h,
      {
        grant_type: TOKEN_EXCHANGE,
        subject_token: admin.accessToken,
        subject_token_type: ACCESS,
        requested_subject: "alice",
      },
      { authorization: clientBasic(created.id, clientSecret ?? "") },
    );
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json<Record<string, unknown>>();
    expect(Object.keys(answer).sort()).toEqual([
      "access_token",
      "expires_in",
      "id_token",
      "issued_token_type",
      "scope",
      "token_type",
    ]);
    expect(decodeJwt(String(answer.access_token))).toMatchObject({ username: "alice" });
  });
});

describe("the successor of /auth/impersonate", () => {
  /** `POST /auth/impersonate`'s `Link` target, for a caller of `apiKey`. */
  async function successorLink(
    apiKey: string,
    session: { authorization: string; accessToken: string },
  ) {
    const response = await h.send(
      "POST",
      "/auth/impersonate",
      { username: "nobody-at-all" },
      {
        "x-api-key": apiKey,
        authorization: session.authorization,
        accesstoken: session.accessToken,
      },
    );
    const link = String(response.headers.link);
    expect(link).toMatch(/^<[^>]+>; rel="successor-version"$/);
    return link.slice(1, link.indexOf(">"));
  }

  /** A token exchange posted to `url` with the fetch API, as any HTTP client would. */
  function exchangeAt(url: string, id: string, secret: string, fields: Record<string, string>) {
    return fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: clientBasic(id, secret),
      },
      body: new URLSearchParams({ grant_type: TOKEN_EXCHANGE, ...fields }),
    });
  }

  it("names the default tenant's token endpoint, which takes the same request as a token exchange", async () => {
    const admin = await login("admin");
    const url = await successorLink(exchanger.apiKey, admin);
    expect(url).toBe(`${h.issuer}/oauth/token`);

    const response = await exchangeAt(url, exchanger.id, exchanger.secret, {
      subject_token: admin.accessToken,
      subject_token_type: ACCESS,
      requested_subject: "alice",
    });
    expect(response.status).toBe(200);
    expect(
      decodeJwt(((await response.json()) as { access_token: string }).access_token),
    ).toMatchObject({
      username: "alice",
    });
  });

  it("names another tenant's own token endpoint, which serves that tenant", async () => {
    const ctx = h.runtime.ctx;
    const tenantId = "te-acme" as TenantId;
    await createTenant(ctx, { id: tenantId });
    const { client: acme, clientSecret } = await createClient(ctx, {
      tenantId,
      name: "acme-app",
      scopes: [],
      grantTypes: ["password", "refresh_token", TOKEN_EXCHANGE],
    });
    const { key } = await createApiKey(ctx, { tenantId, client: acme.id });
    for (const [username, permissions] of [
      ["acme-admin", ["impersonate"]],
      ["acme-alice", []],
    ] as const) {
      await addUser(ctx, { tenantId, username, password: PASSWORD, permissions: [...permissions] });
    }
    const admin = sessionOf(await h.login("acme-admin", PASSWORD, key)).session;

    const url = await successorLink(key, admin);
    expect(url).toBe(`${h.publicUrl}/tenants/${tenantId}/oauth/token`);
    const response = await exchangeAt(url, acme.id, clientSecret ?? "", {
      subject_token: admin.accessToken,
      subject_token_type: ACCESS,
      requested_subject: "acme-alice",
    });
    expect(response.status).toBe(200);
    expect(
      decodeJwt(((await response.json()) as { access_token: string }).access_token),
    ).toMatchObject({
      iss: `${h.publicUrl}/tenants/${tenantId}`,
      username: "acme-alice",
    });
  });
});

describe("bad requests: an RFC 6749 error, never a 500", () => {
  const basic = () => ({ authorization: clientBasic(exchanger.id, exchanger.secret) });
  const exchange = (fields: Record<string, string>, headers: Record<string, string> = basic()) =>
    postToken(h, { grant_type: TOKEN_EXCHANGE, ...fields }, headers);

  it.each([
    ["subject_token is missing", { subject_token_type: ACCESS, requested_subject: "alice" }],
    ["subject_token_type is missing", { subject_token: "x", requested_subject: "alice" }],
    [
      "subject_token_type is not one Tessera exchanges",
      {
        subject_token: "x",
        subject_token_type: "urn:ietf:params:oauth:token-type:saml2",
        requested_subject: "alice",
      },
    ],
    [
      "actor_token_type is unknown",
      { subject_token: "x", subject_token_type: ACCESS, actor_token: "y", actor_token_type: "z" },
    ],
    [
      "actor_token comes without actor_token_type",
      { subject_token: "x", subject_token_type: ACCESS, actor_token: "y" },
    ],
    [
      "requested_token_type is a refresh token",
      {
        subject_token: "x",
        subject_token_type: ACCESS,
        requested_subject: "alice",
        requested_token_type: "urn:ietf:params:oauth:token-type:refresh_token",
      },
    ],
    [
      "a token is longer than any Tessera issues",
      { subject_token: "x".repeat(9000), subject_token_type: ACCESS },
    ],
  ])("invalid_request when %s", async (_, fields) => {
    const body = expectOAuthError(await exchange(fields), 400, "invalid_request");
    expect(body.error_description).not.toContain("saml2");
  });

  it("invalid_request when neither requested_subject nor actor_token is sent", async () => {
    const admin = await login("admin");
    expectOAuthError(
      await exchange({ subject_token: admin.accessToken, subject_token_type: ACCESS }),
      400,
      "invalid_request",
    );
  });

  it("invalid_request for a user that cannot be impersonated", async () => {
    const admin = await login("admin");
    expectOAuthError(
      await exchange({
        subject_token: admin.accessToken,
        subject_token_type: ACCESS,
        requested_subject: "nobody-here",
      }),
      400,
      "invalid_request",
    );
  });

  it("invalid_grant for a garbage, an ID or a refresh token as subject_token", async () => {
    const alice = await login("alice");
    for (const subject of [
      "garbage",
      "a.b.c",
      alice.authorization.replace(/^Bearer /, ""),
      alice.refreshToken,
    ]) {
      expectOAuthError(
        await exchange({
          subject_token: subject,
          subject_token_type: ACCESS,
          requested_subject: "bob",
        }),
        400,
        "invalid_grant",
      );
    }
  });

  it("invalid_grant for another tenant's access token", async () => {
    const theirs = await issueEveryKind(h.runtime.ctx, "te-elsewhere" as TenantId);
    expectOAuthError(
      await exchange({
        subject_token: theirs.tokens.access_token,
        subject_token_type: ACCESS,
        requested_subject: "alice",
      }),
      400,
      "invalid_grant",
    );
  });

  it("invalid_grant for a subject token issued to another client", async () => {
    const admin = sessionOf(await h.login("admin")).session;
    expectOAuthError(
      await exchange({
        subject_token: admin.accessToken,
        subject_token_type: ACCESS,
        requested_subject: "alice",
      }),
      400,
      "invalid_grant",
    );
  });

  it("invalid_grant for chaining, a more privileged target, or an actor without impersonate", async () => {
    const admin = await login("admin");
    const alice = await login("alice");
    const first = await exchange({
      subject_token: admin.accessToken,
      subject_token_type: ACCESS,
      requested_subject: "alice",
    });
    expect(first.statusCode).toBe(200);
    const cases = [
      {
        subject_token: first.json<{ access_token: string }>().access_token,
        requested_subject: "bob",
      },
      { subject_token: admin.accessToken, requested_subject: "root" },
      { subject_token: alice.accessToken, requested_subject: "bob" },
    ];
    for (const fields of cases) {
      const body = expectOAuthError(
        await exchange({ ...fields, subject_token_type: ACCESS }),
        400,
        "invalid_grant",
      );
      expect(body.error_description).not.toMatch(/Internal/);
    }
  });

  it("invalid_target and invalid_scope for what the client may not have", async () => {
    const alice = await login("alice");
    const bob = await login("bob");
    const delegation = {
      subject_token: alice.accessToken,
      subject_token_type: ACCESS,
      actor_token: bob.accessToken,
      actor_token_type: ACCESS,
    };
    expectOAuthError(
      await exchange({ ...delegation, audience: "https://elsewhere.example.test" }),
      400,
      "invalid_target",
    );
    expectOAuthError(await exchange({ ...delegation, scope: "deploy:read" }), 400, "invalid_scope");
  });

  it("unauthorized_client for a client not registered for token exchange", async () => {
    const { client: plain, clientSecret } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "no-exchange",
      scopes: [],
    });
    const admin = await login("admin");
    expectOAuthError(
      await exchange(
        {
          subject_token: admin.accessToken,
          subject_token_type: ACCESS,
          requested_subject: "alice",
        },
        { authorization: clientBasic(plain.id, clientSecret ?? "") },
      ),
      400,
      "unauthorized_client",
    );
  });

  it("invalid_client for a public client sending its client_id alone, even one registered for the grant before public clients were refused it", async () => {
    const ctx = h.runtime.ctx;
    const { client: web, key } = await createApiKey(ctx, { tenantId: TENANT, name: "old-web" });
    // As a registration made before token exchange was refused to public clients left it.
    await ctx.store.clients.update(
      TENANT,
      web.id,
      { grantTypes: ["password", "refresh_token", TOKEN_EXCHANGE] },
      h.clock.now(),
    );
    // Anyone who sees the admin's access token reads the client id from it.
    const adminToken = sessionOf(await h.login("admin", PASSWORD, key)).session.accessToken;
    expect(decodeJwt(adminToken).client_id).toBe(web.id);
    for (const fields of [
      { requested_subject: "bob" },
      { actor_token: adminToken, actor_token_type: ACCESS },
    ]) {
      const response = await exchange(
        { client_id: web.id, subject_token: adminToken, subject_token_type: ACCESS, ...fields },
        {},
      );
      expectOAuthError(response, 401, "invalid_client");
    }
  });

  it("invalid_client for a wrong secret, before any token is looked at", async () => {
    expectOAuthError(
      await exchange(
        { subject_token: "x", subject_token_type: ACCESS, requested_subject: "alice" },
        { authorization: clientBasic(exchanger.id, "wrong") },
      ),
      401,
      "invalid_client",
    );
  });
});
