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
  newSigningKey,
  postLong,
  type TestClient,
} from "../../../test/support/token-api.js";
import { createClient } from "../../core/clients/clients.js";
import { updateClient } from "../../core/clients/update-client.js";
import { createTenant } from "../../core/tenants.js";

/**
 * The token endpoint's refusals, by status, through `app.inject`: every
 * one an RFC 6749 §5.2 `{error, error_description}`, `no-store`, and never
 * a 500 or a quote of what was sent.
 */

let h: Harness;
let client: TestClient;
let other: TestClient;

beforeAll(async () => {
  h = await startHarness();
  client = await addClient(h, { scopes: ["deploy:read", "deploy:write"] });
  other = await addClient(h);
});
afterAll(async () => {
  await h.close();
});

const grant = () => ({ grant_type: "client_credentials" });
const post = () => ({ ...grant(), client_id: client.id, client_secret: client.secret });
/** Tells the answer never quotes a value the client sent. */
const SENTINEL = "zz-sentinel-value-zz";

describe("400 invalid_request: the form itself", () => {
  it.each([
    ["JSON", "application/json", JSON.stringify(grant())],
    ["text", "text/plain", "grant_type=client_credentials"],
    ["multipart", "multipart/form-data; boundary=x", "--x--"],
    ["form in Latin-1", "application/x-www-form-urlencoded; charset=iso-8859-1", "grant_type=x"],
  ])("refuses a %s body", async (_, contentType, body) => {
    const response = await postToken(h, body, { "content-type": contentType });
    const error = expectOAuthError(response, 400, "invalid_request");
    expect(error.error_description).toMatch(/application\/x-www-form-urlencoded|UTF-8/);
  });

  it("refuses a body without a Content-Type", async () => {
    const response = await h.app.inject({
      method: "POST",
      url: "/tenants/default/oauth/token",
      payload: Buffer.from("grant_type=client_credentials"),
    });
    expectOAuthError(response, 400, "invalid_request");
  });

  it.each([
    ["/tenants/default/oauth/token", `client_secret=${SENTINEL}`],
    ["/oauth/token", "grant_type=client_credentials"],
    ["/tenants/default/oauth/introspect", `token=${SENTINEL}`],
    ["/tenants/default/oauth/revoke", "x=1"],
  ])(
    "refuses parameters in the query string of %s (RFC 6749 §3.2: the body)",
    async (path, query) => {
      const response = await postToken(h, post(), {}, `${path}?${query}`);
      const error = expectOAuthError(response, 400, "invalid_request");
      expect(error.error_description).toBe(
        "Send the parameters in the request body, not in the URL (RFC 6749 section 3.2)",
      );
      expect(response.body).not.toContain(SENTINEL);
    },
  );

  it("asks for grant_type when the body is empty", async () => {
    const error = expectOAuthError(await postToken(h, ""), 400, "invalid_request");
    expect(error.error_description).toBe("grant_type is required");
  });

  it.each(["grant_type", "client_id", "client_secret", "scope", "x-unknown"])(
    "refuses %s sent twice (RFC 6749 §3.2)",
    async (name) => {
      const body = `${new URLSearchParams(post()).toString()}&${name}=${SENTINEL}&${name}=${SENTINEL}`;
      const response = await postToken(h, body);
      const error = expectOAuthError(response, 400, "invalid_request");
      expect(error.error_description).toContain("repeated");
      expect(response.body).not.toContain(SENTINEL);
    },
  );

  it.each([
    ["a NUL", "%00"],
    ["a line feed", "%0A"],
    ["an escape", "%1B%5B2K"],
    ["a right-to-left override", "%E2%80%AE"],
  ])("refuses a value holding %s", async (_, encoded) => {
    const response = await postToken(h, `${new URLSearchParams(post())}&scope=a${encoded}b`);
    expectOAuthError(response, 400, "invalid_request");
  });

  it.each([
    ["undecodable percent-encoding", "grant_type=%ZZ"],
    ["percent-encoded bytes that are not UTF-8", "grant_type=%C3%28"],
    ["a parameter name past 64 characters", `${"n".repeat(65)}=1&grant_type=client_credentials`],
    ["more than 32 parameters", Array.from({ length: 33 }, (_, i) => `p${i}=1`).join("&")],
  ])("refuses %s", async (_, body) => {
    expectOAuthError(await postToken(h, body), 400, "invalid_request");
  });

  it("refuses a value past 8192 characters, without quoting it", async () => {
    const huge = SENTINEL.repeat(500);
    const response = await postToken(h, { ...post(), scope: huge });
    const error = expectOAuthError(response, 400, "invalid_request");
    expect(error.error_description).toBe("scope is longer than 8192 characters");
    expect(response.body).not.toContain(SENTINEL);
  });

  it("answers a body past the server's limit 413, still in OAuth's words", async () => {
    const response = await postToken(h, { ...post(), x: "a".repeat(70 * 1024) });
    expectOAuthError(response, 413, "invalid_request");
  });
});

