import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  basic,
  bearer,
  type Harness,
  PASSWORD,
  startHarness,
  TENANT,
} from "../../../test/support/harness.js";

const ADMIN = "HDB_ADMIN";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let h: Harness;
/** The admin's operation token as an Authorization value. */
let admin: string;

beforeAll(async () => {
  h = await startHarness({ TESSERA_ADMIN_USERNAME: ADMIN, TESSERA_ADMIN_PASSWORD: PASSWORD });
  admin = bearer(await operationToken(ADMIN));
});
afterAll(async () => {
  await h.close();
});

/** A role as the operations API renders it. */
interface Role {
  readonly id: string;
  readonly role: string;
  readonly permission: Record<string, unknown>;
  readonly __createdtime__: number;
  readonly __updatedtime__: number;
}

/** HarperDB's shape, with nested tables and attribute permissions, plus both flags. */
const DETAILED_PERMISSION = {
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
          { attribute_name: "owner", read: false, insert: false, update: false },
        ],
      },
      breed: { read: true, insert: true, update: true, delete: true, attribute_permissions: [] },
    },
  },
  prod: { tables: {} },
};

async function operationToken(username: string): Promise<string> {
  const response = await h.operation({
    operation: "create_authentication_tokens",
    username,
    password: PASSWORD,
  });
  if (response.statusCode !== 200) {
    throw new Error(`login of ${username}: ${response.statusCode} ${response.body}`);
  }
  return response.json<{ operation_token: string }>().operation_token;
}

async function addRole(role: string, permission: Record<string, unknown> = {}): Promise<Role> {
  const response = await h.operation({ operation: "add_role", role, permission }, admin);
  if (response.statusCode !== 200) {
    throw new Error(`add_role ${role}: ${response.statusCode} ${response.body}`);
  }
  return response.json<Role>();
}

/** Adds a user holding `role` and returns its operation token as an Authorization value. */
async function addMember(username: string, role: string): Promise<string> {
  const response = await h.operation(
    { operation: "add_user", username, password: PASSWORD, role, active: true },
    admin,
  );
  if (response.statusCode !== 200) {
    throw new Error(`add_user ${username}: ${response.statusCode} ${response.body}`);
  }
  return bearer(await operationToken(username));
}

async function listRoles(): Promise<Role[]> {
  const response = await h.operation({ operation: "list_roles" }, admin);
  expect(response.statusCode).toBe(200);
  return response.json<Role[]>();
}

async function listedRole(name: string): Promise<Role | undefined> {
  return (await listRoles()).find((role) => role.role === name);
}

function expectError(response: LightMyRequestResponse, status: number, message: string): void {
  expect(response.statusCode).toBe(status);
  expect(response.json()).toEqual({ error: message });
  expect(response.headers["cache-control"]).toBe("no-store");
}

function restricted(internalName: string): string {
  return JSON.stringify({
    error:
      "This operation is not authorized due to role restrictions and/or invalid database items",
    unauthorized_access: [`Operation '${internalName}' is restricted to 'super_user' roles`],
    invalid_schema_items: [],
  });
}

