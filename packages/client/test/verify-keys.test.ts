import { decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AccessTokenError,
  type AccessTokenErrorCode,
  type AccessTokenVerifierOptions,
  createAccessTokenVerifier,
  type FetchLike,
  verifyAccessToken,
} from "../src/index.js";
import { metadataUrls } from "../src/verify/discovery.js";
import { closedPort } from "./support/closed-port.js";
import { type ApiKey, createApiKey, login } from "./support/issue.js";
import { addUser } from "./support/provision.js";
import { startTessera, type Tessera } from "./support/tessera.js";

let tessera: Tessera;
let apiKey: ApiKey;

beforeAll(async () => {
  tessera = await startTessera();
  addUser(tessera, "alice");
  apiKey = createApiKey(tessera, "web");
});
afterAll(async () => {
  await tessera.stop();
});

function options(more: Partial<AccessTokenVerifierOptions> = {}): AccessTokenVerifierOptions {
  return { issuer: tessera.issuer, audience: apiKey.clientId, ...more };
}

/** A `fetch` that records the paths it was asked for, with a cache of its own. */
function recordingFetch(): { fetch: FetchLike; paths: string[] } {
  const paths: string[] = [];
  return {
    paths,
    fetch: (url, init) => {
      paths.push(new URL(url).pathname);
      return fetch(url, init);
    },
  };
}

async function codeOf(promise: Promise<unknown>): Promise<AccessTokenErrorCode> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AccessTokenError);
  return (error as AccessTokenError).code;
}

describe("discovery and the JWKS, cached", () => {
  it("fetches the metadata and the JWKS once for many verifications", async () => {
    const { fetch, paths } = recordingFetch();
    const verifier = createAccessTokenVerifier(options({ fetch }));
    for (let i = 0; i < 3; i++) {
      const { accessToken } = await login(tessera, apiKey, "alice");
      await verifier.verify(accessToken);
      await verifyAccessToken(accessToken, options({ fetch }));
    }
    expect(paths).toEqual([
      "/tenants/default/.well-known/openid-configuration",
      "/tenants/default/.well-known/jwks.json",
    ]);
  });
});

describe("discovery's two documents", () => {
  it("reads OpenID Connect's first, then RFC 8414's, both served by Tessera for the issuer", async () => {
    const urls = metadataUrls(tessera.issuer);
    expect(urls).toEqual([
      `${tessera.url}/tenants/default/.well-known/openid-configuration`,
      `${tessera.url}/.well-known/oauth-authorization-server/tenants/default`,
    ]);
    for (const url of urls) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { issuer: string }).issuer).toBe(tessera.issuer);
    }
  });
});

describe("signing key rotation", () => {
  it("verifies a token of a key it has not seen after fetching the JWKS again", async () => {
    const before = (await login(tessera, apiKey, "alice")).accessToken;
    // Refetches on any kid it lacks: what a cooldown past allows.
    const eager = recordingFetch();
    const eagerVerifier = createAccessTokenVerifier(
      options({ fetch: eager.fetch, jwksCooldownSeconds: 0 }),
    );
    // Will not refetch for an unknown kid for an hour.
    const patient = recordingFetch();
    const patientVerifier = createAccessTokenVerifier(
      options({ fetch: patient.fetch, jwksCacheMaxAgeSeconds: 3600, jwksCooldownSeconds: 3600 }),
    );
    await eagerVerifier.verify(before);
    await patientVerifier.verify(before);

    // The next key is published before it signs; two rotations make one that never was.
    tessera.cli(["keys", "rotate"]);
    const { activeKid } = tessera.cliJson<{ activeKid: string }>(["keys", "rotate"]);
    await tessera.restart();
    const after = (await login(tessera, apiKey, "alice")).accessToken;
    expect(decodeProtectedHeader(after).kid).toBe(activeKid);
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);

    const verified = await eagerVerifier.verify(after);
    expect(verified.header.kid).toBe(activeKid);
    const jwksFetches = (paths: string[]) => paths.filter((p) => p.endsWith("/jwks.json")).length;
    expect(jwksFetches(eager.paths)).toBe(2);
    // A retired key stays published: the token it signed still verifies.
    await expect(eagerVerifier.verify(before)).resolves.toBeTruthy();

    // Inside the cooldown an unknown kid is the token's fault, and costs no request.
    expect(await codeOf(patientVerifier.verify(after))).toBe("invalid_token");
    expect(jwksFetches(patient.paths)).toBe(1);
  });
});

