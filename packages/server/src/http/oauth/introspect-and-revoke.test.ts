import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, sessionOf, startHarness } from "../../../test/support/harness.js";
import { expectOAuthError, ISSUER, postToken } from "../../../test/support/oauth.js";
import { login } from "../../../test/support/operations.js";
import {
  addClient,
  issueLong,
  issueShort,
  type TestClient,
} from "../../../test/support/token-api.js";
import { createTenant } from "../../core/tenants.js";

/**
 * Introspection (RFC 7662) and revocation (RFC 7009) of every kind of token
 * Tessera issues, through `app.inject`, by outcome. `admin` holds
 * `tokens:admin` and may see and end any token of its tenant; `machine`
 * sees only its own.
 */

let h: Harness;
let admin: TestClient;
let machine: TestClient;

beforeAll(async () => {
  h = await startHarness();
  await h.addUser("alice");
  admin = await addClient(h, { scopes: ["tokens:admin"] });
  machine = await addClient(h, { scopes: ["deploy:read", "tokens:write"] });
});
afterAll(async () => {
  await h.close();
});

const credentials = (client: TestClient) => ({
  client_id: client.id,
  client_secret: client.secret,
});

function post(
  endpoint: "introspect" | "revoke",
  token: string | undefined,
  by: TestClient = admin,
): Promise<LightMyRequestResponse> {
  return postToken(
    h,
    { ...(token === undefined ? {} : { token }), ...credentials(by) },
    {},
    `/tenants/default/oauth/${endpoint}`,
  );
}

async function introspect(token: string, by: TestClient = admin): Promise<Record<string, unknown>> {
  const response = await post("introspect", token, by);
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers["cache-control"]).toBe("no-store");
  return response.json();
}

async function revoke(token: string, by: TestClient = admin): Promise<void> {
  const response = await post("revoke", token, by);
  expect(response.statusCode, response.body).toBe(200);
  expect(response.body).toBe("");
}

