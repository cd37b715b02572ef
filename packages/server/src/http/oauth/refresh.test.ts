import type { LightMyRequestResponse } from "fastify";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, sessionOf, startHarness, TENANT } from "../../../test/support/harness.js";
import { expectOAuthError, ISSUER, postToken } from "../../../test/support/oauth.js";
import { addClient } from "../../../test/support/token-api.js";
import { createClient } from "../../core/clients/clients.js";

/**
 * The refresh_token grant (RFC 6749 §6) at the OAuth token endpoint, for
 * the session API's refresh tokens: the API key's client (public, with
 * `password` and `refresh_token`) refreshes by its id alone, under the
 * tenant's refresh policy. By outcome, through `app.inject`.
 */

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.addUser("alice");
});
afterAll(async () => {
  await h.close();
});

interface RefreshAnswer {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly scope: string;
  readonly refresh_token: string;
  readonly id_token: string;
}

function refresh(refreshToken: string, extra: Record<string, string> = {}) {
  return postToken(h, {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    client_id: h.clientId,
    ...extra,
  });
}

function ok(response: LightMyRequestResponse): RefreshAnswer {
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers["cache-control"]).toBe("no-store");
  return response.json<RefreshAnswer>();
}

async function freshRefreshToken(): Promise<string> {
  return sessionOf(await h.login("alice")).session.refreshToken;
}

describe("200: a session's new tokens", () => {
  it("refreshes a session API refresh token for the API key's client (policy none)", async () => {
    await h.setRefreshPolicy("none");
    const token = await freshRefreshToken();
    const answer = ok(await refresh(token));
    expect(answer).toMatchObject({
      token_type: "Bearer",
      expires_in: 3600,
      scope: "openid",
      refresh_token: token,
    });
    expect(decodeJwt(answer.access_token)).toMatchObject({
      iss: ISSUER,
      aud: h.clientId,
      client_id: h.clientId,
      username: "alice",
    });
    // The ID token is for the client that asked (OpenID Connect Core §12.2).
    expect(decodeJwt(answer.id_token)).toMatchObject({ iss: ISSUER, aud: h.clientId });
    expect(ok(await refresh(token, { scope: "openid" })).refresh_token).toBe(token);
  });

  it("says the whole lifetime in expires_in, whatever the millisecond it is signed at", async () => {
    const token = await freshRefreshToken();
    h.clock.advance(700);
    expect(ok(await refresh(token)).expires_in).toBe(3600);
  });

  it("rotates under policy rotate, and a reuse after the grace window ends the session", async () => {
    await h.setRefreshPolicy("rotate", 5);
    const first = await freshRefreshToken();
    const second = ok(await refresh(first));
    expect(second.refresh_token).not.toBe(first);
    // Inside the grace window the old token gets the same successor.
    expect(ok(await refresh(first)).refresh_token).toBe(second.refresh_token);
    h.clock.advance(6_000);
    expectOAuthError(await refresh(first), 400, "invalid_grant");
    // The reuse revoked the whole family: the successor is dead too.
    expectOAuthError(await refresh(second.refresh_token), 400, "invalid_grant");
    await h.setRefreshPolicy("none");
  });
});

describe("400", () => {
  it.each([
    ["an unknown refresh token", `tsr_rt_${"a".repeat(49)}`],
    ["garbage", "not-a-refresh-token"],
  ])("answers invalid_grant for %s", async (_, token) => {
    expectOAuthError(await refresh(token), 400, "invalid_grant");
  });

  it("answers invalid_grant for a refresh token of another client, as for an unknown one", async () => {
    const { client: other, clientSecret } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "other-app",
      scopes: [],
      grantTypes: ["password", "refresh_token"],
    });
    const token = await freshRefreshToken();
    const answer = await postToken(h, {
      grant_type: "refresh_token",
      refresh_token: token,
      client_id: other.id,
      client_secret: clientSecret ?? "",
    });
    expectOAuthError(answer, 400, "invalid_grant");
    // Still its own client's.
    expect(ok(await refresh(token)).refresh_token).toBe(token);
  });

  it("answers unauthorized_client for a client not registered for refresh_token", async () => {
    const machine = await addClient(h);
    const answer = await postToken(h, {
      grant_type: "refresh_token",
      refresh_token: await freshRefreshToken(),
      client_id: machine.id,
      client_secret: machine.secret,
    });
    expectOAuthError(answer, 400, "unauthorized_client");
  });

  it("asks for the refresh token", async () => {
    const error = expectOAuthError(
      await postToken(h, { grant_type: "refresh_token", client_id: h.clientId }),
      400,
      "invalid_request",
    );
    expect(error.error_description).toBe("refresh_token is required");
  });

  it("answers invalid_scope for a scope a session does not have", async () => {
    expectOAuthError(
      await refresh(await freshRefreshToken(), { scope: "openid admin" }),
      400,
      "invalid_scope",
    );
  });
});

describe("401", () => {
  it("refuses an unknown public client", async () => {
    const response = await postToken(h, {
      grant_type: "refresh_token",
      refresh_token: await freshRefreshToken(),
      client_id: "no-such-client",
    });
    expectOAuthError(response, 401, "invalid_client");
  });
});
