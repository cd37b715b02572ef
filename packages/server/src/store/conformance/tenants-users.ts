import { describe, expect, it } from "vitest";
import { newUserId, type TenantId } from "../../core/ids.js";
import type { TenantRecord, UserRecord } from "../../core/model/index.js";
import {
  expectConflict,
  HOUR,
  type Seeds,
  suffix,
  T0,
  tenantRecord,
  userRecord,
} from "./fixtures.js";

/** Store conformance: tenants users. */
export function describeTenantAndUserConformance({ db, seedTenant, seedUser }: Seeds): void {
  describe("tenants", () => {
    it("reads back a created tenant exactly", async () => {
      const tenant = tenantRecord({ refreshPolicy: "rotate", signingAlgorithm: "EdDSA" });
      await db().tenants.create(tenant);

      expect(await db().tenants.get(tenant.id)).toEqual(tenant);
    });

    it("returns undefined for an unknown id", async () => {
      expect(await db().tenants.get(`missing-${suffix()}` as TenantId)).toBeUndefined();
    });

    it("lists every created tenant", async () => {
      const first = tenantRecord();
      const second = tenantRecord({ displayName: "Second" });
      await db().tenants.create(first);
      await db().tenants.create(second);

      const listed = await db().tenants.list();

      expect(listed).toContainEqual(first);
      expect(listed).toContainEqual(second);
    });

    it("updates only while updatedAt still holds the value read, and always moves it on", async () => {
      const tenant = tenantRecord();
      await db().tenants.create(tenant);

      const first = await db().tenants.update(tenant.id, { displayName: "One" }, tenant.updatedAt, {
        ifUpdatedAt: tenant.updatedAt,
      });
      expect(first?.updatedAt).toBe(tenant.updatedAt + 1);
      await expect(
        db().tenants.update(tenant.id, { displayName: "Two" }, T0 + HOUR, {
          ifUpdatedAt: tenant.updatedAt,
        }),
      ).rejects.toMatchObject({ code: "precondition_failed" });
      expect((await db().tenants.get(tenant.id))?.displayName).toBe("One");
    });

    it("applies a patch, moves updatedAt and keeps every other field", async () => {
      const tenant = tenantRecord();
      await db().tenants.create(tenant);

      const updated = await db().tenants.update(
        tenant.id,
        { displayName: "Renamed", refreshPolicy: "rotate", refreshGraceSeconds: 30 },
        T0 + HOUR,
      );

      const expected: TenantRecord = {
        ...tenant,
        displayName: "Renamed",
        refreshPolicy: "rotate",
        refreshGraceSeconds: 30,
        updatedAt: T0 + HOUR,
      };
      expect(updated).toEqual(expected);
      expect(await db().tenants.get(tenant.id)).toEqual(expected);
    });

    it("keeps whether the OAuth password grant is on, through create and update", async () => {
      const on = tenantRecord({ oauthPasswordGrant: true });
      const off = tenantRecord();
      await db().tenants.create(on);
      await db().tenants.create(off);
      expect((await db().tenants.get(on.id))?.oauthPasswordGrant).toBe(true);
      expect((await db().tenants.get(off.id))?.oauthPasswordGrant).toBe(false);

      const turnedOff = await db().tenants.update(on.id, { oauthPasswordGrant: false }, T0 + HOUR);
      const turnedOn = await db().tenants.update(off.id, { oauthPasswordGrant: true }, T0 + HOUR);

      expect(turnedOff).toEqual({ ...on, oauthPasswordGrant: false, updatedAt: T0 + HOUR });
      expect(turnedOn).toEqual({ ...off, oauthPasswordGrant: true, updatedAt: T0 + HOUR });
      expect((await db().tenants.get(on.id))?.oauthPasswordGrant).toBe(false);
    });

    it("keeps the signing key rotation period, through create and update", async () => {
      const tenant = tenantRecord({ signingKeyRotationDays: 90 });
      await db().tenants.create(tenant);
      expect((await db().tenants.get(tenant.id))?.signingKeyRotationDays).toBe(90);

      const updated = await db().tenants.update(
        tenant.id,
        { signingKeyRotationDays: 0 },
        T0 + HOUR,
      );

      expect(updated).toEqual({ ...tenant, signingKeyRotationDays: 0, updatedAt: T0 + HOUR });
      expect((await db().tenants.get(tenant.id))?.signingKeyRotationDays).toBe(0);
    });

    it("returns undefined when updating an unknown tenant, and creates nothing", async () => {
      const id = `missing-${suffix()}` as TenantId;

      expect(await db().tenants.update(id, { displayName: "Ghost" }, T0)).toBeUndefined();
      expect(await db().tenants.get(id)).toBeUndefined();
    });

    it("refuses a duplicate id with conflict and keeps the original", async () => {
      const tenant = tenantRecord();
      await db().tenants.create(tenant);

      await expectConflict(
        db().tenants.create({ ...tenant, displayName: "Impostor", createdAt: T0 + 1 }),
      );
      expect(await db().tenants.get(tenant.id)).toEqual(tenant);
    });
  });

  describe("users", () => {
    it("reads back a created user by id and by username", async () => {
      const tenantId = await seedTenant();
      const user = await seedUser(tenantId, { permissions: ["users:read", "sessions:revoke"] });

      expect(await db().users.getById(tenantId, user.id)).toEqual(user);
      expect(await db().users.getByUsername(tenantId, user.username)).toEqual(user);
    });

    it("matches usernames exactly and case-sensitively", async () => {
      const tenantId = await seedTenant();
      const username = `Alice-${suffix()}`;
      await seedUser(tenantId, { username });

      for (const variant of [
        username.toLowerCase(),
        username.toUpperCase(),
        ` ${username}`,
        `${username} `,
        username.slice(0, -1),
      ]) {
        expect(await db().users.getByUsername(tenantId, variant)).toBeUndefined();
      }
      expect((await db().users.getByUsername(tenantId, username))?.username).toBe(username);
    });

    it("does not find a user through another tenant", async () => {
      const tenantId = await seedTenant();
      const otherTenantId = await seedTenant();
      const user = await seedUser(tenantId);

      expect(await db().users.getById(otherTenantId, user.id)).toBeUndefined();
      expect(await db().users.getByUsername(otherTenantId, user.username)).toBeUndefined();
    });

    it("lists a tenant's users ordered by username", async () => {
      const tenantId = await seedTenant();
      const otherTenantId = await seedTenant();
      const s = suffix();
      const charlie = await seedUser(tenantId, { username: `charlie-${s}` });
      const alice = await seedUser(tenantId, { username: `alice-${s}` });
      const bob = await seedUser(tenantId, { username: `bob-${s}` });
      await seedUser(otherTenantId, { username: `aaron-${s}` });

      expect(await db().users.list(tenantId)).toEqual([alice, bob, charlie]);
    });

    it("pages through users by username, and searches ignoring case with % and _ as themselves", async () => {
      const tenantId = await seedTenant();
      const otherTenantId = await seedTenant();
      const s = suffix();
      const names = [`Ann-${s}`, `bob_${s}`, `bobby-${s}`, `carol%${s}`, `dave-${s}`];
      const users = [];
      for (const username of names) {
        users.push(await seedUser(tenantId, { username }));
      }
      await seedUser(otherTenantId, { username: `bob-${s}` });
      const usernames = (list: readonly UserRecord[]) => list.map((u) => u.username);

      const first = await db().users.page(tenantId, { limit: 2 });
      expect(first).toEqual(
        await db()
          .users.list(tenantId)
          .then((all) => all.slice(0, 2)),
      );
      const seen = [...first];
      let after = first.at(-1)?.username;
      while (after !== undefined) {
        const next = await db().users.page(tenantId, { after, limit: 2 });
        seen.push(...next);
        after = next.length === 2 ? next.at(-1)?.username : undefined;
      }
      expect(usernames(seen).sort()).toEqual([...names].sort());
      expect(new Set(usernames(seen)).size).toBe(names.length);

      expect(usernames(await db().users.page(tenantId, { search: "BOB", limit: 10 }))).toEqual([
        `bob_${s}`,
        `bobby-${s}`,
      ]);
      expect(usernames(await db().users.page(tenantId, { search: "b_", limit: 10 }))).toEqual([
        `bob_${s}`,
      ]);
      expect(usernames(await db().users.page(tenantId, { search: "l%", limit: 10 }))).toEqual([
        `carol%${s}`,
      ]);
      expect(await db().users.page(tenantId, { search: "zzz", limit: 10 })).toEqual([]);
    });

    it("updates only while updatedAt still holds the value read, and always moves it on", async () => {
      const tenantId = await seedTenant();
      const user = await seedUser(tenantId);

      const first = await db().users.update(
        tenantId,
        user.id,
        { status: "disabled" },
        user.updatedAt,
        { ifUpdatedAt: user.updatedAt },
      );
      // Updated within the same millisecond as it was written: updatedAt still changes.
      expect(first?.updatedAt).toBe(user.updatedAt + 1);
      await expect(
        db().users.update(tenantId, user.id, { status: "active" }, T0 + HOUR, {
          ifUpdatedAt: user.updatedAt,
        }),
      ).rejects.toMatchObject({ code: "precondition_failed" });
      expect((await db().users.getById(tenantId, user.id))?.status).toBe("disabled");
      expect(
        await db().users.update(tenantId, newUserId(), { status: "active" }, T0 + HOUR, {
          ifUpdatedAt: user.updatedAt,
        }),
      ).toBeUndefined();
    });

    it("applies a patch, round-trips permissions as arrays and keeps other fields", async () => {
      const tenantId = await seedTenant();
      const user = await seedUser(tenantId, { permissions: ["users:read"] });

      const updated = await db().users.update(
        tenantId,
        user.id,
        { permissions: ["users:read", "users:write", "impersonate"], status: "disabled" },
        T0 + HOUR,
      );

      const expected: UserRecord = {
        ...user,
        permissions: ["users:read", "users:write", "impersonate"],
        status: "disabled",
        updatedAt: T0 + HOUR,
      };
      expect(updated).toEqual(expected);
      expect(await db().users.getById(tenantId, user.id)).toEqual(expected);

      const emptied = await db().users.update(
        tenantId,
        user.id,
        { permissions: [], passwordHash: "$argon2id$new" },
        T0 + 2 * HOUR,
      );
      expect(emptied?.permissions).toEqual([]);
      expect(emptied?.passwordHash).toBe("$argon2id$new");
      expect(emptied?.status).toBe("disabled");
    });

    it("does not update a user through another tenant", async () => {
      const tenantId = await seedTenant();
      const otherTenantId = await seedTenant();
      const user = await seedUser(tenantId);

      expect(
        await db().users.update(otherTenantId, user.id, { status: "disabled" }, T0 + HOUR),
      ).toBeUndefined();
      expect(await db().users.getById(tenantId, user.id)).toEqual(user);
    });

    it("refuses a username taken in the tenant, but allows it in another tenant", async () => {
      const tenantId = await seedTenant();
      const otherTenantId = await seedTenant();
      const user = await seedUser(tenantId);

      await expectConflict(db().users.create(userRecord(tenantId, { username: user.username })));
      expect(await db().users.list(tenantId)).toEqual([user]);

      const twin = await seedUser(otherTenantId, { username: user.username });
      expect(await db().users.getByUsername(otherTenantId, user.username)).toEqual(twin);
      expect(await db().users.getByUsername(tenantId, user.username)).toEqual(user);
    });
  });
}
