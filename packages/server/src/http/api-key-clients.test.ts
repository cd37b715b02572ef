/**
 * An API key belongs to a client, whose status and grant types decide what
 * the key opens: the session API's login needs `password`, its refresh
 * `refresh_token`; the token API takes the key of any active client as the
 * tenant's key. A key that opens nothing answers as an unknown key does.
 */
import type { LightMyRequestResponse } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, sessionOf, startHarness, TENANT } from "../../test/support/harness.js";
import { addClient, issueLong } from "../../test/support/token-api.js";
import { createApiKey } from "../core/api-keys.js";
import { createClient } from "../core/clients/clients.js";
import { updateClient } from "../core/clients/update-client.js";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  await h.addUser("alice");
});
afterEach(async () => {
  await h.close();
});

const UNKNOWN_KEY = "tsr_ak_0000000000000000000000000000000000000000000000000";

/** What a caller sees: the status and the body. */
const answer = (response: LightMyRequestResponse) => ({
  status: response.statusCode,
  body: response.json<unknown>(),
});

/** A body no schema accepts: the key is judged before the body is. */
const loginWithBadBody = (key: string) =>
  h.send("POST", "/auth/token", { username: 5 }, { "x-api-key": key });

describe("API keys of a client: 200", () => {
  it("logs in with a key made for an existing client, named by its name, as that client", async () => {
    const { client } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "web-app",
      id: "web-app",
      scopes: [],
      tokenEndpointAuthMethod: "none",
    });
    const { key, record } = await createApiKey(h.runtime.ctx, {
      tenantId: TENANT,
      client: "web-app",
    });
    expect(record.clientId).toBe(client.id);

    const response = await h.login("alice", undefined, key);
    expect(response.statusCode, response.body).toBe(200);
    expect(sessionOf(response).clientId).toBe("web-app");
  });

  it("refreshes a session with another key of the same client, as a key is replaced", async () => {
    const first = sessionOf(await h.login("alice"));
    const second = await createApiKey(h.runtime.ctx, { tenantId: TENANT, client: h.clientId });

    const refreshed = await h.send("POST", "/auth/token", first, { "x-api-key": second.key });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect(sessionOf(refreshed).clientId).toBe(h.clientId);
  });

  it("lets the token API take the key of a client without the password grant as the tenant's key", async () => {
    await updateClient(h.runtime.ctx, {
      tenantId: TENANT,
      client: h.clientId,
      grantTypes: ["refresh_token"],
    });
    const machine = await addClient(h);

    await issueLong(h, machine);
  });
});

describe("API keys of a client: 401", () => {
  it("refuses a key whose client is disabled exactly as an unknown key, until it is enabled", async () => {
    const unknown = answer(await loginWithBadBody(UNKNOWN_KEY));
    await updateClient(h.runtime.ctx, { tenantId: TENANT, client: h.clientId, enabled: false });

    expect(answer(await loginWithBadBody(h.apiKey))).toEqual(unknown);
    expect(answer(await h.login("alice"))).toEqual(unknown);
    expect(unknown).toEqual({
      status: 401,
      body: { status: "error", message: "Missing or invalid X-API-Key" },
    });

    await updateClient(h.runtime.ctx, { tenantId: TENANT, client: h.clientId, enabled: true });
    expect((await h.login("alice")).statusCode).toBe(200);
  });

  it("refuses a key whose client lacks the password grant exactly as an unknown key", async () => {
    const session = sessionOf(await h.login("alice"));
    const unknown = answer(await h.login("alice", undefined, UNKNOWN_KEY));
    await updateClient(h.runtime.ctx, {
      tenantId: TENANT,
      client: h.clientId,
      grantTypes: ["refresh_token"],
    });

    expect(answer(await h.login("alice"))).toEqual(unknown);
    expect(answer(await loginWithBadBody(h.apiKey))).toEqual(
      answer(await loginWithBadBody(UNKNOWN_KEY)),
    );
    // The session API is the password grant's: its refresh and logout need the key too.
    expect(answer(await h.send("POST", "/auth/token", session))).toEqual(unknown);
  });

  it("refuses a refresh with a key whose client lacks refresh_token, as an unknown key; login still works", async () => {
    const session = sessionOf(await h.login("alice"));
    const unknown = answer(
      await h.send("POST", "/auth/token", session, { "x-api-key": UNKNOWN_KEY }),
    );
    await updateClient(h.runtime.ctx, {
      tenantId: TENANT,
      client: h.clientId,
      grantTypes: ["password"],
    });

    expect(answer(await h.send("POST", "/auth/token", session))).toEqual(unknown);
    expect((await h.login("alice")).statusCode).toBe(200);
  });

  it("refuses at the token API the key of a disabled client, as an unknown key", async () => {
    const machine = await addClient(h);
    await updateClient(h.runtime.ctx, { tenantId: TENANT, client: h.clientId, enabled: false });
    const body = { grant_type: "client_credentials", client_id: machine.id, client_secret: "x" };
    const post = (key: string) =>
      h.app.inject({
        method: "POST",
        url: "/auth/tokens/long",
        headers: { "content-type": "application/json", "x-api-key": key },
        payload: JSON.stringify(body),
      });

    const refused = answer(await post(h.apiKey));
    const unknown = answer(await post(UNKNOWN_KEY));
    expect(refused.status).toBe(401);
    expect({ ...refused, body: { ...(refused.body as object), instance: "" } }).toEqual({
      ...unknown,
      body: { ...(unknown.body as object), instance: "" },
    });
  });
});