describe("200", () => {
  it("list_roles lists every role ordered by name, the bootstrap super_user role among them", async () => {
    h.clock.advance(1000);
    const addedAt = h.clock.now();
    await addRole("lr-zulu");
    await addRole("lr-alpha", { super_user: true });
    const response = await h.operation({ operation: "list_roles" }, admin);
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");
    const roles = response.json<Role[]>();
    const names = roles.map((role) => role.role);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(["lr-alpha", "lr-zulu", "super_user"]));
    for (const role of roles) {
      expect(Object.keys(role).sort()).toEqual(
        ["__createdtime__", "__updatedtime__", "id", "permission", "role"].sort(),
      );
    }
    expect(roles.find((role) => role.role === "super_user")).toEqual({
      id: expect.stringMatching(UUID),
      role: "super_user",
      permission: { super_user: true },
      __createdtime__: expect.any(Number),
      __updatedtime__: expect.any(Number),
    });
    expect(roles.find((role) => role.role === "lr-zulu")).toEqual({
      id: expect.stringMatching(UUID),
      role: "lr-zulu",
      permission: {},
      __createdtime__: addedAt,
      __updatedtime__: addedAt,
    });
  });

  it("add_role answers the role object, whose id the other role operations take", async () => {
    h.clock.advance(1000);
    const response = await h.operation(
      { operation: "add_role", role: "ar-shape", permission: { super_user: false } },
      admin,
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");
    const role = response.json<Role>();
    expect(role).toEqual({
      id: expect.stringMatching(UUID),
      role: "ar-shape",
      permission: { super_user: false },
      __createdtime__: h.clock.now(),
      __updatedtime__: h.clock.now(),
    });
    expect(await listedRole("ar-shape")).toEqual(role);
    const dropped = await h.operation({ operation: "drop_role", id: role.id }, admin);
    expect(dropped.statusCode).toBe(200);
  });

  it("keeps a detailed permission object verbatim through add_role, list_roles, user_info and alter_role", async () => {
    const added = await addRole("rt-detailed", DETAILED_PERMISSION);
    expect(added.permission).toEqual(DETAILED_PERMISSION);
    expect((await listedRole("rt-detailed"))?.permission).toEqual(DETAILED_PERMISSION);

    const member = await addMember("rt-member", "rt-detailed");
    const info = await h.operation({ operation: "user_info" }, member);
    expect(info.json()).toMatchObject({ role: { id: added.id, permission: DETAILED_PERMISSION } });

    const changed = {
      ...DETAILED_PERMISSION,
      cluster_user: false,
      dev: {
        tables: {
          dog: {
            read: false,
            insert: false,
            update: false,
            delete: false,
            attribute_permissions: [
              { attribute_name: "name", read: false, insert: true, update: true },
            ],
          },
        },
      },
    };
    const altered = await h.operation(
      { operation: "alter_role", id: added.id, permission: changed },
      admin,
    );
    expect(altered.statusCode).toBe(200);
    expect(altered.json<Role>().permission).toEqual(changed);
    expect((await listedRole("rt-detailed"))?.permission).toEqual(changed);
    const after = await h.operation({ operation: "user_info" }, member);
    expect(after.json()).toMatchObject({ role: { permission: changed } });
  });

  it("database and table grants alone do not make a super user", async () => {
    await addRole("grants-only", DETAILED_PERMISSION);
    const member = await addMember("grants-member", "grants-only");
    const response = await h.operation({ operation: "list_roles" }, member);
    expect(response.statusCode).toBe(403);
    expect(response.body).toBe(restricted("listRoles"));
  });

  it("alter_role replaces the permission, renames, keeps the id and creation time, and members see it at once", async () => {
    const added = await addRole("ren-before", { cluster_user: true });
    const member = await addMember("ren-member", "ren-before");
    h.clock.advance(7000);
    const response = await h.operation(
      { operation: "alter_role", id: added.id, role: "ren-after", permission: {} },
      admin,
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");
    const expected = {
      id: added.id,
      role: "ren-after",
      permission: {},
      __createdtime__: added.__createdtime__,
      __updatedtime__: h.clock.now(),
    };
    expect(response.json()).toEqual(expected);
    expect(await listedRole("ren-before")).toBeUndefined();
    expect(await listedRole("ren-after")).toEqual(expected);
    const info = await h.operation({ operation: "user_info" }, member);
    expect(info.json()).toMatchObject({ role: expected });
  });

  it("alter_role without a new name keeps the name", async () => {
    const added = await addRole("keeps-name");
    const response = await h.operation(
      { operation: "alter_role", id: added.id, permission: { cluster_user: true } },
      admin,
    );
    expect(response.json()).toMatchObject({
      id: added.id,
      role: "keeps-name",
      permission: { cluster_user: true },
    });
  });

  it("alter_role turning super_user on and off changes what members' live tokens may do at once", async () => {
    const added = await addRole("su-toggle");
    const member = await addMember("su-toggle-member", "su-toggle");
    const listAsMember = () => h.operation({ operation: "list_roles" }, member);
    expect((await listAsMember()).statusCode).toBe(403);

    const on = await h.operation(
      { operation: "alter_role", id: added.id, permission: { super_user: true } },
      admin,
    );
    expect(on.statusCode).toBe(200);
    const asSuperUser = await listAsMember();
    expect(asSuperUser.statusCode).toBe(200);
    expect(asSuperUser.json<Role[]>().map((role) => role.role)).toContain("su-toggle");
    expect(
      (await h.operation({ operation: "list_users" }, member)).statusCode,
      "list_users too",
    ).toBe(200);

    const off = await h.operation(
      { operation: "alter_role", id: added.id, permission: { super_user: false } },
      admin,
    );
    expect(off.statusCode).toBe(200);
    const refused = await listAsMember();
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toBe(restricted("listRoles"));
    // The member's session itself lives on.
    expect((await h.operation({ operation: "user_info" }, member)).statusCode).toBe(200);
  });

  it("drop_role answers HarperDB's message and the role is gone for every operation", async () => {
    const added = await addRole("dr-gone");
    const response = await h.operation({ operation: "drop_role", id: added.id }, admin);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: "dr-gone successfully deleted" });
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(await listedRole("dr-gone")).toBeUndefined();
    expectError(
      await h.operation({ operation: "alter_role", id: added.id, permission: {} }, admin),
      400,
      "Invalid role id",
    );
    expectError(
      await h.operation(
        {
          operation: "add_user",
          username: "dr-late",
          password: PASSWORD,
          role: "dr-gone",
          active: true,
        },
        admin,
      ),
      404,
      "dr-gone role not found",
    );
  });

  it("a dropped role's name can be used again, for a new role with a new id", async () => {
    const first = await addRole("dr-reuse");
    await h.operation({ operation: "drop_role", id: first.id }, admin);
    const second = await addRole("dr-reuse", { cluster_user: true });
    expect(second.id).not.toBe(first.id);
    expect(await listedRole("dr-reuse")).toEqual(second);
  });

  it("records every role change in the audit trail, by the admin", async () => {
    const adminUser = await h.runtime.ctx.store.users.getByUsername(TENANT, ADMIN);
    const added = await addRole("audited-role");
    await h.operation(
      { operation: "alter_role", id: added.id, permission: { super_user: true } },
      admin,
    );
    await h.operation({ operation: "drop_role", id: added.id }, admin);
    const events = (await h.runtime.ctx.store.audit.list(TENANT, { limit: 200 })).filter(
      (event) => event.detail.roleId === added.id,
    );
    expect(events.map((event) => event.type)).toEqual([
      "role.created",
      "role.updated",
      "role.deleted",
    ]);
    for (const event of events) {
      expect(event.actorUserId).toBe(adminUser?.id);
    }
  });
});

