import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionOf } from "../../../test/support/harness.js";
import {
  clientBasic,
  formOf,
  type ListeningHarness,
  startListeningHarness,
} from "../../../test/support/oauth.js";
import { addClient, type TestClient } from "../../../test/support/token-api.js";
import { createClient } from "../../core/clients/clients.js";
import type { TenantId } from "../../core/ids.js";
import { createTenant } from "../../core/tenants.js";

/**
 * Introspection answers as signed JWTs (RFC 9701), over a real listening
 * server: asked for with `Accept: application/token-introspection+jwt`,
 * checked by oauth4webapi 3 (its RFC 9701 processing and signature check)
 * and by jose against the tenant's JWKS fetched over HTTP, as a resource
 * server would. Without that `Accept`, and for every error, the answer
 * stays RFC 7662 JSON.
 */

const JWT_TYPE = "application/token-introspection+jwt";
const insecure = { [oauth.allowInsecureRequests]: true };

let h: ListeningHarness;
let gateway: TestClient;
let service: TestClient;

beforeAll(async () => {
  h = await startListeningHarness();
  await h.addUser("alice");
  gateway = await addClient(h, { scopes: ["tokens:admin"] });
  service = await addClient(h, { scopes: ["reports:read"] });
});
afterAll(async () => {
  await h.close();
});

/** `POST <issuer>/oauth/introspect` over HTTP, as `by`, with `accept` if given. */
function introspect(
  token: string,
  by: TestClient,
  accept?: string,
  issuer: string = h.issuer,
): Promise<Response> {
  return fetch(`${issuer}/oauth/introspect`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: clientBasic(by.id, by.secret),
      ...(accept === undefined ? {} : { accept }),
    },
    body: formOf({ token }),
  });
}

