import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonObject } from "./model/index.js";
import { ADMIN } from "./permissions.js";
import { checkRolePermission, MAX_ROLE_PERMISSION_BYTES, permissionsOfRole } from "./roles.js";

/** A database or table name. */
const name = fc.string({ minLength: 1, maxLength: 12 });

/** Any object made only of database → tables → table grants. */
const databaseGrants = fc.dictionary(
  name.filter((s) => s !== "super_user"),
  fc.record({
    tables: fc.dictionary(
      name,
      fc.record({ read: fc.boolean(), insert: fc.boolean(), update: fc.boolean() }),
      { maxKeys: 4 },
    ),
  }),
  { maxKeys: 4 },
);

describe("checkRolePermission", () => {
  it("leaves the shape to the dialect: any bounded object of visible text passes", () => {
    for (const permission of [
      {},
      { super_user: true },
      { super_user: "yes", dev: true, note: ["a", 1, null] },
    ] as JsonObject[]) {
      expect(() => checkRolePermission(permission)).not.toThrow();
    }
  });

  it("refuses a control or bidirectional character anywhere, keys and nested strings included", () => {
    for (const permission of [
      { "na\u202eme": true },
      { dev: { tables: { "dog\u0000": {} } } },
      { note: ["fine", "line\nbreak"] },
    ] as JsonObject[]) {
      expect(() => checkRolePermission(permission)).toThrow(
        expect.objectContaining({
          code: "invalid_request",
          message:
            "A name or value in the permission holds a control, bidirectional or line separator character, or is too long",
        }),
      );
    }
  });

  it(`refuses more than ${MAX_ROLE_PERMISSION_BYTES} bytes of JSON`, () => {
    const permission = { note: "x".repeat(MAX_ROLE_PERMISSION_BYTES) };
    expect(() => checkRolePermission(permission)).toThrow(
      expect.objectContaining({
        code: "invalid_request",
        message: `A permission object must be at most ${MAX_ROLE_PERMISSION_BYTES} bytes of JSON`,
      }),
    );
  });
});

describe("permissionsOfRole", () => {
  it("grants admin for super_user true alone", () => {
    expect(permissionsOfRole({ super_user: true })).toEqual([ADMIN]);
    expect(permissionsOfRole({ super_user: true, cluster_user: true })).toEqual([ADMIN]);
  });

  it("grants nothing for super_user false, missing, or not exactly true", () => {
    expect(permissionsOfRole({})).toEqual([]);
    expect(permissionsOfRole({ super_user: false })).toEqual([]);
    expect(permissionsOfRole({ super_user: "true" })).toEqual([]);
    expect(permissionsOfRole({ super_user: 1 })).toEqual([]);
    expect(permissionsOfRole({ cluster_user: true, structure_user: true })).toEqual([]);
  });

  it("grants nothing for any object made only of databases, tables and boolean grants", () => {
    fc.assert(
      fc.property(databaseGrants, (permission) => {
        expect(permissionsOfRole(permission)).toEqual([]);
      }),
    );
  });
});