describe("400", () => {
  it("add_role names every missing field", async () => {
    expectError(
      await h.operation({ operation: "add_role" }, admin),
      400,
      "'role' is required. 'permission' is required",
    );
  });

  it.each([
    ["a string", "all"],
    ["an array", [{ super_user: true }]],
    ["a number", 1],
    ["null", null],
  ])("add_role refuses a permission that is %s", async (_, permission) => {
    expectError(
      await h.operation({ operation: "add_role", role: "not-object", permission }, admin),
      400,
      "'permission' must be of type object",
    );
    expect(await listedRole("not-object")).toBeUndefined();
  });

  it("a super_user role may not list other grants, and no role is made", async () => {
    expectError(
      await h.operation(
        {
          operation: "add_role",
          role: "su-mixed",
          permission: { super_user: true, dev: { tables: {} } },
        },
        admin,
      ),
      400,
      "A super_user role may not have other permissions set",
    );
    expect(await listedRole("su-mixed")).toBeUndefined();
  });

  it.each([
    [
      "a string read grant",
      { dev: { tables: { dog: { read: "yes", insert: true, update: true, delete: true } } } },
      "'dev.tables.dog.read' must be a boolean",
    ],
    [
      "a missing delete grant",
      { dev: { tables: { dog: { read: true, insert: true, update: true } } } },
      "'dev.tables.dog.delete' must be a boolean",
    ],
    [
      "two bad grants",
      { dev: { tables: { dog: { read: 1, insert: true, update: null, delete: true } } } },
      "'dev.tables.dog.read' must be a boolean. 'dev.tables.dog.update' must be a boolean",
    ],
    [
      "a database without tables",
      { dev: { dog: { read: true } } },
      "'dev' must be an object with a 'tables' object",
    ],
    [
      "a table that is not an object",
      { dev: { tables: { dog: true } } },
      "'dev.tables.dog' must be an object",
    ],
    [
      "attribute_permissions that are not an array",
      {
        dev: {
          tables: {
            dog: {
              read: true,
              insert: true,
              update: true,
              delete: true,
              attribute_permissions: {},
            },
          },
        },
      },
      "'dev.tables.dog.attribute_permissions' must be an array",
    ],
    [
      "a string structure_user",
      { structure_user: "yes" },
      "'structure_user' must be a boolean or a list of database names",
    ],
    [
      "a structure_user of numbers",
      { structure_user: [1] },
      "'structure_user' must be a boolean or a list of database names",
    ],
    ["a string super_user", { super_user: "true" }, "'super_user' must be a boolean"],
  ])("add_role refuses %s, and no role is made", async (_, permission, message) => {
    expectError(
      await h.operation({ operation: "add_role", role: "bad-grants", permission }, admin),
      400,
      message,
    );
    expect(await listedRole("bad-grants")).toBeUndefined();
  });

  it("add_role refuses an empty name", async () => {
    expectError(
      await h.operation({ operation: "add_role", role: "", permission: {} }, admin),
      400,
      "'role' is not allowed to be empty",
    );
  });

  it("alter_role with an unknown id is 400 Invalid role id", async () => {
    expectError(
      await h.operation(
        { operation: "alter_role", id: "00000000-0000-4000-8000-000000000000", permission: {} },
        admin,
      ),
      400,
      "Invalid role id",
    );
    expectError(
      await h.operation({ operation: "alter_role", id: "nope", permission: {} }, admin),
      400,
      "Invalid role id",
    );
  });

  it("alter_role needs an id and a permission object, and an invalid permission leaves the role as it was", async () => {
    const added = await addRole("alt-invalid", { cluster_user: true });
    expectError(
      await h.operation({ operation: "alter_role", permission: {} }, admin),
      400,
      "'id' is required",
    );
    expectError(
      await h.operation({ operation: "alter_role", id: added.id }, admin),
      400,
      "'permission' is required",
    );
    expectError(
      await h.operation({ operation: "alter_role", id: added.id, permission: "all" }, admin),
      400,
      "'permission' must be of type object",
    );
    expectError(
      await h.operation(
        {
          operation: "alter_role",
          id: added.id,
          role: "alt-invalid-renamed",
          permission: { super_user: true, dev: { tables: {} } },
        },
        admin,
      ),
      400,
      "A super_user role may not have other permissions set",
    );
    expect(await listedRole("alt-invalid")).toEqual(added);
    expect(await listedRole("alt-invalid-renamed")).toBeUndefined();
  });

  it("drop_role needs an id", async () => {
    expectError(await h.operation({ operation: "drop_role" }, admin), 400, "'id' is required");
  });
});

