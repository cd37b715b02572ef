import type { LightMyRequestResponse } from "fastify";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, PASSWORD, startHarness, TENANT } from "../../../test/support/harness.js";
import { clientBasic, expectOAuthError, postToken } from "../../../test/support/oauth.js";
import { createClient } from "../../core/clients/clients.js";
import { CLI_CLIENT_ID, ensureFirstPartyClients } from "../../core/clients/first-party.js";
import type { ClientId, TenantId } from "../../core/ids.js";
import { createTenant, TENANT_DEFAULTS } from "../../core/tenants.js";

/**
 * Tessera's own client, `tessera-cli`: made in every tenant, public, and
 * the one client that may use the password grant by its id alone, whatever
 * the tenant's setting (which stays off for every other client). What a
 * user signed in through it may do at the admin API is what the user's
 * own permissions allow.
 */

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.addUser("opal", ["admin"]);
  await h.addUser("plain");
});
afterAll(async () => {
  await h.close();
});

interface SessionAnswer {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly expires_in: number;
}

function ok(response: LightMyRequestResponse): SessionAnswer {
  expect(response.statusCode, response.body).toBe(200);
  return response.json<SessionAnswer>();
}

const cliLogin = (username: string, password: string, extra: Record<string, string> = {}) =>
  postToken(h, { grant_type: "password", client_id: CLI_CLIENT_ID, username, password, ...extra });

const me = (token: string) =>
  h.app.inject({
    method: "GET",
    url: "/admin/v1/me",
    headers: { authorization: `Bearer ${token}` },
  });

describe("the CLI's client", () => {
  it("is made by bootstrap: public, password and refresh, the admin scopes, first-party", async () => {
    const client = await h.runtime.ctx.store.clients.get(TENANT, CLI_CLIENT_ID);
    expect(client).toMatchObject({
      tokenEndpointAuthMethod: "none",
      grantTypes: ["password", "refresh_token"],
      scopes: ["admin:read", "admin:write"],
      firstParty: true,
      secretHash: null,
    });
  });

  it("is made in every tenant created later, and no client an operator registers is first-party", async () => {
    const tenant = await createTenant(h.runtime.ctx, { id: "fp-later" });
    expect((await h.runtime.ctx.store.clients.get(tenant.id, CLI_CLIENT_ID))?.firstParty).toBe(
      true,
    );
    const { client } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "operator-public",
      tokenEndpointAuthMethod: "none",
      scopes: ["admin:write"],
    });
    expect(client.firstParty).toBe(false);
  });
});

describe("the password grant by its id alone", () => {
  it("signs an admin in while the tenant's password grant is off, with a token the admin API takes", async () => {
    const tenant = await h.runtime.ctx.store.tenants.get(TENANT);
    expect(tenant?.oauthPasswordGrant).toBe(false);
    const answer = ok(await cliLogin("opal", PASSWORD));
    expect(decodeJwt(answer.access_token)).toMatchObject({ aud: CLI_CLIENT_ID });
    const caller = await me(answer.access_token);
    expect(caller.statusCode, caller.body).toBe(200);
    expect(caller.json()).toMatchObject({
      tenant_id: TENANT,
      platform: true,
      access: "write",
      user: { name: "opal" },
      client: { id: CLI_CLIENT_ID },
    });
  });

  it("refreshes by its id alone", async () => {
    const first = ok(await cliLogin("opal", PASSWORD));
    const renewed = ok(
      await postToken(h, {
        grant_type: "refresh_token",
        client_id: CLI_CLIENT_ID,
        refresh_token: first.refresh_token,
      }),
    );
    expect((await me(renewed.access_token)).statusCode).toBe(200);
  });

  it("signs in no user without admin access, answering as for a wrong password", async () => {
    const wrong = expectOAuthError(
      await cliLogin("plain", "not the password"),
      400,
      "invalid_grant",
    );
    const notAdmin = expectOAuthError(await cliLogin("plain", PASSWORD), 400, "invalid_grant");
    expect(notAdmin).toEqual(wrong);
    const [event] = await h.runtime.ctx.store.audit.list(TENANT, { limit: 1 });
    expect(event).toMatchObject({ type: "login.failed", detail: { reason: "not_admin" } });
  });

  it("signs in a user with admin:read, whom the admin API lets read", async () => {
    await h.addUser("reader", ["admin:read"]);
    const answer = ok(await cliLogin("reader", PASSWORD));
    expect((await me(answer.access_token)).json()).toMatchObject({ access: "read" });
  });

  it("answers an unknown user and a wrong password alike", async () => {
    const wrong = expectOAuthError(
      await cliLogin("opal", "not the password"),
      400,
      "invalid_grant",
    );
    const unknown = expectOAuthError(await cliLogin("nobody-here", PASSWORD), 400, "invalid_grant");
    expect(unknown).toEqual(wrong);
  });

  it("refuses the CLI's client once disabled, and the admin API its access tokens already issued", async () => {
    const issued = ok(await cliLogin("opal", PASSWORD));
    await h.runtime.ctx.store.clients.update(
      TENANT,
      CLI_CLIENT_ID,
      { status: "disabled" },
      Date.now(),
    );
    try {
      expectOAuthError(await cliLogin("opal", PASSWORD), 401, "invalid_client");
      expect((await me(issued.access_token)).statusCode).toBe(401);
    } finally {
      await h.runtime.ctx.store.clients.update(
        TENANT,
        CLI_CLIENT_ID,
        { status: "active" },
        Date.now(),
      );
    }
    ok(await cliLogin("opal", PASSWORD));
  });
});

