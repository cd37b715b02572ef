import { describe, expect, it } from "vitest";
import type { RoleId } from "../../core/ids.js";
import type { RoleRecord, UserRecord } from "../../core/model/index.js";
import {
  expectConflict,
  HOUR,
  roleRecord,
  type Seeds,
  suffix,
  T0,
  userRecord,
} from "./fixtures.js";

/** Store conformance: roles, users' roles, and deleting users. */
export function describeRoleConformance({ db, seedTenant, seedUser, seedSession }: Seeds): void {
  describe("roles", () => {
    it("reads back a created role by id and by name, permission object intact", async () => {
      const tenantId = await seedTenant();
      const role = roleRecord(tenantId, {
        permission: { super_user: true, nested: { list: [1, "two", null, { deep: false }] } },
        permissions: ["admin"],
      });
      await db().roles.create(role);

      expect(await db().roles.get(tenantId, role.id)).toEqual(role);
      expect(await db().roles.getByName(tenantId, role.name)).toEqual(role);
    });

    it("updates only while updatedAt still holds the value read, and always moves it on", async () => {
      const tenantId = await seedTenant();
      const role = roleRecord(tenantId);
      await db().roles.create(role);

      const first = await db().roles.update(
        tenantId,
        role.id,
        { name: `${role.name}-1` },
        role.updatedAt,
        {
          ifUpdatedAt: role.updatedAt,
        },
      );
      expect(first?.updatedAt).toBe(role.updatedAt + 1);
      await expect(
        db().roles.update(tenantId, role.id, { name: `${role.name}-2` }, role.updatedAt + 5, {
          ifUpdatedAt: role.updatedAt,
        }),
      ).rejects.toMatchObject({ code: "precondition_failed" });
      expect((await db().roles.get(tenantId, role.id))?.name).toBe(`${role.name}-1`);
    });

    it("keeps roles inside their tenant and lists them by name", async () => {
      const tenantId = await seedTenant();
      const otherTenantId = await seedTenant();
      const s = suffix();
      const writer = roleRecord(tenantId, { name: `writer-${s}` });
      const admin = roleRecord(tenantId, { name: `admin-${s}` });
      await db().roles.create(writer);
      await db().roles.create(admin);
      await db().roles.create(roleRecord(otherTenantId, { name: `writer-${s}` }));

      expect(await db().roles.list(tenantId)).toEqual([admin, writer]);
      expect(await db().roles.get(otherTenantId, writer.id)).toBeUndefined();
      expect(await db().roles.getByName(otherTenantId, admin.name)).toBeUndefined();
    });

    it("refuses a role name the tenant already has", async () => {
      const tenantId = await seedTenant();
      const role = roleRecord(tenantId);
      await db().roles.create(role);

      await expectConflict(db().roles.create(roleRecord(tenantId, { name: role.name })));
    });

    it("applies a patch and refuses a rename onto a taken name", async () => {
      const tenantId = await seedTenant();
      const role = roleRecord(tenantId);
      const other = roleRecord(tenantId);
      await db().roles.create(role);
      await db().roles.create(other);

      const updated = await db().roles.update(
        tenantId,
        role.id,
        { name: `renamed-${suffix()}`, permission: { super_user: true }, permissions: ["admin"] },
        T0 + HOUR,
      );
      expect(updated).toMatchObject({
        permission: { super_user: true },
        permissions: ["admin"],
        updatedAt: T0 + HOUR,
      });
      expect(await db().roles.get(tenantId, role.id)).toEqual(updated);

      await expectConflict(db().roles.update(tenantId, role.id, { name: other.name }, T0));
      expect(await db().roles.update(tenantId, `missing-${suffix()}` as RoleId, {}, T0)).toBe(
        undefined,
      );
    });

    it("reads a member's role grants with the user, and follows changes to the role", async () => {
      const tenantId = await seedTenant();
      const role = roleRecord(tenantId, { permissions: [] });
      await db().roles.create(role);
      const user = await seedUser(tenantId, { roleId: role.id });

      expect(await db().users.getById(tenantId, user.id)).toEqual(user);
      await db().roles.update(tenantId, role.id, { permissions: ["admin"] }, T0 + HOUR);

      const expected: UserRecord = { ...user, rolePermissions: ["admin"] };
      expect(await db().users.getById(tenantId, user.id)).toEqual(expected);
      expect(await db().users.getByUsername(tenantId, user.username)).toEqual(expected);
      expect(await db().users.list(tenantId)).toEqual([expected]);
      expect(await db().roles.countMembers(tenantId, role.id)).toBe(1);
    });

    it("gives and takes a user's role through update", async () => {
      const tenantId = await seedTenant();
      const role = roleRecord(tenantId, { permissions: ["admin"] });
      await db().roles.create(role);
      const user = await seedUser(tenantId);

      const given = await db().users.update(tenantId, user.id, { roleId: role.id }, T0 + HOUR);
      expect(given).toMatchObject({ roleId: role.id, rolePermissions: ["admin"] });

      const taken = await db().users.update(tenantId, user.id, { roleId: null }, T0 + 2 * HOUR);
      expect(taken).toMatchObject({ roleId: null, rolePermissions: [] });
    });

    it("refuses to give a user a role that does not exist", async () => {
      const tenantId = await seedTenant();
      const user = await seedUser(tenantId);

      await expect(
        db().users.update(tenantId, user.id, { roleId: `missing-${suffix()}` as RoleId }, T0),
      ).rejects.toMatchObject({ code: "not_found" });
      expect(await db().users.getById(tenantId, user.id)).toEqual(user);
    });

    it("deletes an unheld role, and refuses while a user holds it", async () => {
      const tenantId = await seedTenant();
      const held = roleRecord(tenantId);
      const free: RoleRecord = roleRecord(tenantId);
      await db().roles.create(held);
      await db().roles.create(free);
      await seedUser(tenantId, { roleId: held.id });

      await expectConflict(db().roles.delete(tenantId, held.id));
      expect(await db().roles.get(tenantId, held.id)).toEqual(held);

      expect(await db().roles.delete(tenantId, free.id)).toBe(true);
      expect(await db().roles.get(tenantId, free.id)).toBeUndefined();
      expect(await db().roles.delete(tenantId, free.id)).toBe(false);
    });
  });

  describe("roles across tenants", () => {
    it("refuses to give a user another tenant's role, on create and on update", async () => {
      const tenantId = await seedTenant();
      const otherTenantId = await seedTenant();
      const foreign = roleRecord(otherTenantId, { permissions: ["admin"] });
      await db().roles.create(foreign);
      const user = await seedUser(tenantId);

      await expect(
        db().users.update(tenantId, user.id, { roleId: foreign.id }, T0 + HOUR),
      ).rejects.toMatchObject({ code: "not_found" });
      await expect(
        db().users.create(userRecord(tenantId, { roleId: foreign.id })),
      ).rejects.toMatchObject({ code: "not_found" });
      expect(await db().users.getById(tenantId, user.id)).toEqual(user);
    });
  });

  describe("deleting users", () => {
    it("refuses a session for a user that no longer exists, as not_found", async () => {
      const tenantId = await seedTenant();
      const user = await seedUser(tenantId);
      await db().users.delete(tenantId, user.id);

      await expect(seedSession(tenantId, user.id)).rejects.toMatchObject({ code: "not_found" });
    });

    it("deletes a user with their sessions and refresh tokens, and nobody else's", async () => {
      const tenantId = await seedTenant();
      const user = await seedUser(tenantId);
      const other = await seedUser(tenantId);
      const mine = await seedSession(tenantId, user.id);
      const theirs = await seedSession(tenantId, other.id);

      expect(await db().users.delete(tenantId, user.id)).toBe(true);

      expect(await db().users.getById(tenantId, user.id)).toBeUndefined();
      expect(await db().sessions.get(mine.session.id)).toBeUndefined();
      expect(await db().refreshTokens.getByHash(mine.refreshToken.hash)).toBeUndefined();
      expect(await db().sessions.get(theirs.session.id)).toEqual(theirs.session);
      expect(await db().refreshTokens.getByHash(theirs.refreshToken.hash)).toEqual(
        theirs.refreshToken,
      );
      expect(await db().users.delete(tenantId, user.id)).toBe(false);
    });

    it("does not delete a user through another tenant", async () => {
      const tenantId = await seedTenant();
      const otherTenantId = await seedTenant();
      const user = await seedUser(tenantId);

      expect(await db().users.delete(otherTenantId, user.id)).toBe(false);
      expect(await db().users.getById(tenantId, user.id)).toEqual(user);
    });
  });
}