describe("401", () => {
  it.each([
    { operation: "list_roles" },
    { operation: "add_role", role: "anon-role", permission: {} },
    { operation: "alter_role", id: "anything", permission: {} },
    { operation: "drop_role", id: "anything" },
  ])("$operation without credentials is 401 Must login", async (body) => {
    expectError(await h.operation(body), 401, "Must login");
    expect(await listedRole("anon-role")).toBeUndefined();
  });

  it("authentication comes before the body", async () => {
    expectError(await h.operation({ operation: "add_role", permission: "all" }), 401, "Must login");
    expectError(
      await h.operation({ operation: "add_role", permission: "all" }, basic(ADMIN, "wrong")),
      401,
      "Login failed",
    );
  });
});

describe("403", () => {
  let member: string;
  let superUserRoleId: string;

  beforeAll(async () => {
    await addRole("member-role");
    member = await addMember("role-forbidden-member", "member-role");
    const superUserRole = await listedRole("super_user");
    if (superUserRole === undefined) {
      throw new Error("the bootstrap super_user role is missing");
    }
    superUserRoleId = superUserRole.id;
  });

  it.each([
    ["list_roles", "listRoles", () => ({})],
    ["add_role", "addRole", () => ({ role: "by-member", permission: { super_user: true } })],
    ["alter_role", "alterRole", () => ({ id: superUserRoleId, permission: {} })],
    ["drop_role", "dropRole", () => ({ id: superUserRoleId })],
  ])(
    "%s by a non-super-user is HarperDB's 403 naming %s, and changes nothing",
    async (operation, internal, fields) => {
      for (const authorization of [member, basic("role-forbidden-member")]) {
        const response = await h.operation({ operation, ...fields() }, authorization);
        expect(response.statusCode).toBe(403);
        expect(response.body).toBe(restricted(internal));
        expect(response.headers["cache-control"]).toBe("no-store");
      }
      expect(await listedRole("by-member")).toBeUndefined();
      expect(await listedRole("super_user")).toMatchObject({
        id: superUserRoleId,
        permission: { super_user: true },
      });
    },
  );

  it("the role comes before the body: a non-super-user's invalid add_role body is the 403", async () => {
    const response = await h.operation({ operation: "add_role", permission: "all" }, member);
    expect(response.statusCode).toBe(403);
    expect(response.body).toBe(restricted("addRole"));
  });
});

