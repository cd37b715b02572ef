import { describe, expect, it } from "vitest";
import { TesseraError } from "../../core/errors.js";
import { type ClientId, newApiKeyId, newClientId } from "../../core/ids.js";
import { generateOpaqueToken, hashSecret } from "../../core/opaque-token.js";
import {
  apiKeyRecord,
  byId,
  byKid,
  expectConflict,
  HOUR,
  type Seeds,
  signingKeyRecord,
  suffix,
  T0,
} from "./fixtures.js";

/** Store conformance: keys. */
export function describeKeyConformance({ db, seedTenant, seedClient }: Seeds): void {
  describe("api keys", () => {
    it("finds a created key by its hash", async () => {
      const client = await seedClient();
      const key = apiKeyRecord(client);
      await db().apiKeys.create(key);

      expect(await db().apiKeys.getByHash(key.keyHash)).toEqual(key);
      expect(
        await db().apiKeys.getByHash(hashSecret(generateOpaqueToken("tsr_ak"))),
      ).toBeUndefined();
    });

    it("lists only the tenant's keys", async () => {
      const client = await seedClient();
      const tenantId = client.tenantId;
      const first = apiKeyRecord(client, { createdAt: T0 });
      const second = apiKeyRecord(client, { createdAt: T0 + 1000, name: "second" });
      await db().apiKeys.create(first);
      await db().apiKeys.create(second);
      await db().apiKeys.create(apiKeyRecord(await seedClient()));

      expect(byId(await db().apiKeys.list(tenantId))).toEqual(byId([first, second]));
    });

    it("revokes a live key once: true, then false", async () => {
      const client = await seedClient();
      const tenantId = client.tenantId;
      const key = apiKeyRecord(client);
      await db().apiKeys.create(key);

      expect(await db().apiKeys.revoke(tenantId, key.id, T0 + HOUR)).toBe(true);
      expect(await db().apiKeys.revoke(tenantId, key.id, T0 + 2 * HOUR)).toBe(false);
      expect(await db().apiKeys.getByHash(key.keyHash)).toEqual({
        ...key,
        revokedAt: T0 + HOUR,
      });
    });

    it("does not revoke a key through another tenant, nor an unknown key", async () => {
      const client = await seedClient();
      const tenantId = client.tenantId;
      const otherTenantId = await seedTenant();
      const key = apiKeyRecord(client);
      await db().apiKeys.create(key);

      expect(await db().apiKeys.revoke(otherTenantId, key.id, T0)).toBe(false);
      expect(await db().apiKeys.revoke(tenantId, newApiKeyId(), T0)).toBe(false);
      expect((await db().apiKeys.getByHash(key.keyHash))?.revokedAt).toBeNull();
    });

    it("records the last use", async () => {
      const client = await seedClient();
      const key = apiKeyRecord(client);
      await db().apiKeys.create(key);

      await db().apiKeys.markUsed(key.id, T0 + HOUR);
      expect((await db().apiKeys.getByHash(key.keyHash))?.lastUsedAt).toBe(T0 + HOUR);

      await db().apiKeys.markUsed(key.id, T0 + 2 * HOUR);
      expect(await db().apiKeys.getByHash(key.keyHash)).toEqual({
        ...key,
        lastUsedAt: T0 + 2 * HOUR,
      });
    });

    it("refuses a duplicate hash or id with conflict", async () => {
      const client = await seedClient();
      const tenantId = client.tenantId;
      const key = apiKeyRecord(client);
      await db().apiKeys.create(key);

      await expectConflict(db().apiKeys.create(apiKeyRecord(client, { keyHash: key.keyHash })));
      await expectConflict(db().apiKeys.create(apiKeyRecord(client, { id: key.id })));
      expect(await db().apiKeys.list(tenantId)).toEqual([key]);
    });

    it("refuses a key whose client its tenant does not have, with not_found", async () => {
      const client = await seedClient();
      const otherTenantId = await seedTenant();
      const orphan = apiKeyRecord({ tenantId: client.tenantId, id: newClientId() });
      // The client exists, but in another tenant: a key never crosses tenants.
      const crossing = apiKeyRecord({ tenantId: otherTenantId, id: client.id });

      for (const key of [orphan, crossing]) {
        const outcome = await db()
          .apiKeys.create(key)
          .then(
            () => "created",
            (error: unknown) => error,
          );
        expect(outcome).toBeInstanceOf(TesseraError);
        expect(outcome).toMatchObject({ code: "not_found" });
      }
      expect(await db().apiKeys.list(client.tenantId)).toEqual([]);
      expect(await db().apiKeys.list(otherTenantId)).toEqual([]);
    });

    it("keeps keys of two tenants' clients that share an id apart", async () => {
      const first = await seedClient({ id: `shared-${suffix()}` as ClientId });
      const second = await seedClient({ id: first.id });
      const firstKey = apiKeyRecord(first);
      const secondKey = apiKeyRecord(second);
      await db().apiKeys.create(firstKey);
      await db().apiKeys.create(secondKey);

      expect(await db().apiKeys.getByHash(firstKey.keyHash)).toEqual(firstKey);
      expect(await db().apiKeys.getByHash(secondKey.keyHash)).toEqual(secondKey);
      expect(await db().apiKeys.list(first.tenantId)).toEqual([firstKey]);
      expect(await db().apiKeys.list(second.tenantId)).toEqual([secondKey]);
    });
  });

  describe("signing keys", () => {
    it("lists a tenant's keys newest first", async () => {
      const tenantId = await seedTenant();
      const otherTenantId = await seedTenant();
      const oldest = signingKeyRecord(tenantId, "ES256", "retired", {
        createdAt: T0,
        activatedAt: T0,
        retiredAt: T0 + 2000,
      });
      const active = signingKeyRecord(tenantId, "ES256", "active", {
        createdAt: T0 + 1000,
        activatedAt: T0 + 2000,
      });
      const next = signingKeyRecord(tenantId, "ES256", "next", { createdAt: T0 + 2000 });
      await db().signingKeys.create(active);
      await db().signingKeys.create(next);
      await db().signingKeys.create(oldest);
      await db().signingKeys.create(signingKeyRecord(otherTenantId, "ES256", "active"));

      expect(await db().signingKeys.list(tenantId)).toEqual([next, active, oldest]);
    });

    it("refuses a duplicate kid with conflict", async () => {
      const tenantId = await seedTenant();
      const key = signingKeyRecord(tenantId, "ES256", "active");
      await db().signingKeys.create(key);

      await expectConflict(
        db().signingKeys.create(signingKeyRecord(tenantId, "RS256", "next", { kid: key.kid })),
      );
      expect(await db().signingKeys.list(tenantId)).toEqual([key]);
    });

    it("rotates: next becomes active, the old active of that algorithm retires, a new next is added", async () => {
      const tenantId = await seedTenant();
      const oldActive = signingKeyRecord(tenantId, "ES256", "active");
      const next = signingKeyRecord(tenantId, "ES256", "next");
      const otherAlgorithm = signingKeyRecord(tenantId, "RS256", "active");
      for (const key of [oldActive, next, otherAlgorithm]) {
        await db().signingKeys.create(key);
      }
      const newNext = signingKeyRecord(tenantId, "ES256", "next", { createdAt: T0 + HOUR });

      const rotated = await db().signingKeys.rotate({
        tenantId,
        promoteKid: next.kid,
        newNext,
        at: T0 + HOUR,
      });

      expect(rotated).toBe(true);
      const keys = await db().signingKeys.list(tenantId);
      expect(byKid(keys)).toEqual(
        byKid([
          { ...oldActive, status: "retired", retiredAt: T0 + HOUR },
          { ...next, status: "active", activatedAt: T0 + HOUR },
          newNext,
          otherAlgorithm,
        ]),
      );
    });

    it("changes nothing and returns false when the key to promote is no longer next", async () => {
      const tenantId = await seedTenant();
      const oldActive = signingKeyRecord(tenantId, "ES256", "active");
      const next = signingKeyRecord(tenantId, "ES256", "next");
      await db().signingKeys.create(oldActive);
      await db().signingKeys.create(next);
      const firstNewNext = signingKeyRecord(tenantId, "ES256", "next", { createdAt: T0 + 1 });
      expect(
        await db().signingKeys.rotate({
          tenantId,
          promoteKid: next.kid,
          newNext: firstNewNext,
          at: T0 + HOUR,
        }),
      ).toBe(true);
      const before = await db().signingKeys.list(tenantId);

      const again = await db().signingKeys.rotate({
        tenantId,
        promoteKid: next.kid,
        newNext: signingKeyRecord(tenantId, "ES256", "next", { createdAt: T0 + 2 }),
        at: T0 + 2 * HOUR,
      });

      expect(again).toBe(false);
      expect(await db().signingKeys.list(tenantId)).toEqual(before);
    });

    it("does not promote another tenant's next key", async () => {
      const tenantId = await seedTenant();
      const otherTenantId = await seedTenant();
      const next = signingKeyRecord(tenantId, "ES256", "next");
      await db().signingKeys.create(next);

      const rotated = await db().signingKeys.rotate({
        tenantId: otherTenantId,
        promoteKid: next.kid,
        newNext: signingKeyRecord(otherTenantId, "ES256", "next"),
        at: T0 + HOUR,
      });

      expect(rotated).toBe(false);
      expect(await db().signingKeys.list(tenantId)).toEqual([next]);
      expect(await db().signingKeys.list(otherTenantId)).toEqual([]);
    });

    it("lets exactly one of concurrent rotations of the same key win", async () => {
      const tenantId = await seedTenant();
      const oldActive = signingKeyRecord(tenantId, "ES256", "active");
      const next = signingKeyRecord(tenantId, "ES256", "next");
      await db().signingKeys.create(oldActive);
      await db().signingKeys.create(next);
      const candidates = Array.from({ length: 10 }, (_, i) =>
        signingKeyRecord(tenantId, "ES256", "next", { createdAt: T0 + HOUR + i }),
      );

      const results = await Promise.all(
        candidates.map((newNext) =>
          db().signingKeys.rotate({ tenantId, promoteKid: next.kid, newNext, at: T0 + HOUR }),
        ),
      );

      expect(results.filter((won) => won)).toHaveLength(1);
      const winner = candidates[results.indexOf(true)];
      const keys = await db().signingKeys.list(tenantId);
      expect(keys.map((k) => k.kid).sort()).toEqual([oldActive.kid, next.kid, winner?.kid].sort());
      expect(keys.filter((k) => k.status === "active").map((k) => k.kid)).toEqual([next.kid]);
      expect(keys.filter((k) => k.status === "next").map((k) => k.kid)).toEqual([winner?.kid]);
    });

    it("deletes only the tenant's keys retired strictly before the cut-off", async () => {
      const tenantId = await seedTenant();
      const otherTenantId = await seedTenant();
      const retiredEarly = signingKeyRecord(tenantId, "ES256", "retired", { retiredAt: T0 });
      const retiredLate = signingKeyRecord(tenantId, "ES256", "retired", {
        retiredAt: T0 + 2 * HOUR,
      });
      const active = signingKeyRecord(tenantId, "ES256", "active");
      const foreign = signingKeyRecord(otherTenantId, "ES256", "retired", { retiredAt: T0 });
      for (const key of [retiredEarly, retiredLate, active, foreign]) {
        await db().signingKeys.create(key);
      }

      expect(await db().signingKeys.deleteRetired(tenantId, T0)).toBe(0);
      expect(await db().signingKeys.deleteRetired(tenantId, T0 + HOUR)).toBe(1);

      expect(byKid(await db().signingKeys.list(tenantId))).toEqual(byKid([retiredLate, active]));
      expect(await db().signingKeys.list(otherTenantId)).toEqual([foreign]);
    });
  });
}
