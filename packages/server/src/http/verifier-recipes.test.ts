import { createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docRecipe, type RecipeDependencies } from "../../test/support/doc-recipes.js";
import { type Harness, sessionOf, startHarness, TENANT } from "../../test/support/harness.js";
import { login, type Tokens } from "../../test/support/operations.js";
import { signClientAccessToken } from "../../test/support/registry.js";
import {
  addClient,
  allowAudiencesUnchecked,
  issueLong,
  issueShort,
} from "../../test/support/token-api.js";
import type { ClientId } from "../core/ids.js";
import { getTenant, updateTenant } from "../core/tenants.js";

/**
 * The verifiers docs/ tells resource servers to copy, run as printed with
 * `jose`: each must take the kind of token it is for, and refuse the other
 * kinds by its `typ` check alone, even when an operator has let a machine
 * client mint tokens for a session API client's id.
 */

const TESSERA = "https://auth.example.test";
const SERVICE = "https://deploy.example.test";

let h: Harness;
let user: { accessToken: string; idToken: string };
let machine: { forSessionClient: string; forService: string; clientCredentials: string };
let operations: Tokens;
let jose: RecipeDependencies;

beforeAll(async () => {
  h = await startHarness();
  // The recipes check `exp` against the real clock, as a resource server does.
  h.clock.set(Date.now());
  await h.addUser("alice");
  const session = sessionOf(await h.login("alice")).session;
  user = { accessToken: session.accessToken, idToken: session.authorization };
  operations = await login(h, "alice");
  const client = await addClient(h, { audiences: [SERVICE] });
  // Refused today, but a list of an earlier version may hold it: the typ still tells them apart.
  await allowAudiencesUnchecked(h, client.id, [h.clientId, SERVICE]);
  const long = await issueLong(h, client);
  machine = {
    forSessionClient: (await issueShort(h, long.token, { audience: h.clientId })).access_token,
    forService: (await issueShort(h, long.token, { audience: SERVICE })).access_token,
    // What the client credentials grant signs (RFC 9068, at+jwt, no sid nor token_use), for the
    // session client's id: refused at issue today, so signed as a version that allowed it would.
    clientCredentials: await signClientAccessToken(
      h.runtime.ctx,
      await getTenant(h.runtime.ctx, TENANT),
      (await h.runtime.ctx.store.clients.get(TENANT, client.id as ClientId)) ?? fail(),
      { audience: h.clientId },
    ),
  };
  // The recipe fetches the JWKS from the public URL; here it is served by the app itself.
  jose = {
    jwtVerify,
    createRemoteJWKSet: (url, options) =>
      createRemoteJWKSet(url, {
        ...options,
        [customFetch]: async (requested: string) => {
          const target = new URL(requested);
          expect(target.origin).toBe(TESSERA);
          const response = await h.app.inject({ method: "GET", url: target.pathname });
          return new Response(response.body, {
            status: response.statusCode,
            headers: { "content-type": "application/json" },
          });
        },
      }),
  };
});
afterAll(async () => {
  await h.close();
});

function fail(): never {
  throw new Error("no such client");
}

const refusedByTyp = { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "typ" };

describe("docs/session-api.md verifyAccessToken", () => {
  const verify = () =>
    docRecipe(
      "session-api.md",
      "verifyAccessToken",
      { TESSERA, TENANT: "default", CLIENT_ID: h.clientId },
      jose,
    );

  it("accepts a user's access token", async () => {
    const payload = await verify()(user.accessToken);
    expect(payload).toMatchObject({ username: "alice", token_use: "access", aud: h.clientId });
  });

  it("refuses a machine's short-term token minted for this client id, by its typ", async () => {
    await expect(verify()(machine.forSessionClient)).rejects.toMatchObject(refusedByTyp);
  });

  it("refuses an ID token, by its typ", async () => {
    await expect(verify()(user.idToken)).rejects.toMatchObject(refusedByTyp);
  });

  it("refuses a client access token with this client id as its audience: it has no sid nor token_use", async () => {
    expect(decodeJwt(machine.clientCredentials)).toMatchObject({
      aud: h.clientId,
      iss: decodeJwt(user.accessToken).iss,
    });
    expect(decodeProtectedHeader(machine.clientCredentials).typ).toBe("at+jwt");
    await expect(verify()(machine.clientCredentials)).rejects.toMatchObject({
      code: "ERR_JWT_CLAIM_VALIDATION_FAILED",
      claim: expect.stringMatching(/^(sid|token_use)$/),
    });
  });
});

