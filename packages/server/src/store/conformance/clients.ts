import { describe, expect, it } from "vitest";
import type { ClientId } from "../../core/ids.js";
import type { ClientPublicKey, ClientRecord } from "../../core/model/index.js";
import { generateOpaqueToken, hashSecret } from "../../core/opaque-token.js";
import { clientRecord, expectConflict, HOUR, type Seeds, suffix, T0 } from "./fixtures.js";

/** Public keys as `parseClientPublicKey` stores them; to the store they are opaque JSON. */
const ES256_KEY: ClientPublicKey = {
  kid: "p0Ug5kEHpmw3SgvcPgm1yq7Hd_XRAuIBRrJ8ZzYqXr8",
  alg: "ES256",
  jwk: {
    kty: "EC",
    crv: "P-256",
    x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    kid: "p0Ug5kEHpmw3SgvcPgm1yq7Hd_XRAuIBRrJ8ZzYqXr8",
    alg: "ES256",
    use: "sig",
    key_ops: ["verify"],
  },
};
const EDDSA_KEY: ClientPublicKey = {
  kid: "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
  alg: "EdDSA",
  jwk: {
    kty: "OKP",
    crv: "Ed25519",
    x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    kid: "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
    alg: "EdDSA",
    use: "sig",
  },
};
const RS256_KEY: ClientPublicKey = {
  kid: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
  alg: "RS256",
  jwk: {
    kty: "RSA",
    n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    e: "AQAB",
    kid: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
    alg: "RS256",
    use: "sig",
  },
};