describe("400 invalid_request: client authentication", () => {
  it("refuses two methods at once (RFC 6749 §2.3)", async () => {
    const response = await postToken(h, post(), {
      authorization: clientBasic(client.id, client.secret),
    });
    const error = expectOAuthError(response, 400, "invalid_request");
    expect(error.error_description).toContain("one client authentication method");
  });

  it.each([
    ["Basic", true],
    ["a secret in the body", false],
  ])("refuses %s beside a stray client_assertion_type (RFC 6749 §2.3)", async (_, basic) => {
    const response = await postToken(
      h,
      {
        ...(basic ? grant() : post()),
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      },
      basic ? { authorization: clientBasic(client.id, client.secret) } : {},
    );
    const error = expectOAuthError(response, 400, "invalid_request");
    expect(error.error_description).toContain("one client authentication method");
  });

  it("refuses a secret and an assertion together", async () => {
    const response = await postToken(h, {
      ...post(),
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: "a.b.c",
    });
    expectOAuthError(response, 400, "invalid_request");
  });

  it("refuses a client_id in the body that differs from Basic's", async () => {
    const response = await postToken(
      h,
      { ...grant(), client_id: other.id },
      { authorization: clientBasic(client.id, client.secret) },
    );
    expectOAuthError(response, 400, "invalid_request");
  });

  it("refuses an assertion of another type", async () => {
    const response = await postToken(h, {
      ...grant(),
      client_assertion_type: "urn:example:saml",
      client_assertion: "x",
    });
    expectOAuthError(response, 400, "invalid_request");
  });

  it("refuses Authorization schemes other than Basic", async () => {
    const response = await postToken(h, grant(), { authorization: "Bearer abc" });
    expectOAuthError(response, 400, "invalid_request");
  });
});

describe("400: what the grant refuses", () => {
  it.each(["password", "authorization_code", "urn:example:custom", SENTINEL])(
    "answers unsupported_grant_type for grant_type %s",
    async (grantType) => {
      const response = await postToken(h, { ...post(), grant_type: grantType });
      expectOAuthError(response, 400, "unsupported_grant_type");
      expect(response.body).not.toContain(SENTINEL);
    },
  );

  it("answers unauthorized_client for a client not registered for client_credentials", async () => {
    const { client: loginOnly, clientSecret } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "login-only",
      scopes: [],
      grantTypes: ["password", "refresh_token"],
    });
    const response = await postToken(h, {
      ...grant(),
      client_id: loginOnly.id,
      client_secret: clientSecret ?? "",
    });
    const error = expectOAuthError(response, 400, "unauthorized_client");
    expect(error.error_description).toBe("This client may not use the client_credentials grant");
  });

  it.each(["%20", "+++", "%20%20"])(
    "answers invalid_scope for a scope of spaces alone (%s): it names no scope (RFC 6749 §3.3)",
    async (encoded) => {
      const response = await postToken(h, `${new URLSearchParams(post())}&scope=${encoded}`);
      const error = expectOAuthError(response, 400, "invalid_scope");
      expect(error.error_description).toBe("scope names no scope");
    },
  );

  it("answers invalid_scope for a scope beyond the client's", async () => {
    const response = await postToken(h, { ...post(), scope: "deploy:read admin" });
    expectOAuthError(response, 400, "invalid_scope");
  });

  it.each([
    ["an audience not allowed", { resource: "https://billing.example.test" }],
    ["a resource with a fragment", { resource: "https://deploy.example.test/#x" }],
    ["a resource that is not an absolute URI", { resource: "deploy" }],
    ["two audiences", { resource: ["https://a.example.test", "https://b.example.test"] }],
    ["another tenant's issuer", { audience: "https://auth.example.test/tenants/other" }],
    ["an audience beside a different resource", { audience: "x", resource: ISSUER }],
  ])("answers invalid_target for %s", async (_, extra) => {
    const response = await postToken(h, { ...post(), ...extra });
    expectOAuthError(response, 400, "invalid_target");
  });
});

