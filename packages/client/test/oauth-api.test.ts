import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Configuration,
  type ConfigurationParameters,
  InvalidClientError,
  InvalidGrantError,
  InvalidScopeError,
  InvalidTargetError,
  NotFoundError,
  OAuthApi,
  RequiredError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
} from "../src/index.js";
import { expectApiError } from "./support/expect-api-error.js";
import { addClient, type ProvisionedClient } from "./support/provision.js";
import { recordingFetch } from "./support/recording-fetch.js";
import { startTessera, type Tessera } from "./support/tessera.js";

let tessera: Tessera;
/** A confidential client, client_secret_basic, client_credentials only. */
let gateway: ProvisionedClient;
/** A client that authenticates with its secret in the form (client_secret_post). */
let poster: ProvisionedClient;
/** A client allowed the refresh_token grant too. */
let refresher: ProvisionedClient;

beforeAll(async () => {
  tessera = await startTessera();
  gateway = addClient(tessera, "gateway", [
    "--grant-types",
    "client_credentials",
    "--scopes",
    "reports:read,reports:write",
  ]);
  poster = addClient(tessera, "poster", [
    "--auth-method",
    "client_secret_post",
    "--grant-types",
    "client_credentials",
  ]);
  refresher = addClient(tessera, "refresher", [
    "--grant-types",
    "client_credentials,refresh_token",
  ]);
});
afterAll(async () => {
  await tessera.stop();
});

function oauthApi(settings: ConfigurationParameters = {}) {
  const recorder = recordingFetch();
  const configuration = new Configuration({
    basePath: tessera.url,
    fetch: recorder.fetch,
    ...settings,
  });
  return { api: new OAuthApi(configuration), exchanges: recorder.exchanges };
}

/** The gateway, by client_secret_basic from the configuration. */
const asGateway = () => oauthApi({ username: gateway.id, password: gateway.clientSecret });

describe("OAuthApi.token", () => {
  it("client_credentials by client_secret_basic: a form body and Basic credentials", async () => {
    const { api, exchanges } = asGateway();
    const { status, data, headers } = await api.token({
      grant_type: "client_credentials",
      scope: "reports:read",
    });

    expect(status).toBe(200);
    expect(data).toEqual({
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: "Bearer",
      expires_in: expect.any(Number),
      scope: "reports:read",
    });
    expect(headers["cache-control"]).toBe("no-store");
    expect(new URL(exchanges[0]?.url ?? "").pathname).toBe("/oauth/token");
    expect(exchanges[0]?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(exchanges[0]?.headers.authorization).toMatch(/^Basic /);
    expect(exchanges[0]?.body).toBe("grant_type=client_credentials&scope=reports%3Aread");
  });

  it("client_secret_post below the tenant's issuer: no Basic even when the configuration has one", async () => {
    const { api, exchanges } = oauthApi({ username: "someone", password: "else" });
    const { data } = await api.token(
      {
        grant_type: "client_credentials",
        client_id: poster.id,
        client_secret: poster.clientSecret,
      },
      "default",
    );

    expect(data.token_type).toBe("Bearer");
    expect(new URL(exchanges[0]?.url ?? "").pathname).toBe("/tenants/default/oauth/token");
    expect(exchanges[0]?.headers.authorization).toBeUndefined();
  });

  it("a wrong secret is InvalidClientError with RFC 6749's {error, error_description}", async () => {
    const { api } = oauthApi({ username: gateway.id, password: "tsr_cs_wrong" });
    const error = await expectApiError(
      api.token({ grant_type: "client_credentials" }),
      InvalidClientError,
      { code: "invalid_client", status: 401 },
      ["tsr_cs_wrong"],
    );
    expect(error.response.data).toEqual({
      error: "invalid_client",
      error_description: expect.any(String),
    });
    expect(error.response.headers["www-authenticate"]).toMatch(/^Basic /);
  });

  it("each grant's refusal in RFC 6749's words", async () => {
    await expectApiError(
      asGateway().api.token({ grant_type: "password", username: "alice", password: "pw pw pw" }),
      UnsupportedGrantTypeError,
      { code: "unsupported_grant_type", status: 400 },
      ["pw pw pw"],
    );
    await expectApiError(
      asGateway().api.token({ grant_type: "refresh_token", refresh_token: "tsr_rt_x" }),
      UnauthorizedClientError,
      { code: "unauthorized_client", status: 400 },
    );
    await expectApiError(
      oauthApi({ username: refresher.id, password: refresher.clientSecret }).api.token({
        grant_type: "refresh_token",
        refresh_token: "tsr_rt_not_issued",
      }),
      InvalidGrantError,
      { code: "invalid_grant", status: 400 },
      ["tsr_rt_not_issued"],
    );
    await expectApiError(
      asGateway().api.token({ grant_type: "client_credentials", scope: "admin:everything" }),
      InvalidScopeError,
      { code: "invalid_scope", status: 400 },
    );
    await expectApiError(
      asGateway().api.token({
        grant_type: "client_credentials",
        audience: ["https://elsewhere.example"],
      }),
      InvalidTargetError,
      { code: "invalid_target", status: 400 },
    );
  });

  it("an unknown tenant is NotFoundError (OAuth's invalid_request, told by its 404)", async () => {
    await expectApiError(
      asGateway().api.token({ grant_type: "client_credentials" }, "nope"),
      NotFoundError,
      {
        code: "not_found",
        status: 404,
        data: { error: "invalid_request", error_description: expect.any(String) },
      },
    );
  });
});

describe("OAuthApi: a tenant id that names another path", () => {
  it("is refused with RequiredError before the client secret is sent anywhere", async () => {
    const { api, exchanges } = asGateway();
    for (const tenantId of ["", ".", "..", "%2e%2e", "%2E%2E"]) {
      const calls = [
        api.token({ grant_type: "client_credentials" }, tenantId),
        api.introspect({ token: "t" }, tenantId),
        api.revoke({ token: "t" }, tenantId),
      ];
      for (const call of calls) {
        const error = await call.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RequiredError);
        expect(error).toMatchObject({ field: "tenantId" });
      }
    }
    expect(exchanges).toEqual([]);
  });
});