/** Store conformance: client applications (their fields, names, secrets, patches). */
export function describeClientConformance({ db, seedTenant, seedClient }: Seeds): void {
  describe("clients", () => {
    it("reads back a created client exactly, by id and by name, keys and scopes intact", async () => {
      const client = await seedClient({
        // Not in kid order: the array's order is the operator's, and is kept.
        publicKeys: [RS256_KEY, ES256_KEY, EDDSA_KEY],
        scopes: ["reports:read", "tokens:admin", "tokens:write"],
        totpSeedSealed: `v1.iv-${suffix()}.sealed-seed`,
        maxTokenTtlDays: 45,
      });

      expect(await db().clients.get(client.tenantId, client.id)).toEqual(client);
      expect(await db().clients.getByName(client.tenantId, client.name)).toEqual(client);
    });

    it("reads back a client's allowed audiences exactly, in the operator's order", async () => {
      const audiences = ["https://deploy.example.test", "urn:example:billing", "ci-runner"];
      const client = await seedClient({ audiences });

      expect((await db().clients.get(client.tenantId, client.id))?.audiences).toEqual(audiences);
      expect(await db().clients.getByName(client.tenantId, client.name)).toEqual(client);
      expect(await db().clients.list(client.tenantId)).toEqual([client]);
    });

    it("reads back a client without keys, OTP or scopes, and a disabled one", async () => {
      const bare = await seedClient({
        publicKeys: [],
        scopes: [],
        audiences: [],
        totpSeedSealed: null,
      });
      const disabled = await seedClient({ status: "disabled", maxTokenTtlDays: 30 });

      expect(await db().clients.get(bare.tenantId, bare.id)).toEqual(bare);
      expect(await db().clients.get(disabled.tenantId, disabled.id)).toEqual(disabled);
    });

    it("finds no client for an unknown id or name, nor by id or name through another tenant", async () => {
      const client = await seedClient();
      const otherTenantId = await seedTenant();

      expect(
        await db().clients.get(client.tenantId, `${suffix()}missing` as ClientId),
      ).toBeUndefined();
      expect(await db().clients.get(otherTenantId, client.id)).toBeUndefined();
      expect(await db().clients.getByName(client.tenantId, `missing-${suffix()}`)).toBeUndefined();
      expect(await db().clients.getByName(otherTenantId, client.name)).toBeUndefined();
    });

    it("refuses a name the tenant already has, and lets another tenant use it", async () => {
      const first = await seedClient();
      const otherTenantId = await seedTenant();

      await expectConflict(db().clients.create(clientRecord(first.tenantId, { name: first.name })));
      const elsewhere = clientRecord(otherTenantId, { name: first.name });
      await db().clients.create(elsewhere);

      expect(await db().clients.getByName(first.tenantId, first.name)).toEqual(first);
      expect(await db().clients.getByName(otherTenantId, first.name)).toEqual(elsewhere);
      expect(await db().clients.get(elsewhere.tenantId, elsewhere.id)).toEqual(elsewhere);
    });

    it("refuses a secret hash another client has, in its tenant or any other", async () => {
      const first = await seedClient();
      const otherTenantId = await seedTenant();
      const sameTenant = clientRecord(first.tenantId, { secretHash: first.secretHash });
      const otherTenant = clientRecord(otherTenantId, { secretHash: first.secretHash });

      await expectConflict(db().clients.create(sameTenant));
      await expectConflict(db().clients.create(otherTenant));

      expect(await db().clients.get(sameTenant.tenantId, sameTenant.id)).toBeUndefined();
      expect(await db().clients.get(otherTenant.tenantId, otherTenant.id)).toBeUndefined();
    });

    it("refuses a client id that exists", async () => {
      const first = await seedClient();

      await expectConflict(db().clients.create(clientRecord(first.tenantId, { id: first.id })));
      expect(await db().clients.get(first.tenantId, first.id)).toEqual(first);
    });

    it("lists a tenant's clients ordered by name, and no other tenant's", async () => {
      const tenantId = await seedTenant();
      const otherTenantId = await seedTenant();
      const s = suffix();
      const bravo = await seedClient({ tenantId, name: `bravo-${s}` });
      const charlie = await seedClient({ tenantId, name: `charlie-${s}` });
      const alpha = await seedClient({ tenantId, name: `alpha-${s}` });
      await seedClient({ tenantId: otherTenantId, name: `aardvark-${s}` });

      expect(await db().clients.list(tenantId)).toEqual([alpha, bravo, charlie]);
      expect(await db().clients.list(await seedTenant())).toEqual([]);
    });

    it("applies a patch to every field it names and stamps updatedAt", async () => {
      const client = await seedClient({
        totpSeedSealed: `v1.iv-${suffix()}.sealed-seed`,
        publicKeys: [ES256_KEY, EDDSA_KEY],
        scopes: ["tokens:write"],
      });
      const secret = generateOpaqueToken("tsr_cs");
      const patch = {
        name: `renamed-${suffix()}`,
        secretHash: hashSecret(secret),
        secretPrefix: secret.slice(0, 12),
        totpSeedSealed: null,
        publicKeys: [EDDSA_KEY, RS256_KEY],
        scopes: ["reports:read", "tokens:write"],
        audiences: ["https://reports.example.test"],
        maxTokenTtlDays: 30,
        status: "disabled" as const,
      };

      const updated = await db().clients.update(client.tenantId, client.id, patch, T0 + HOUR);

      const expected: ClientRecord = { ...client, ...patch, updatedAt: T0 + HOUR };
      expect(updated).toEqual(expected);
      expect(await db().clients.get(client.tenantId, client.id)).toEqual(expected);
      expect(await db().clients.getByName(client.tenantId, patch.name)).toEqual(expected);
      expect(await db().clients.getByName(client.tenantId, client.name)).toBeUndefined();
    });

    it("replaces the allowed audiences with a patch, down to none, touching nothing else", async () => {
      const client = await seedClient({ audiences: ["https://a.example.test"] });

      const replaced = await db().clients.update(
        client.tenantId,
        client.id,
        { audiences: ["https://b.example.test", "https://c.example.test"] },
        T0 + HOUR,
      );
      expect(replaced).toEqual({
        ...client,
        audiences: ["https://b.example.test", "https://c.example.test"],
        updatedAt: T0 + HOUR,
      });
      const cleared = await db().clients.update(
        client.tenantId,
        client.id,
        { audiences: [] },
        T0 + 2 * HOUR,
      );
      expect(cleared).toEqual({ ...client, audiences: [], updatedAt: T0 + 2 * HOUR });
      expect(await db().clients.get(client.tenantId, client.id)).toEqual(cleared);
    });

    it("changes only what a patch names: status back to active, OTP enrolled", async () => {
      const client = await seedClient({ status: "disabled", totpSeedSealed: null });

      const enabled = await db().clients.update(
        client.tenantId,
        client.id,
        { status: "active" },
        T0 + HOUR,
      );
      expect(enabled).toEqual({ ...client, status: "active", updatedAt: T0 + HOUR });

      const sealed = `v1.iv-${suffix()}.sealed-seed`;
      const enrolled = await db().clients.update(
        client.tenantId,
        client.id,
        { totpSeedSealed: sealed },
        T0 + 2 * HOUR,
      );
      expect(enrolled).toEqual({
        ...client,
        status: "active",
        totpSeedSealed: sealed,
        updatedAt: T0 + 2 * HOUR,
      });
      expect(await db().clients.get(client.tenantId, client.id)).toEqual(enrolled);
    });

    it("refuses a rename onto a name the tenant has, and leaves the client as it was", async () => {
      const client = await seedClient();
      const other = await seedClient({ tenantId: client.tenantId });
      const elsewhere = await seedClient();

      await expectConflict(
        db().clients.update(client.tenantId, client.id, { name: other.name }, T0 + HOUR),
      );
      expect(await db().clients.get(client.tenantId, client.id)).toEqual(client);

      // A name only another tenant uses is free here.
      const renamed = await db().clients.update(
        client.tenantId,
        client.id,
        { name: elsewhere.name },
        T0 + HOUR,
      );
      expect(renamed).toEqual({ ...client, name: elsewhere.name, updatedAt: T0 + HOUR });
    });

    it("pages a tenant's clients by name, after a given name", async () => {
      const tenantId = await seedTenant();
      const s = suffix();
      const names = ["delta", "alpha", "charlie", "bravo"].map((n) => `${n}-${s}`);
      for (const name of names) {
        await seedClient({ tenantId, name });
      }
      await seedClient({ name: `aardvark-${s}` });
      const namesOf = (clients: readonly ClientRecord[]) => clients.map((c) => c.name);

      expect(namesOf(await db().clients.page(tenantId, { limit: 2 }))).toEqual([
        `alpha-${s}`,
        `bravo-${s}`,
      ]);
      expect(namesOf(await db().clients.page(tenantId, { after: `bravo-${s}`, limit: 5 }))).toEqual(
        [`charlie-${s}`, `delta-${s}`],
      );
      expect(await db().clients.page(tenantId, { after: `delta-${s}`, limit: 5 })).toEqual([]);
    });

    it("updates only while updatedAt still holds the value read, and always moves it on", async () => {
      const client = await seedClient();

      const first = await db().clients.update(
        client.tenantId,
        client.id,
        { status: "disabled" },
        client.updatedAt,
        { ifUpdatedAt: client.updatedAt },
      );
      // Updated within the same millisecond as it was written: updatedAt still changes.
      expect(first?.updatedAt).toBe(client.updatedAt + 1);
      await expect(
        db().clients.update(client.tenantId, client.id, { status: "active" }, T0 + HOUR, {
          ifUpdatedAt: client.updatedAt,
        }),
      ).rejects.toMatchObject({ code: "precondition_failed" });
      expect((await db().clients.get(client.tenantId, client.id))?.status).toBe("disabled");
      expect(
        await db().clients.update(
          client.tenantId,
          `${suffix()}missing` as ClientId,
          { status: "active" },
          T0 + HOUR,
          { ifUpdatedAt: client.updatedAt },
        ),
      ).toBeUndefined();
    });

    it("keeps a rotated-out secret's hash and end beside the new secret, and drops them", async () => {
      const client = await seedClient();
      const secret = generateOpaqueToken("tsr_cs");
      const rotated = {
        secretHash: hashSecret(secret),
        secretPrefix: secret.slice(0, 12),
        previousSecretHash: client.secretHash,
        previousSecretExpiresAt: T0 + 2 * HOUR,
      };

      const updated = await db().clients.update(client.tenantId, client.id, rotated, T0 + HOUR);
      expect(updated).toEqual({ ...client, ...rotated, updatedAt: T0 + HOUR });
      expect(await db().clients.get(client.tenantId, client.id)).toEqual(updated);

      const dropped = await db().clients.update(
        client.tenantId,
        client.id,
        { previousSecretHash: null, previousSecretExpiresAt: null },
        T0 + 2 * HOUR,
      );
      expect(dropped).toMatchObject({ previousSecretHash: null, previousSecretExpiresAt: null });
    });

    it("updates nothing through another tenant or for an unknown id", async () => {
      const client = await seedClient();
      const otherTenantId = await seedTenant();

      expect(
        await db().clients.update(otherTenantId, client.id, { status: "disabled" }, T0 + HOUR),
      ).toBeUndefined();
      expect(
        await db().clients.update(client.tenantId, `${suffix()}missing` as ClientId, {}, T0),
      ).toBeUndefined();
      expect(await db().clients.get(client.tenantId, client.id)).toEqual(client);
    });
  });
}
