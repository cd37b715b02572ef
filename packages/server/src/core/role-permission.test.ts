import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TesseraError } from "./errors.js";
import type { JsonObject } from "./model/index.js";
import { validateRolePermission } from "./role-permission.js";

const FLAGS = ["super_user", "cluster_user", "structure_user"];
const GRANTS = ["read", "insert", "update", "delete"] as const;

/** Runs {@link validateRolePermission} and returns its refusal, or undefined if it accepted. */
function refusalOf(permission: JsonObject): TesseraError | undefined {
  try {
    validateRolePermission(permission);
    return undefined;
  } catch (error) {
    if (error instanceof TesseraError) {
      return error;
    }
    throw error;
  }
}

function expectRefused(permission: JsonObject, message: string): void {
  const refusal = refusalOf(permission);
  expect(refusal?.code).toBe("invalid_request");
  expect(refusal?.message).toBe(message);
}

/** A database or table name; never one of the role flags, which are not databases. */
const name = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !FLAGS.includes(s));

const tableGrant = fc.record({
  read: fc.boolean(),
  insert: fc.boolean(),
  update: fc.boolean(),
  delete: fc.boolean(),
  attribute_permissions: fc.constant([]),
});

/** Any object made only of database → tables → table grants. */
const databaseGrants = fc.dictionary(
  name,
  fc.record({ tables: fc.dictionary(name, tableGrant, { maxKeys: 4 }) }),
  { maxKeys: 4 },
);

const notBoolean = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
);

describe("validateRolePermission", () => {
  it("accepts HarperDB's detailed shape with flags, tables and attribute permissions", () => {
    expect(
      refusalOf({
        super_user: false,
        cluster_user: true,
        structure_user: ["dev"],
        dev: {
          tables: {
            dog: {
              read: true,
              insert: false,
              update: true,
              delete: false,
              attribute_permissions: [
                { attribute_name: "name", read: true, insert: false, update: false },
              ],
            },
            breed: { read: true, insert: true, update: true, delete: true },
          },
        },
        prod: { tables: {} },
      }),
    ).toBeUndefined();
  });

  it("accepts an empty object and super_user true alone", () => {
    expect(refusalOf({})).toBeUndefined();
    expect(refusalOf({ super_user: true })).toBeUndefined();
    expect(refusalOf({ super_user: true, cluster_user: true })).toBeUndefined();
  });

  it("accepts any object made only of databases, tables and boolean grants", () => {
    fc.assert(
      fc.property(databaseGrants, (permission) => {
        expect(refusalOf(permission)).toBeUndefined();
      }),
    );
  });

  it("refuses a control or bidirectional character anywhere in it, attribute names and unknown keys included", () => {
    const table = { read: true, insert: false, update: false, delete: false };
    for (const permission of [
      {
        dev: {
          tables: {
            dog: {
              ...table,
              attribute_permissions: [{ attribute_name: "na\u202eme", read: true }],
            },
          },
        },
      },
      { dev: { tables: { dog: { ...table, "note\u0000": true } } } },
      { dev: { tables: { dog: { ...table } }, comment: "line\nbreak" } },
    ] as JsonObject[]) {
      expect(refusalOf(permission)?.message).toContain(
        "A name or value in the permission holds a control, bidirectional or line separator character",
      );
    }
  });

  it("refuses super_user true beside any database grant", () => {
    fc.assert(
      fc.property(
        databaseGrants.filter((grants) => Object.keys(grants).length > 0),
        (grants) => {
          expect(refusalOf({ super_user: true, ...grants })?.message).toContain(
            "A super_user role may not have other permissions set",
          );
        },
      ),
    );
  });

  it("refuses any non-boolean table grant, naming its path", () => {
    fc.assert(
      fc.property(
        name,
        name,
        tableGrant,
        fc.constantFrom(...GRANTS),
        notBoolean,
        (database, table, grant, which, value) => {
          const permission = { [database]: { tables: { [table]: { ...grant, [which]: value } } } };
          expectRefused(permission, `'${database}.tables.${table}.${which}' must be a boolean`);
        },
      ),
    );
  });

  it("names every problem at once", () => {
    expectRefused(
      {
        super_user: "yes",
        dev: { tables: { dog: { read: 1, insert: true, update: true } } },
      },
      "'super_user' must be a boolean. 'dev.tables.dog.read' must be a boolean. 'dev.tables.dog.delete' must be a boolean",
    );
  });

  it("refuses a bad structure", () => {
    expectRefused({ dev: true }, "'dev' must be an object with a 'tables' object");
    expectRefused({ dev: { tables: [] } }, "'dev' must be an object with a 'tables' object");
    expectRefused({ dev: { dog: {} } }, "'dev' must be an object with a 'tables' object");
    expectRefused({ dev: { tables: { dog: "all" } } }, "'dev.tables.dog' must be an object");
    expectRefused(
      {
        dev: {
          tables: {
            dog: {
              read: true,
              insert: true,
              update: true,
              delete: true,
              attribute_permissions: "x",
            },
          },
        },
      },
      "'dev.tables.dog.attribute_permissions' must be an array",
    );
  });

  it("takes structure_user as a boolean or a list of database names, nothing else", () => {
    expect(refusalOf({ structure_user: true })).toBeUndefined();
    expect(refusalOf({ structure_user: ["dev", "prod"] })).toBeUndefined();
    expectRefused(
      { structure_user: "dev" },
      "'structure_user' must be a boolean or a list of database names",
    );
    expectRefused(
      { structure_user: ["dev", 1] },
      "'structure_user' must be a boolean or a list of database names",
    );
    expectRefused({ cluster_user: ["dev"] }, "'cluster_user' must be a boolean");
    expectRefused({ super_user: ["dev"] }, "'super_user' must be a boolean");
  });

  it("does not coerce flags: 'true', 1 and null are not booleans", () => {
    for (const value of ["true", 1, null]) {
      expectRefused({ super_user: value }, "'super_user' must be a boolean");
    }
  });
});