describe("a fractional timeoutSeconds", () => {
  it("is used as whole milliseconds, for discovery and for the JWKS", async () => {
    const { accessToken } = await login(tessera, apiKey, "alice");
    const jwksUri = `${tessera.url}/tenants/default/.well-known/jwks.json`;
    for (const timeoutSeconds of [2.5, 1.0004, 3.3333]) {
      const verifier = createAccessTokenVerifier(options({ timeoutSeconds }));
      const direct = await verifyAccessToken(accessToken, options({ timeoutSeconds, jwksUri }));
      expect(direct.claims.username).toBe("alice");
      expect((await verifier.verify(accessToken)).claims.username).toBe("alice");
      expect(verifier.options.timeoutMs).toBe(Math.round(timeoutSeconds * 1000));
    }
  });
});

describe("the issuer unreachable: 503, not 401", () => {
  it("answers jwks_unavailable when the JWKS cannot be fetched", async () => {
    const { accessToken } = await login(tessera, apiKey, "alice");
    const down = `http://127.0.0.1:${await closedPort()}/tenants/default/.well-known/jwks.json`;
    const error = await verifyAccessToken(accessToken, options({ jwksUri: down })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AccessTokenError);
    expect((error as AccessTokenError).code).toBe("jwks_unavailable");
    expect((error as AccessTokenError).unavailable).toBe(true);
    // A JWKS URL that answers 404 is no better.
    const missing = `${tessera.url}/tenants/nowhere/.well-known/jwks.json`;
    expect(await codeOf(verifyAccessToken(accessToken, options({ jwksUri: missing })))).toBe(
      "jwks_unavailable",
    );
    // A token that could never pass is refused as such, without asking.
    expect(await codeOf(verifyAccessToken("not.a.token", options({ jwksUri: down })))).toBe(
      "invalid_token",
    );
  });

  it("answers discovery_failed when the metadata cannot be fetched", async () => {
    const { accessToken } = await login(tessera, apiKey, "alice");
    const issuer = `http://127.0.0.1:${await closedPort()}/tenants/default`;
    expect(await codeOf(verifyAccessToken(accessToken, options({ issuer })))).toBe(
      "discovery_failed",
    );
    const unknownTenant = `${tessera.url}/tenants/nowhere`;
    expect(await codeOf(verifyAccessToken(accessToken, options({ issuer: unknownTenant })))).toBe(
      "discovery_failed",
    );
  });
});

describe("an issuer whose public URL is not where it is reached", () => {
  let elsewhere: Tessera;
  beforeAll(async () => {
    elsewhere = await startTessera({ TESSERA_PUBLIC_URL: "https://auth.example.com" });
  });
  afterAll(async () => {
    await elsewhere.stop();
  });

  it("answers discovery_failed: the metadata names another issuer", async () => {
    addUser(elsewhere, "alice");
    const key = createApiKey(elsewhere, "web");
    const { accessToken } = await login(elsewhere, key, "alice");
    const error = await verifyAccessToken(accessToken, {
      issuer: `${elsewhere.url}/tenants/default`,
      audience: key.clientId,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AccessTokenError);
    expect((error as AccessTokenError).code).toBe("discovery_failed");
    expect((error as AccessTokenError).detail).toBe(
      "the metadata names another issuer: https://auth.example.com/tenants/default",
    );
  });
});