/** A client_credentials access token of `client`, got over HTTP. */
async function clientToken(client: TestClient): Promise<string> {
  const response = await fetch(`${h.issuer}/oauth/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: clientBasic(client.id, client.secret),
    },
    body: "grant_type=client_credentials",
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** The tenant's JWKS as a resource server finds it: through discovery, over HTTP. */
async function jwksOf(issuer: string) {
  const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
  };
  return createRemoteJWKSet(new URL(metadata.jwks_uri));
}

describe("200: a signed JWT for a client that accepts one", () => {
  it("jose verifies it with the tenant's JWKS: typ, iss, aud the client, iat, and the RFC 7662 answer", async () => {
    const accessToken = sessionOf(await h.login("alice")).session.accessToken;
    const plain = await (await introspect(accessToken, gateway)).json();
    expect(plain).toMatchObject({ active: true, username: "alice" });

    const response = await introspect(accessToken, gateway, JWT_TYPE);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(JWT_TYPE);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const { payload, protectedHeader } = await jwtVerify(
      await response.text(),
      await jwksOf(h.issuer),
      {
        issuer: h.issuer,
        audience: gateway.id,
        typ: "token-introspection+jwt",
        algorithms: ["ES256"],
      },
    );
    expect(protectedHeader).toMatchObject({ alg: "ES256", typ: "token-introspection+jwt" });
    expect(Object.keys(payload).sort()).toEqual(["aud", "iat", "iss", "token_introspection"]);
    expect(payload.iat).toBe(Math.floor(h.clock.now() / 1000));
    expect(payload.token_introspection).toEqual(plain);
  });

  it("oauth4webapi asks for it, processes it and checks its signature against the JWKS", async () => {
    const as = await oauth.processDiscoveryResponse(
      new URL(h.issuer),
      await oauth.discoveryRequest(new URL(h.issuer), { algorithm: "oauth2", ...insecure }),
    );
    expect(as.introspection_signing_alg_values_supported).toEqual(["ES256"]);
    const self = { client_id: gateway.id };
    const token = await clientToken(service);
    const response = await oauth.introspectionRequest(
      as,
      self,
      oauth.ClientSecretBasic(gateway.secret),
      token,
      { requestJwtResponse: true, ...insecure },
    );
    expect(response.headers.get("content-type")).toBe(JWT_TYPE);
    const answer = await oauth.processIntrospectionResponse(as, self, response);
    expect(answer).toMatchObject({
      active: true,
      client_id: service.id,
      sub: service.id,
      scope: "reports:read",
      iss: h.issuer,
    });
    await expect(
      oauth.validateApplicationLevelSignature(as, response, insecure),
    ).resolves.toBeUndefined();
  });

  it("signs {active: false} alike for a token the client may not see", async () => {
    const token = await clientToken(gateway);
    const response = await introspect(token, service, JWT_TYPE);
    expect(response.headers.get("content-type")).toBe(JWT_TYPE);
    const { payload } = await jwtVerify(await response.text(), await jwksOf(h.issuer), {
      issuer: h.issuer,
      audience: service.id,
      typ: "token-introspection+jwt",
      algorithms: ["ES256"],
    });
    expect(payload.token_introspection).toEqual({ active: false });
  });

  it.each([
    ["with other types", `application/json;q=0.5, ${JWT_TYPE}`],
    ["in another case, weighted", "Application/Token-Introspection+JWT; q=0.8"],
  ])("reads Accept %s", async (_how, accept) => {
    const response = await introspect(await clientToken(service), gateway, accept);
    expect(response.headers.get("content-type")).toBe(JWT_TYPE);
    expect(decodeJwt(await response.text())).toMatchObject({ aud: gateway.id });
  });

  it("signs with the tenant's own key and algorithm, and names it in the tenant's metadata", async () => {
    await createTenant(h.runtime.ctx, { id: "edwards", signingAlgorithm: "EdDSA" });
    const made = await createClient(h.runtime.ctx, {
      tenantId: "edwards" as TenantId,
      name: "edwards-gateway",
      scopes: ["tokens:admin"],
    });
    const edwards: TestClient = {
      id: made.client.id,
      name: made.client.name,
      secret: made.clientSecret ?? "",
      otpauthUri: undefined,
    };
    const issuer = `${h.publicUrl}/tenants/edwards`;
    const metadata = (await (
      await fetch(`${h.publicUrl}/.well-known/oauth-authorization-server/tenants/edwards`)
    ).json()) as Record<string, unknown>;
    expect(metadata.introspection_signing_alg_values_supported).toEqual(["EdDSA"]);
    const response = await introspect("not-a-token", edwards, JWT_TYPE, issuer);
    const { payload, protectedHeader } = await jwtVerify(
      await response.text(),
      await jwksOf(issuer),
      {
        issuer,
        audience: edwards.id,
        typ: "token-introspection+jwt",
        algorithms: ["EdDSA"],
      },
    );
    expect(protectedHeader.alg).toBe("EdDSA");
    expect(payload.token_introspection).toEqual({ active: false });
    // The default tenant's keys do not verify it.
    await expect(
      jwtVerify(
        await (await introspect("x", edwards, JWT_TYPE, issuer)).text(),
        await jwksOf(h.issuer),
      ),
    ).rejects.toThrow();
  });
});

describe("200: JSON when the client does not accept a JWT", () => {
  it.each([
    ["no Accept", undefined],
    ["application/json", "application/json"],
    ["*/*", "*/*"],
    ["the JWT type refused by weight", `application/json, ${JWT_TYPE};q=0`],
    ["a malformed weight", `${JWT_TYPE};q=abc`],
    ["a type that only starts like it", `${JWT_TYPE}x`],
  ])("%s", async (_how, accept) => {
    const response = await introspect(await clientToken(service), gateway, accept);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ active: true, client_id: service.id });
  });
});

describe("401 and 400: errors stay RFC 6749 JSON", () => {
  it("answers a failed client authentication with invalid_client JSON, not a JWT", async () => {
    const response = await introspect("x", { ...gateway, secret: "wrong" }, JWT_TYPE);
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      error: "invalid_client",
      error_description: "Client authentication failed",
    });
  });

  it("answers a request without a token with invalid_request JSON", async () => {
    const response = await fetch(`${h.issuer}/oauth/introspect`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: clientBasic(gateway.id, gateway.secret),
        accept: JWT_TYPE,
      },
      body: "",
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
  });
});
