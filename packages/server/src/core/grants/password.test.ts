import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, PASSWORD, startHarness, TENANT } from "../../../test/support/harness.js";
import { lastAudit } from "../../../test/support/token-api.js";
import { createApiKey } from "../api-keys.js";
import { createClient } from "../clients/clients.js";
import {
  CLIENT_CREDENTIALS,
  PASSWORD as PASSWORD_GRANT,
  REFRESH_TOKEN,
} from "../clients/grant-types.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import { updateTenant } from "../tenants.js";
import { loginForClient } from "./password.js";
import { refreshForClient } from "./refresh.js";

const IP = "192.0.2.9";

let h: Harness;
let tenant: TenantRecord;
/** A confidential client registered for password and refresh_token. */
let app: ClientRecord;

beforeAll(async () => {
  h = await startHarness({ TESSERA_LOGIN_MAX_FAILURES_PER_USER_IP: "3" });
  await h.addUser("alice");
  await h.addUser("bob");
  tenant = await updateTenant(h.runtime.ctx, TENANT, { oauthPasswordGrant: true });
  ({ client: app } = await createClient(h.runtime.ctx, {
    tenantId: TENANT,
    name: "password-app",
    scopes: [],
    grantTypes: [PASSWORD_GRANT, REFRESH_TOKEN],
  }));
});
afterAll(async () => {
  await h.close();
});

const login = (
  username: string,
  password: string,
  extra: {
    readonly tenant?: TenantRecord;
    readonly client?: ClientRecord;
    readonly ip?: string;
  } = {},
) => loginForClient(h.runtime.ctx, { tenant, client: app, username, password, ip: IP, ...extra });

describe("loginForClient", () => {
  it("starts a session for the client through the session API's login, audited", async () => {
    const tokens = await login("alice", PASSWORD);
    expect(tokens.clientId).toBe(app.id);
    expect(tokens.session).toMatchObject({ clientId: app.id, apiKeyId: null });
    expect(decodeJwt(tokens.accessToken)).toMatchObject({
      aud: app.id,
      client_id: app.id,
      username: "alice",
      scope: "openid",
    });
    expect(decodeJwt(tokens.idToken)).toMatchObject({ aud: app.id, token_use: "id" });
    expect(await lastAudit(h, "login.succeeded")).toMatchObject({
      sessionId: tokens.session.id,
      ip: IP,
      detail: { clientId: app.id },
    });
  });

  it("gives a refresh token the client refreshes with the refresh token grant", async () => {
    const tokens = await login("alice", PASSWORD);
    const refreshed = await refreshForClient(h.runtime.ctx, {
      tenant,
      client: app,
      refreshToken: tokens.refreshToken,
      ip: IP,
    });
    expect(refreshed.session.id).toBe(tokens.session.id);
    expect(decodeJwt(refreshed.idToken)).toMatchObject({ aud: app.id });
  });

  it("answers an unknown user and a wrong password alike, and audits the real reason", async () => {
    const unknown = await login("nobody", PASSWORD).catch((error: unknown) => error);
    const wrong = await login("bob", "wrong password").catch((error: unknown) => error);
    expect(unknown).toMatchObject({ code: "invalid_credentials" });
    expect(wrong).toMatchObject({ code: "invalid_credentials" });
    expect((unknown as Error).message).toBe((wrong as Error).message);
    expect((await lastAudit(h, "login.failed"))?.detail).toMatchObject({
      username: "bob",
      reason: "bad_password",
    });
  });

  it("is throttled after repeated failures, the right password included", async () => {
    const ip = "192.0.2.99";
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(login("bob", "wrong", { ip })).rejects.toMatchObject({
        code: "invalid_credentials",
      });
    }
    await expect(login("bob", PASSWORD, { ip })).rejects.toMatchObject({ code: "rate_limited" });
    expect((await lastAudit(h, "login.throttled"))?.detail).toMatchObject({ username: "bob" });
  });

  it("refuses while the tenant has the grant off, before any password is checked", async () => {
    const off = { ...tenant, oauthPasswordGrant: false };
    const before = await h.runtime.ctx.store.audit.list(TENANT, { limit: 500 });
    await expect(login("alice", PASSWORD, { tenant: off })).rejects.toMatchObject({
      code: "forbidden",
      message: "This tenant does not serve the password grant",
    });
    const after = await h.runtime.ctx.store.audit.list(TENANT, { limit: 500 });
    expect(after.length).toBe(before.length);
  });

  it("refuses a public client, an API key's registered for password included", async () => {
    const { client: web } = await createApiKey(h.runtime.ctx, { tenantId: TENANT, name: "web" });
    expect(web).toMatchObject({
      tokenEndpointAuthMethod: "none",
      grantTypes: [PASSWORD_GRANT, REFRESH_TOKEN],
    });
    await expect(login("alice", PASSWORD, { client: web })).rejects.toMatchObject({
      code: "forbidden",
      message: "A public client may not use the password grant",
    });
  });

  it("refuses a client not registered for password", async () => {
    const { client: machine } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "password-machine",
      scopes: [],
      grantTypes: [CLIENT_CREDENTIALS],
    });
    await expect(login("alice", PASSWORD, { client: machine })).rejects.toMatchObject({
      code: "forbidden",
      message: "This client may not use the password grant",
    });
  });
});