describe("OAuthApi.introspect and revoke", () => {
  it("introspects a live token, revokes it (200, no data), and it is inactive", async () => {
    const { api, exchanges } = asGateway();
    const { data: issued } = await api.token({ grant_type: "client_credentials" });

    const live = await api.introspect({ token: issued.access_token });
    const revoked = await api.revoke({ token: issued.access_token }, "default");
    const after = await api.introspect({ token: issued.access_token }, "default");

    expect(live.data).toMatchObject({ active: true, client_id: gateway.id, token_type: "Bearer" });
    expect(revoked.status).toBe(200);
    expect(revoked.data).toBeUndefined();
    expect(after.data).toEqual({ active: false });
    expect(exchanges.map((exchange) => new URL(exchange.url).pathname)).toEqual([
      "/oauth/token",
      "/oauth/introspect",
      "/tenants/default/oauth/revoke",
      "/tenants/default/oauth/introspect",
    ]);
  });

  it("introspection and revocation by a client that fails to authenticate are InvalidClientError", async () => {
    const { api } = oauthApi({ username: gateway.id, password: "tsr_cs_wrong" });
    await expectApiError(api.introspect({ token: "anything" }), InvalidClientError, {
      code: "invalid_client",
      status: 401,
    });
    await expectApiError(api.revoke({ token: "anything" }), InvalidClientError, {
      code: "invalid_client",
      status: 401,
    });
  });
});

describe("OAuthApi discovery and keys", () => {
  it("serves the tenant's RFC 8414 metadata and OpenID configuration", async () => {
    const { api } = oauthApi();
    const metadata = await api.getAuthorizationServerMetadata("default");
    const openid = await api.getOpenIdConfiguration("default");

    expect(metadata.data).toMatchObject({
      issuer: tessera.issuer,
      token_endpoint: `${tessera.issuer}/oauth/token`,
      jwks_uri: `${tessera.issuer}/.well-known/jwks.json`,
    });
    expect(openid.data).toEqual(metadata.data);
  });

  it("metadata of an unknown tenant is NotFoundError", async () => {
    const { api } = oauthApi();
    await expectApiError(api.getAuthorizationServerMetadata("nope"), NotFoundError, {
      code: "not_found",
      status: 404,
    });
    await expectApiError(api.getOpenIdConfiguration("nope"), NotFoundError, {
      code: "not_found",
      status: 404,
    });
  });

  it("serves the JWKS, the default tenant's with or without its id", async () => {
    const { api, exchanges } = oauthApi();
    const unprefixed = await api.getJwks();
    const prefixed = await api.getJwks("default");

    expect(unprefixed.data.keys.length).toBeGreaterThan(0);
    expect(unprefixed.data.keys[0]).toMatchObject({
      kty: expect.any(String),
      kid: expect.any(String),
    });
    expect(prefixed.data).toEqual(unprefixed.data);
    expect(exchanges.map((exchange) => new URL(exchange.url).pathname)).toEqual([
      "/.well-known/jwks.json",
      "/tenants/default/.well-known/jwks.json",
    ]);
  });

  it("the JWKS of an unknown tenant is NotFoundError in the session API's words", async () => {
    await expectApiError(oauthApi().api.getJwks("nope"), NotFoundError, {
      code: "not_found",
      status: 404,
      data: { status: "error", message: "No such tenant" },
    });
  });
});
