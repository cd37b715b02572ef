import { describe, expect, it } from "vitest";
import { TOKEN_ENDPOINT_AUTH_METHODS } from "../../core/clients/auth-methods.js";
import { GRANT_TYPES } from "../../core/clients/grant-types.js";
import { TesseraError } from "../../core/errors.js";
import type { ClientId } from "../../core/ids.js";
import type { ClientRecord } from "../../core/model/index.js";
import { generateOpaqueToken, hashSecret } from "../../core/opaque-token.js";
import {
  automationTokenRecord,
  clientRecord,
  expectConflict,
  HOUR,
  type Seeds,
  suffix,
  T0,
} from "./fixtures.js";

/** A client as the session API's API keys have one: public, no secret. */
const PUBLIC: Partial<ClientRecord> = {
  grantTypes: ["password", "refresh_token"],
  tokenEndpointAuthMethod: "none",
  secretHash: null,
  secretPrefix: null,
  scopes: [],
};

/** A readable id no other test uses (several suites share one database). */
const readableId = (base: string) => `${base}-${suffix()}` as ClientId;

/**
 * Store conformance: what makes a client one aggregate: grant types, auth
 * methods, no secret at all, and ids chosen per tenant.
 */
export function describeClientIdentityConformance({ db, seedTenant, seedClient }: Seeds): void {
  describe("clients: grants, auth methods, secrets and ids", () => {
    it("reads back a public client without a secret, by id, by name and in the list", async () => {
      const client = await seedClient(PUBLIC);

      expect(await db().clients.get(client.tenantId, client.id)).toEqual(client);
      expect(await db().clients.getByName(client.tenantId, client.name)).toEqual(client);
      expect(await db().clients.list(client.tenantId)).toEqual([client]);
      expect(client.secretHash).toBeNull();
    });

    it("holds any number of clients without a secret, in one tenant and across tenants", async () => {
      const tenantId = await seedTenant();
      const s = suffix();
      const a = await seedClient({ ...PUBLIC, tenantId, name: `a-${s}` });
      const b = await seedClient({ ...PUBLIC, tenantId, name: `b-${s}` });
      const elsewhere = await seedClient(PUBLIC);

      expect(await db().clients.list(tenantId)).toEqual([a, b]);
      expect(await db().clients.get(elsewhere.tenantId, elsewhere.id)).toEqual(elsewhere);
    });

    it("reads back every grant type and every auth method exactly", async () => {
      const tenantId = await seedTenant();
      for (const method of TOKEN_ENDPOINT_AUTH_METHODS) {
        const client = await seedClient({
          tenantId,
          grantTypes: [...GRANT_TYPES],
          tokenEndpointAuthMethod: method,
        });
        expect(await db().clients.get(tenantId, client.id)).toEqual(client);
      }
    });

    it("keeps a readable id per tenant: two tenants each have their own client with it", async () => {
      const id = readableId("ci-bot");
      const first = await seedClient({ id, name: "ci-bot" });
      const second = await seedClient({ id, name: "ci-bot", ...PUBLIC });

      expect(await db().clients.get(first.tenantId, id)).toEqual(first);
      expect(await db().clients.get(second.tenantId, id)).toEqual(second);

      const disabled = await db().clients.update(
        first.tenantId,
        id,
        { status: "disabled" },
        T0 + HOUR,
      );
      expect(disabled).toEqual({ ...first, status: "disabled", updatedAt: T0 + HOUR });
      expect(await db().clients.get(second.tenantId, id)).toEqual(second);
    });

    it("refuses an id the tenant has, whatever the new client's name", async () => {
      const first = await seedClient({ id: readableId("deploy") });

      await expectConflict(db().clients.create(clientRecord(first.tenantId, { id: first.id })));
      expect(await db().clients.list(first.tenantId)).toEqual([first]);
    });

    it("creates one of two clients given one id at once, and refuses the other", async () => {
      const tenantId = await seedTenant();
      const id = readableId("racer");
      const outcomes = await Promise.allSettled([
        db().clients.create(clientRecord(tenantId, { id })),
        db().clients.create(clientRecord(tenantId, { id })),
      ]);

      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      const [refused] = outcomes.filter((o) => o.status === "rejected");
      expect(refused?.reason).toBeInstanceOf(TesseraError);
      expect(refused?.reason).toMatchObject({ code: "conflict" });
      expect(await db().clients.list(tenantId)).toHaveLength(1);
    });

    it("patches grant types and the auth method, dropping the secret and giving a new one", async () => {
      const client = await seedClient();

      const dropped = await db().clients.update(
        client.tenantId,
        client.id,
        {
          grantTypes: ["password", "refresh_token"],
          tokenEndpointAuthMethod: "none",
          secretHash: null,
          secretPrefix: null,
        },
        T0 + HOUR,
      );
      expect(dropped).toEqual({
        ...client,
        grantTypes: ["password", "refresh_token"],
        tokenEndpointAuthMethod: "none",
        secretHash: null,
        secretPrefix: null,
        updatedAt: T0 + HOUR,
      });

      const secret = generateOpaqueToken("tsr_cs");
      const given = await db().clients.update(
        client.tenantId,
        client.id,
        {
          tokenEndpointAuthMethod: "client_secret_post",
          grantTypes: ["client_credentials"],
          secretHash: hashSecret(secret),
          secretPrefix: secret.slice(0, 12),
        },
        T0 + 2 * HOUR,
      );
      const expected: ClientRecord = {
        ...client,
        grantTypes: ["client_credentials"],
        tokenEndpointAuthMethod: "client_secret_post",
        secretHash: hashSecret(secret),
        secretPrefix: secret.slice(0, 12),
        updatedAt: T0 + 2 * HOUR,
      };
      expect(given).toEqual(expected);
      expect(await db().clients.get(client.tenantId, client.id)).toEqual(expected);
    });

    it("refuses a token for a client its tenant does not have, even one another tenant has", async () => {
      const client = await seedClient();
      const otherTenantId = await seedTenant();
      const crossing = automationTokenRecord({ ...client, tenantId: otherTenantId });

      await expect(db().automationTokens.create(crossing)).rejects.toThrow();
      expect(await db().automationTokens.get(crossing.id)).toBeUndefined();
    });
  });
}