/** A client access token of `client`, by the client credentials grant. */
async function clientAccessToken(client: TestClient): Promise<string> {
  const response = await postToken(h, { grant_type: "client_credentials", ...credentials(client) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ access_token: string }>().access_token;
}

/** One token of every kind, fresh. */
async function everyKind() {
  const session = sessionOf(await h.login("alice")).session;
  const operations = await login(h, "alice");
  const long = await issueLong(h, machine);
  const short = await issueShort(h, long.token);
  return {
    access_token: session.accessToken,
    id_token: session.authorization,
    refresh_token: session.refreshToken,
    operation_token: operations.operation_token,
    operation_refresh_token: operations.refresh_token,
    long_term_token: long.token,
    short_term_token: short.access_token,
    client_access_token: await clientAccessToken(machine),
  };
}

describe("200: active, for every kind of token", () => {
  it("describes each kind as RFC 7662 §2.2 has it", async () => {
    const tokens = await everyKind();
    const answers: Record<string, Record<string, unknown>> = Object.fromEntries(
      await Promise.all(
        Object.entries(tokens).map(async ([kind, token]) => [kind, await introspect(token)]),
      ),
    );
    for (const [kind, answer] of Object.entries(answers)) {
      expect(answer, kind).toMatchObject({ active: true, iss: ISSUER });
      expect(typeof answer.exp, kind).toBe("number");
      expect(typeof answer.iat, kind).toBe("number");
      expect(typeof answer.sub, kind).toBe("string");
      expect(typeof answer.client_id, kind).toBe("string");
    }
    for (const kind of ["access_token", "refresh_token", "operation_token"]) {
      expect(answers[kind], kind).toMatchObject({ username: "alice" });
    }
    expect(answers.access_token).toMatchObject({ token_type: "Bearer", client_id: h.clientId });
    expect(answers.id_token).toMatchObject({ token_type: "id_token" });
    expect(answers.refresh_token).toMatchObject({ token_type: "refresh_token" });
    expect(answers.client_access_token).toMatchObject({
      token_type: "Bearer",
      client_id: machine.id,
      sub: machine.id,
      aud: ISSUER,
      scope: "deploy:read tokens:write",
    });
    expect(answers.short_term_token).toMatchObject({ client_id: machine.id, aud: ISSUER });
  });

  it("lets a client see its own tokens without tokens:admin", async () => {
    const token = await clientAccessToken(machine);
    expect(await introspect(token, machine)).toMatchObject({ active: true, client_id: machine.id });
  });
});

describe("200: {active: false}, and nothing more", () => {
  it("after each kind is revoked through /oauth/revoke", async () => {
    const tokens = await everyKind();
    for (const [kind, token] of Object.entries(tokens)) {
      await revoke(token);
      expect(await introspect(token), kind).toEqual({ active: false });
    }
  });

  it("for a session's access and ID tokens at once when its refresh token is revoked", async () => {
    const session = sessionOf(await h.login("alice")).session;
    await revoke(session.refreshToken);
    expect(await introspect(session.accessToken)).toEqual({ active: false });
    expect(await introspect(session.authorization)).toEqual({ active: false });
  });

  it.each([
    ["garbage", "not a token"],
    ["an unknown refresh token", `tsr_rt_${"a".repeat(49)}`],
    ["a client secret", "tsr_cs_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
  ])("for %s", async (_, token) => {
    expect(await introspect(token)).toEqual({ active: false });
  });

  it("for another client's token, without tokens:admin, and leaves it live", async () => {
    const theirs = await clientAccessToken(admin);
    const session = sessionOf(await h.login("alice")).session;
    for (const token of [theirs, session.accessToken]) {
      expect(await introspect(token, machine)).toEqual({ active: false });
      await revoke(token, machine);
      expect(await introspect(token)).toMatchObject({ active: true });
    }
  });

  it("for another tenant's token, even with tokens:admin", async () => {
    await createTenant(h.runtime.ctx, { id: "elsewhere" });
    const theirs = await clientAccessToken(machine);
    const response = await postToken(
      h,
      { token: theirs, ...credentials(admin) },
      {},
      "/tenants/elsewhere/oauth/introspect",
    );
    // The admin client is not a client of that tenant at all.
    expectOAuthError(response, 401, "invalid_client");
  });
});

describe("200: revocation says nothing of the token", () => {
  it.each([
    ["an unknown token", "whatever"],
    ["an already revoked token", "revoked"],
  ])("answers 200 with no body for %s", async (_, which) => {
    const token = which === "revoked" ? await clientAccessToken(machine) : which;
    if (which === "revoked") {
      await revoke(token);
    }
    await revoke(token);
  });
});

describe("a public client (an API key's)", () => {
  it("revokes its session by its refresh token with its client id alone (RFC 7009 §2.1)", async () => {
    const session = sessionOf(await h.login("alice")).session;
    const response = await postToken(
      h,
      { token: session.refreshToken, client_id: h.clientId },
      {},
      "/oauth/revoke",
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(await introspect(session.accessToken)).toEqual({ active: false });
  });

  it("may not introspect: an authorized caller is needed (RFC 7662 §2.1)", async () => {
    const session = sessionOf(await h.login("alice")).session;
    const response = await postToken(
      h,
      { token: session.accessToken, client_id: h.clientId },
      {},
      "/oauth/introspect",
    );
    expectOAuthError(response, 401, "invalid_client");
  });
});

describe("400 and 401", () => {
  it.each(["introspect", "revoke"] as const)("%s asks for the token", async (endpoint) => {
    const error = expectOAuthError(await post(endpoint, undefined), 400, "invalid_request");
    expect(error.error_description).toBe("token is required");
  });

  it.each(["introspect", "revoke"] as const)(
    "%s needs an authenticated client",
    async (endpoint) => {
      const token = await clientAccessToken(machine);
      const response = await postToken(h, { token }, {}, `/tenants/default/oauth/${endpoint}`);
      expectOAuthError(response, 401, "invalid_client");
      const wrong = await postToken(
        h,
        { token, client_id: machine.id, client_secret: "tsr_cs_wrong" },
        {},
        `/oauth/${endpoint}`,
      );
      expectOAuthError(wrong, 401, "invalid_client");
      expect(await introspect(token)).toMatchObject({ active: true });
    },
  );
});