describe("401 invalid_client", () => {
  const BASIC_CHALLENGE = 'Basic realm="tessera", charset="UTF-8"';

  it("answers an unknown client and a wrong secret identically", async () => {
    const unknown = await postToken(h, { ...post(), client_id: "a".repeat(26) });
    const wrong = await postToken(h, { ...post(), client_secret: `${client.secret}x` });
    const unknownError = expectOAuthError(unknown, 401, "invalid_client");
    expect(expectOAuthError(wrong, 401, "invalid_client")).toEqual(unknownError);
    expect(unknownError.error_description).toBe("Client authentication failed");
    // Credentials in the body: no challenge, so clients read the body's code.
    expect(wrong.headers).not.toHaveProperty("www-authenticate");
  });

  it("challenges for Basic when Basic failed (RFC 6749 §5.2)", async () => {
    const response = await postToken(h, grant(), {
      authorization: clientBasic(client.id, "tsr_cs_wrong"),
    });
    expectOAuthError(response, 401, "invalid_client");
    expect(response.headers["www-authenticate"]).toBe(BASIC_CHALLENGE);
  });

  it.each([
    ["not base64", "Basic !!!"],
    ["no colon", `Basic ${Buffer.from("abc").toString("base64")}`],
    ["bad percent-encoding", `Basic ${Buffer.from("%ZZ:%ZZ").toString("base64")}`],
  ])("refuses Basic credentials that are %s", async (_, authorization) => {
    expectOAuthError(await postToken(h, grant(), { authorization }), 401, "invalid_client");
  });

  it("refuses a request with no client credentials at all", async () => {
    expectOAuthError(await postToken(h, grant()), 401, "invalid_client");
  });

  it("refuses a confidential client that sends its id alone (none is for public clients)", async () => {
    expectOAuthError(
      await postToken(h, { ...grant(), client_id: client.id }),
      401,
      "invalid_client",
    );
    // The API key's client is public, and no more able to use client_credentials by its id alone:
    // the same answer as for a confidential client, or an unknown id.
    for (const clientId of [h.clientId, "no-such-client"]) {
      expectOAuthError(
        await postToken(h, { ...grant(), client_id: clientId }),
        401,
        "invalid_client",
      );
    }
  });

  it("refuses private_key_jwt for a client without registered keys", async () => {
    const response = await postToken(h, {
      ...grant(),
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln",
    });
    expectOAuthError(response, 401, "invalid_client");
  });

  it("refuses a disabled client, and takes it back once enabled", async () => {
    const disabled = await addClient(h);
    const body = { ...grant(), client_id: disabled.id, client_secret: disabled.secret };
    await updateClient(h.runtime.ctx, { tenantId: TENANT, client: disabled.id, enabled: false });
    expectOAuthError(await postToken(h, body), 401, "invalid_client");
    await updateClient(h.runtime.ctx, { tenantId: TENANT, client: disabled.id, enabled: true });
    expect((await postToken(h, body)).statusCode).toBe(200);
  });

  it("refuses a client at another tenant's token endpoint", async () => {
    await createTenant(h.runtime.ctx, { id: "other" });
    const response = await postToken(h, post(), {}, "/tenants/other/oauth/token");
    expectOAuthError(response, 401, "invalid_client");
  });
});