describe("docs/token-api.md verifyAutomationToken", () => {
  const verify = (audience: string) =>
    docRecipe(
      "token-api.md",
      "verifyAutomationToken",
      { TESSERA, TENANT: "default", AUDIENCE: audience },
      jose,
    );

  it("accepts a machine's short-term token for its audience", async () => {
    const payload = await verify(SERVICE)(machine.forService);
    expect(payload).toMatchObject({ token_use: "automation", aud: SERVICE });
    expect(await verify(h.clientId)(machine.forSessionClient)).toMatchObject({ aud: h.clientId });
  });

  it("refuses a user's access token for the same audience, by its typ", async () => {
    await expect(verify(h.clientId)(user.accessToken)).rejects.toMatchObject(refusedByTyp);
  });

  it("refuses a machine's token for another audience", async () => {
    await expect(verify(SERVICE)(machine.forSessionClient)).rejects.toMatchObject({
      code: "ERR_JWT_CLAIM_VALIDATION_FAILED",
      claim: "aud",
    });
  });
});

describe("docs/operations-api.md verifyOperationToken", () => {
  const verify = () =>
    docRecipe("operations-api.md", "verifyOperationToken", { TESSERA, TENANT: "default" }, jose);
  const refusedByAlg = { code: "ERR_JOSE_ALG_NOT_ALLOWED" };
  /** The same tenant's other tokens once it signs them with RS256 too, as a tenant may. */
  let rs256: { accessToken: string; idToken: string; shortTerm: string };

  beforeAll(async () => {
    await updateTenant(h.runtime.ctx, TENANT, { signingAlgorithm: "RS256" });
    const session = sessionOf(await h.login("alice")).session;
    const long = await issueLong(h, await addClient(h, { audiences: [SERVICE] }));
    rs256 = {
      accessToken: session.accessToken,
      idToken: session.authorization,
      shortTerm: (await issueShort(h, long.token, { audience: SERVICE })).access_token,
    };
    for (const token of Object.values(rs256)) {
      expect(decodeProtectedHeader(token).alg).toBe("RS256");
    }
  });

  it("accepts an operation token", async () => {
    const payload = await verify()(operations.operation_token);
    expect(payload).toMatchObject({
      username: "alice",
      sub: "operation",
      aud: "tessera:operations",
    });
  });

  it("refuses the refresh token of the same session, by its sub", async () => {
    await expect(verify()(operations.refresh_token)).rejects.toMatchObject({
      code: "ERR_JWT_CLAIM_VALIDATION_FAILED",
      claim: "sub",
    });
  });

  it("refuses a user's session access token: by its algorithm, and by its typ when RS256", async () => {
    await expect(verify()(user.accessToken)).rejects.toMatchObject(refusedByAlg);
    await expect(verify()(rs256.accessToken)).rejects.toMatchObject(refusedByTyp);
  });

  it("refuses a session ID token, whose typ is JWT too, by its sub and aud", async () => {
    await expect(verify()(user.idToken)).rejects.toMatchObject(refusedByAlg);
    // jose checks sub before aud; the ID token has neither of an operation token.
    await expect(verify()(rs256.idToken)).rejects.toMatchObject({
      code: "ERR_JWT_CLAIM_VALIDATION_FAILED",
      claim: "sub",
    });
    expect(decodeJwt(rs256.idToken).aud).not.toBe("tessera:operations");
  });

  it("refuses a machine's short-term token: by its algorithm, and by its typ when RS256", async () => {
    await expect(verify()(machine.forService)).rejects.toMatchObject(refusedByAlg);
    await expect(verify()(rs256.shortTerm)).rejects.toMatchObject(refusedByTyp);
  });
});