describe("404", () => {
  it("drop_role of an unknown id, or of a role already dropped, is Role not found", async () => {
    expectError(
      await h.operation(
        { operation: "drop_role", id: "00000000-0000-4000-8000-000000000000" },
        admin,
      ),
      404,
      "Role not found",
    );
    const added = await addRole("dropped-twice");
    expect((await h.operation({ operation: "drop_role", id: added.id }, admin)).statusCode).toBe(
      200,
    );
    expectError(
      await h.operation({ operation: "drop_role", id: added.id }, admin),
      404,
      "Role not found",
    );
  });
});

describe("409", () => {
  it("add_role with a name already taken is refused, the bootstrap super_user included", async () => {
    const first = await addRole("dup-role", { cluster_user: true });
    expectError(
      await h.operation(
        { operation: "add_role", role: "dup-role", permission: { super_user: true } },
        admin,
      ),
      409,
      "A role with name 'dup-role' already exists",
    );
    expect(await listedRole("dup-role")).toEqual(first);
    expectError(
      await h.operation({ operation: "add_role", role: "super_user", permission: {} }, admin),
      409,
      "A role with name 'super_user' already exists",
    );
  });

  it("alter_role renaming onto an existing name is refused and leaves the role as it was", async () => {
    const taken = await addRole("rename-taken");
    const other = await addRole("rename-other", { cluster_user: true });
    expectError(
      await h.operation(
        { operation: "alter_role", id: other.id, role: "rename-taken", permission: {} },
        admin,
      ),
      409,
      "A role with name 'rename-taken' already exists",
    );
    expect(await listedRole("rename-other")).toEqual(other);
    expect(await listedRole("rename-taken")).toEqual(taken);
  });

  it("drop_role is refused while a user holds the role, and succeeds once the user is moved to another", async () => {
    const held = await addRole("held-role");
    await addRole("move-to-role");
    const member = await addMember("held-member", "held-role");
    expectError(
      await h.operation({ operation: "drop_role", id: held.id }, admin),
      409,
      "Cannot drop role held-role as it has user(s) tied to this role",
    );
    expect(await listedRole("held-role")).toEqual(held);
    expect((await h.operation({ operation: "user_info" }, member)).json()).toMatchObject({
      role: { role: "held-role" },
    });

    const moved = await h.operation(
      { operation: "alter_user", username: "held-member", role: "move-to-role" },
      admin,
    );
    expect(moved.statusCode).toBe(200);
    const dropped = await h.operation({ operation: "drop_role", id: held.id }, admin);
    expect(dropped.statusCode).toBe(200);
    expect(dropped.json()).toEqual({ message: "held-role successfully deleted" });
    expect((await h.operation({ operation: "user_info" }, member)).json()).toMatchObject({
      role: { role: "move-to-role" },
    });
  });
});