describe("404", () => {
  it.each([
    ["POST", "/tenants/nope/oauth/token"],
    ["POST", "/tenants/NOT_A_TENANT/oauth/token"],
    ["GET", "/.well-known/oauth-authorization-server/tenants/nope"],
    ["GET", "/tenants/nope/.well-known/openid-configuration"],
  ])("answers %s %s for an unknown tenant in OAuth's words", async (method, url) => {
    const response = await h.app.inject({
      method: method as "GET" | "POST",
      url,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      ...(method === "POST" ? { payload: new URLSearchParams(post()).toString() } : {}),
    });
    const error = expectOAuthError(response, 404, "invalid_request");
    expect(error.error_description).toBe("No such tenant");
  });

  it("answers an unknown route below /oauth in OAuth's words", async () => {
    const response = await h.app.inject({ method: "GET", url: "/tenants/default/oauth/nope" });
    expectOAuthError(response, 404, "invalid_request");
  });
});

describe("200, through app.inject", () => {
  it("decodes Basic credentials that were form-url-encoded (RFC 6749 §2.3.1)", async () => {
    const everyCharacter = (value: string) =>
      [...Buffer.from(value)].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");
    const authorization = `Basic ${Buffer.from(`${everyCharacter(client.id)}:${everyCharacter(client.secret)}`).toString("base64")}`;
    const response = await postToken(h, grant(), { authorization });
    expect(response.statusCode, response.body).toBe(200);
    expect(decodeJwt(response.json<{ access_token: string }>().access_token).sub).toBe(client.id);
  });

  it("serves the default tenant at /oauth/token, with no-store and rate-limit headers", async () => {
    const response = await postToken(h, post(), {}, "/oauth/token");
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.headers.pragma).toBe("no-cache");
    expect(Number(response.headers["ratelimit-limit"])).toBe(600);
    expect(decodeJwt(response.json<{ access_token: string }>().access_token).iss).toBe(ISSUER);
  });

  it("puts Pragma: no-cache on refusals too", async () => {
    const response = await postToken(h, { ...post(), client_secret: "wrong" });
    expect(response.headers.pragma).toBe("no-cache");
  });
});

describe("401 invalid_client: an assertion's audience", () => {
  const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  const byAssertion = (signed: string, url = "/tenants/default/oauth/token") =>
    postToken(
      h,
      { ...grant(), client_assertion_type: ASSERTION_TYPE, client_assertion: signed },
      {},
      url,
    );

  async function keyedClient() {
    const key = await newSigningKey("ES256");
    const { client: keyed } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: `aud-keyed-${Math.random().toString(36).slice(2)}`,
      scopes: ["deploy:read"],
      tokenEndpointAuthMethod: "private_key_jwt",
      publicKeys: [key.pem],
    });
    const testClient: TestClient = {
      id: keyed.id,
      name: keyed.name,
      secret: "",
      otpauthUri: undefined,
    };
    return { key, testClient };
  }

  it("takes the token endpoint's URL, unprefixed for the default tenant too, or the issuer, alone or as an array of one", async () => {
    const { key, testClient } = await keyedClient();
    for (const aud of [TOKEN_URL, "https://auth.example.test/oauth/token", ISSUER, [ISSUER]]) {
      const response = await byAssertion(await assertion(h, testClient, key, { aud }));
      expect(response.statusCode, JSON.stringify(aud)).toBe(200);
    }
  });

  it.each([
    ["another endpoint's URL", `${ISSUER}/oauth/introspect`],
    ["the default tenant's other endpoint", "https://auth.example.test/oauth/revoke"],
    ["the token API's URL", "https://auth.example.test/auth/tokens/long"],
    ["an array naming another server too", [TOKEN_URL, "https://as.example.test/token"]],
    ["an array of two of Tessera's", [ISSUER, TOKEN_URL]],
  ])("refuses %s", async (_, aud) => {
    const { key, testClient } = await keyedClient();
    expectOAuthError(
      await byAssertion(await assertion(h, testClient, key, { aud })),
      401,
      "invalid_client",
    );
  });

  it("spends a jti made for the issuer wherever it is first used: the token API, then OAuth", async () => {
    const { key, testClient } = await keyedClient();
    await updateClient(h.runtime.ctx, {
      tenantId: TENANT,
      client: testClient.id,
      grantTypes: ["client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
    });
    const signed = await assertion(h, testClient, key, { aud: ISSUER });
    const atTokenApi = await postLong(h, {
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      assertion: signed,
    });
    expect(atTokenApi.statusCode, atTokenApi.body).toBe(201);
    expectOAuthError(await byAssertion(signed), 401, "invalid_client");
  });
});
