import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import { createApiKey } from "../api-keys.js";
import { createClient } from "./clients.js";
import { updateClient } from "./update-client.js";

describe("client changes in the audit trail", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** The newest event of `type` for the client (the store lists oldest first). */
  async function lastEvent(type: string, clientId: string) {
    const events = await h.runtime.ctx.store.audit.list(TENANT, { limit: 100 });
    return events.findLast((event) => event.type === type && event.detail.clientId === clientId);
  }

  it("records the audiences a new client is allowed, not only how many", async () => {
    const { client } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "audited-add",
      scopes: ["tokens:write"],
      audiences: ["https://deploy.example.test", "urn:example:billing"],
    });
    expect((await lastEvent("client.created", client.id))?.detail).toMatchObject({
      audiences: "https://deploy.example.test urn:example:billing",
    });
  });

  it("records the audiences a client is allowed after an update, and none as empty", async () => {
    const { client } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "audited-update",
      scopes: ["tokens:write"],
    });
    expect((await lastEvent("client.created", client.id))?.detail).toMatchObject({
      audiences: "",
    });
    await updateClient(h.runtime.ctx, {
      tenantId: TENANT,
      client: client.id,
      audiences: ["https://other.example.test"],
    });
    expect((await lastEvent("client.updated", client.id))?.detail).toMatchObject({
      changed: "audiences",
      audiences: "https://other.example.test",
    });
    await updateClient(h.runtime.ctx, { tenantId: TENANT, client: client.id, audiences: [] });
    expect((await lastEvent("client.updated", client.id))?.detail).toMatchObject({
      changed: "audiences",
      audiences: "",
    });
  });

  it("says nothing of audiences when an update leaves them", async () => {
    const { client } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "audited-rename",
      scopes: [],
      audiences: ["https://kept.example.test"],
    });
    await updateClient(h.runtime.ctx, { tenantId: TENANT, client: client.id, name: "renamed" });
    const detail = (await lastEvent("client.updated", client.id))?.detail;
    expect(detail).toMatchObject({ changed: "name" });
    expect(detail).not.toHaveProperty("audiences");
  });

  it("bounds a long list, keeping whole audiences and saying how many it left out", async () => {
    const audiences = Array.from({ length: 32 }, (_, i) => {
      const prefix = `https://${String(i).padStart(2, "0")}.example.test/`;
      return `${prefix}${"a".repeat(100 - prefix.length)}`;
    });
    const { client } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "audited-longest",
      scopes: [],
      audiences,
    });
    const recorded = (await lastEvent("client.created", client.id))?.detail.audiences;
    expect(recorded).toBe(`${audiences[0]} ${audiences[1]} …[30 more]`);
  });
});

describe("audiences that are client ids", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("refuses, at add and at update, an audience that is a client id of the tenant or the client's own", async () => {
    // A user's access token has its API key's client id as `aud`: no client may mint one for it.
    const {
      client: { id: sessionClient },
    } = await createApiKey(h.runtime.ctx, {
      tenantId: TENANT,
      name: "web-app",
    });
    const refusal = {
      code: "invalid_request",
      message:
        "An audience may not be a client id of the tenant: its users' access tokens have that audience",
    };
    await expect(
      createClient(h.runtime.ctx, {
        tenantId: TENANT,
        name: "minter",
        scopes: [],
        audiences: ["https://api.example.test", sessionClient],
      }),
    ).rejects.toMatchObject(refusal);
    await expect(
      createClient(h.runtime.ctx, {
        tenantId: TENANT,
        name: "self-minter",
        id: "self-minter",
        scopes: [],
        audiences: ["self-minter"],
      }),
    ).rejects.toMatchObject(refusal);
    const { client } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "minter",
      scopes: [],
      audiences: ["https://api.example.test"],
    });
    for (const audiences of [[sessionClient], [client.id]]) {
      await expect(
        updateClient(h.runtime.ctx, { tenantId: TENANT, client: client.id, audiences }),
      ).rejects.toMatchObject(refusal);
    }
    expect((await h.runtime.ctx.store.clients.get(TENANT, client.id))?.audiences).toEqual([
      "https://api.example.test",
    ]);
  });
});