describe("the CLI's client cannot be changed", () => {
  const adminBot = async () => {
    const { client, clientSecret } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: `bot-${Math.random().toString(36).slice(2, 8)}`,
      scopes: ["admin:read", "admin:write"],
      grantTypes: ["client_credentials"],
    });
    const answer = ok(
      await postToken(
        h,
        { grant_type: "client_credentials" },
        { authorization: clientBasic(client.id, clientSecret ?? "") },
      ),
    );
    return answer.access_token;
  };
  const call = (token: string, method: "PATCH" | "POST", url: string, body: unknown) =>
    h.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      payload: JSON.stringify(body),
    });
  const path = `/admin/v1/tenants/default/clients/${CLI_CLIENT_ID}`;

  it("refuses to give it a secret, other grants, scopes, keys or a name, to an admin:write bot too", async () => {
    const token = await adminBot();
    for (const body of [
      { token_endpoint_auth_method: "client_secret_basic", grant_types: ["client_credentials"] },
      { scopes: ["admin:read"] },
      { name: "renamed" },
    ]) {
      const response = await call(token, "PATCH", path, body);
      expect(response.statusCode, response.body).toBe(403);
      expect(response.json()).toMatchObject({ code: "forbidden" });
    }
    expect((await call(token, "POST", `${path}/secret`, {})).statusCode).toBe(403);
    const key = await call(token, "POST", "/admin/v1/tenants/default/api-keys", {
      client_id: CLI_CLIENT_ID,
    });
    expect(key.statusCode, key.body).toBe(403);
    expect(await h.runtime.ctx.store.clients.get(TENANT, CLI_CLIENT_ID)).toMatchObject({
      tokenEndpointAuthMethod: "none",
      scopes: ["admin:read", "admin:write"],
      secretHash: null,
    });
  });

  it("lets it be disabled and enabled", async () => {
    const token = await adminBot();
    expect((await call(token, "PATCH", path, { enabled: false })).statusCode).toBe(200);
    expectOAuthError(await cliLogin("opal", PASSWORD), 401, "invalid_client");
    expect((await call(token, "PATCH", path, { enabled: true })).statusCode).toBe(200);
    ok(await cliLogin("opal", PASSWORD));
  });

  it("leaves alone a tenant whose operator named a client tessera-cli before, without failing", async () => {
    // A tenant made before the CLI's client existed, where an operator took the name.
    const now = Date.now();
    const tenantId = "fp-clash" as TenantId;
    await h.runtime.ctx.store.tenants.create({
      ...TENANT_DEFAULTS,
      id: tenantId,
      displayName: tenantId,
      createdAt: now,
      updatedAt: now,
    });
    const { client: theirs } = await createClient(h.runtime.ctx, {
      tenantId,
      name: CLI_CLIENT_ID,
      scopes: [],
    });
    expect(await ensureFirstPartyClients(h.runtime.ctx, tenantId)).toBeUndefined();
    expect(await h.runtime.ctx.store.clients.getByName(tenantId, CLI_CLIENT_ID)).toEqual(theirs);
    expect(await h.runtime.ctx.store.clients.get(tenantId, CLI_CLIENT_ID)).toBeUndefined();
  });
});

describe("every other client keeps the rules it had", () => {
  it("refuses an operator's public client by its id alone, the setting off", async () => {
    const { client } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "public-lookalike",
      tokenEndpointAuthMethod: "none",
      grantTypes: ["password", "refresh_token"],
      scopes: ["admin:write"],
    });
    expectOAuthError(
      await postToken(h, {
        grant_type: "password",
        client_id: client.id,
        username: "opal",
        password: PASSWORD,
      }),
      400,
      "unsupported_grant_type",
    );
  });

  it("refuses a confidential client's password grant while the setting is off", async () => {
    const { client, clientSecret } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "confidential-backend",
      grantTypes: ["password", "refresh_token"],
      scopes: [],
    });
    expectOAuthError(
      await postToken(
        h,
        { grant_type: "password", username: "opal", password: PASSWORD },
        { authorization: clientBasic(client.id, clientSecret ?? "") },
      ),
      400,
      "unsupported_grant_type",
    );
  });

  it("does not take the CLI's id with a secret beside it as the CLI", async () => {
    expectOAuthError(
      await cliLogin("opal", PASSWORD, { client_secret: "anything" }),
      400,
      "unsupported_grant_type",
    );
  });

  it("does not sign in to a tenant through another tenant's CLI client", async () => {
    const response = await postToken(
      h,
      { grant_type: "password", client_id: CLI_CLIENT_ID, username: "opal", password: PASSWORD },
      {},
      "/tenants/fp-later/oauth/token",
    );
    // opal is a user of the default tenant only.
    expectOAuthError(response, 400, "invalid_grant");
    expect(
      (await h.runtime.ctx.store.clients.get("fp-later" as TenantId, CLI_CLIENT_ID as ClientId))
        ?.tenantId,
    ).toBe("fp-later");
  });
});
