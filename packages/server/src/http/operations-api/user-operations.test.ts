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
import type { RoleRecord } from "../../core/model/index.js";
import { addRole } from "../../core/roles.js";

const ADMIN = "HDB_ADMIN";
const NEW_PASSWORD = "a completely different passphrase";

let h: Harness;
/** The admin's operation token as an Authorization value. */
let admin: string;
/** A role with no grants, and the bootstrap `super_user` role. */
let plain: RoleRecord;
let superUser: RoleRecord;

beforeAll(async () => {
  h = await startHarness({ TESSERA_ADMIN_USERNAME: ADMIN, TESSERA_ADMIN_PASSWORD: PASSWORD });
  plain = await addRole(h.runtime.ctx, { tenantId: TENANT, name: "plain", permission: {} });
  const bootstrapRole = await h.runtime.ctx.store.roles.getByName(TENANT, "super_user");
  if (bootstrapRole === undefined) {
    throw new Error("the bootstrap super_user role is missing");
  }
  superUser = bootstrapRole;
  admin = bearer((await login(ADMIN)).operation_token);
});
afterAll(async () => {
  await h.close();
});

interface Tokens {
  readonly operation_token: string;
  readonly refresh_token: string;
}

async function login(username: string, password = PASSWORD): Promise<Tokens> {
  const response = await h.operation({
    operation: "create_authentication_tokens",
    username,
    password,
  });
  if (response.statusCode !== 200) {
    throw new Error(`login of ${username}: ${response.statusCode} ${response.body}`);
  }
  return response.json<Tokens>();
}

/** `add_user` by the admin, expecting success. */
async function addUser(
  username: string,
  fields: { role?: string; password?: string; active?: boolean } = {},
): Promise<void> {
  const response = await h.operation(
    {
      operation: "add_user",
      username,
      password: fields.password ?? PASSWORD,
      role: fields.role ?? "plain",
      active: fields.active ?? true,
    },
    admin,
  );
  if (response.statusCode !== 200) {
    throw new Error(`add_user ${username}: ${response.statusCode} ${response.body}`);
  }
}

function refresh(tokens: Tokens): Promise<LightMyRequestResponse> {
  return h.operation({ operation: "refresh_operation_token" }, bearer(tokens.refresh_token));
}

function userInfo(authorization: string): Promise<LightMyRequestResponse> {
  return h.operation({ operation: "user_info" }, authorization);
}

function expectError(response: LightMyRequestResponse, status: number, message: string): void {
  expect(response.statusCode).toBe(status);
  expect(response.json()).toEqual({ error: message });
  expect(response.headers["cache-control"]).toBe("no-store");
}

/** Fails if any trace of a password or its hash is in the raw body. */
function expectNoSecrets(response: LightMyRequestResponse): void {
  expect(response.body).not.toContain(PASSWORD);
  expect(response.body).not.toContain(NEW_PASSWORD);
  expect(response.body).not.toMatch(/password|argon2/i);
  // A field named like a hash (`hash`, `password_hash`), not `update_hashes`.
  expect(response.body).not.toMatch(/hash"\s*:/i);
}

function renderedRole(role: RoleRecord) {
  return {
    id: role.id,
    role: role.name,
    permission: role.permission,
    __createdtime__: role.createdAt,
    __updatedtime__: role.updatedAt,
  };
}

interface ListedUser {
  readonly username: string;
}

async function listUsers(): Promise<ListedUser[]> {
  const response = await h.operation({ operation: "list_users" }, admin);
  expect(response.statusCode).toBe(200);
  return response.json<ListedUser[]>();
}

async function listed(username: string): Promise<ListedUser | undefined> {
  return (await listUsers()).find((user) => user.username === username);
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
  it("user_info shows a super user its super_user role, by Basic or by token, without secrets", async () => {
    const admins = await h.runtime.ctx.store.users.getByUsername(TENANT, ADMIN);
    const expected = {
      username: ADMIN,
      active: true,
      role: renderedRole(superUser),
      __createdtime__: admins?.createdAt,
      __updatedtime__: admins?.updatedAt,
    };
    expect(superUser.permission).toEqual({ super_user: true });
    for (const authorization of [basic(ADMIN), admin]) {
      const response = await userInfo(authorization);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(expected);
      expect(response.headers["cache-control"]).toBe("no-store");
      expectNoSecrets(response);
    }
  });

  it("user_info shows a user added with a role that role, and a user without one role null", async () => {
    h.clock.advance(1000);
    const addedAt = h.clock.now();
    await addUser("ui-member");
    const member = await userInfo(bearer((await login("ui-member")).operation_token));
    expect(member.statusCode).toBe(200);
    expect(member.json()).toEqual({
      username: "ui-member",
      active: true,
      role: renderedRole(plain),
      __createdtime__: addedAt,
      __updatedtime__: addedAt,
    });
    expectNoSecrets(member);

    await h.addUser("ui-roleless");
    const roleless = await userInfo(basic("ui-roleless"));
    expect(roleless.statusCode).toBe(200);
    expect(roleless.json()).toEqual({
      username: "ui-roleless",
      active: true,
      role: null,
      __createdtime__: addedAt,
      __updatedtime__: addedAt,
    });
    expectNoSecrets(roleless);
  });

  it("list_users lists every user ordered by username, each in user_info's shape, without secrets", async () => {
    h.clock.advance(1000);
    const addedAt = h.clock.now();
    await addUser("lu-bob");
    await addUser("lu-alice", { active: false });
    const response = await h.operation({ operation: "list_users" }, admin);
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");
    expectNoSecrets(response);
    const users = response.json<ListedUser[]>();
    const names = users.map((user) => user.username);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining([ADMIN, "lu-alice", "lu-bob"]));
    expect(users.find((user) => user.username === "lu-alice")).toEqual({
      username: "lu-alice",
      active: false,
      role: renderedRole(plain),
      __createdtime__: addedAt,
      __updatedtime__: addedAt,
    });
    expect(users.find((user) => user.username === "lu-bob")).toEqual({
      username: "lu-bob",
      active: true,
      role: renderedRole(plain),
      __createdtime__: addedAt,
      __updatedtime__: addedAt,
    });
    expect(users.find((user) => user.username === ADMIN)).toMatchObject({
      active: true,
      role: renderedRole(superUser),
    });
  });

  it("add_user answers HarperDB's message and the new user logs in with its password", async () => {
    const response = await h.operation(
      {
        operation: "add_user",
        username: "au-carol",
        password: PASSWORD,
        role: "plain",
        active: true,
      },
      admin,
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: "au-carol successfully added" });
    expect(response.headers["cache-control"]).toBe("no-store");
    expectNoSecrets(response);
    expect((await userInfo(basic("au-carol"))).json()).toMatchObject({ username: "au-carol" });
  });

  it("add_user takes a role by its id as well as by its name", async () => {
    await addUser("au-by-id", { role: plain.id });
    const info = await userInfo(basic("au-by-id"));
    expect(info.json()).toMatchObject({ role: { id: plain.id, role: "plain" } });
  });

  it("add_user with active false makes a user that cannot log in by any means", async () => {
    await addUser("au-inactive", { active: false });
    expect(await listed("au-inactive")).toMatchObject({ active: false });
    const tokens = await h.operation({
      operation: "create_authentication_tokens",
      username: "au-inactive",
      password: PASSWORD,
    });
    expectError(tokens, 401, "invalid credentials");
    expectError(await userInfo(basic("au-inactive")), 401, "Login failed");
  });

  it("alter_user answers HarperDB's update shape and stamps the change time", async () => {
    await addUser("alt-shape");
    h.clock.advance(5000);
    const response = await h.operation(
      { operation: "alter_user", username: "alt-shape", password: NEW_PASSWORD },
      admin,
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      message: "updated 1 of 1 records",
      new_attributes: [],
      txn_time: h.clock.now(),
      update_hashes: ["alt-shape"],
      skipped_hashes: [],
    });
    expect(response.headers["cache-control"]).toBe("no-store");
    expectNoSecrets(response);
    expect(await listed("alt-shape")).toMatchObject({ __updatedtime__: h.clock.now() });
  });

  it("alter_user with a new password revokes every session of that user at once, and only the new password works", async () => {
    await addUser("pw-target");
    await addUser("pw-bystander");
    const first = await login("pw-target");
    const second = await login("pw-target");
    const bystander = await login("pw-bystander");

    const response = await h.operation(
      { operation: "alter_user", username: "pw-target", password: NEW_PASSWORD },
      admin,
    );
    expect(response.statusCode).toBe(200);

    for (const session of [first, second]) {
      expectError(await userInfo(bearer(session.operation_token)), 401, "invalid token");
      expectError(await refresh(session), 401, "invalid token");
    }
    expect((await userInfo(bearer(bystander.operation_token))).statusCode).toBe(200);
    expect((await refresh(bystander)).statusCode).toBe(200);

    expectError(await userInfo(basic("pw-target")), 401, "Login failed");
    expectError(
      await h.operation({
        operation: "create_authentication_tokens",
        username: "pw-target",
        password: PASSWORD,
      }),
      401,
      "invalid credentials",
    );
    expect((await userInfo(basic("pw-target", NEW_PASSWORD))).statusCode).toBe(200);
    const fresh = await login("pw-target", NEW_PASSWORD);
    expect((await userInfo(bearer(fresh.operation_token))).json()).toMatchObject({
      username: "pw-target",
    });
  });

  it("alter_user with active false revokes every session at once; active true lets the user log in again", async () => {
    await addUser("off-target");
    await addUser("off-bystander");
    const first = await login("off-target");
    const second = await login("off-target");
    const bystander = await login("off-bystander");

    const off = await h.operation(
      { operation: "alter_user", username: "off-target", active: false },
      admin,
    );
    expect(off.statusCode).toBe(200);
    for (const session of [first, second]) {
      expectError(await userInfo(bearer(session.operation_token)), 401, "invalid token");
      expectError(await refresh(session), 401, "invalid token");
    }
    expectError(await userInfo(basic("off-target")), 401, "Login failed");
    expect(await listed("off-target")).toMatchObject({ active: false });
    expect((await userInfo(bearer(bystander.operation_token))).statusCode).toBe(200);
    expect((await refresh(bystander)).statusCode).toBe(200);

    const on = await h.operation(
      { operation: "alter_user", username: "off-target", active: true },
      admin,
    );
    expect(on.statusCode).toBe(200);
    expect(await listed("off-target")).toMatchObject({ active: true });
    const again = await login("off-target");
    expect((await userInfo(bearer(again.operation_token))).statusCode).toBe(200);
    // Re-enabling does not bring the revoked sessions back.
    expectError(await userInfo(bearer(first.operation_token)), 401, "invalid token");
  });

  it("alter_user to the super_user role lets the same live token call list_users, and back to plain refuses it", async () => {
    await addUser("promoted");
    const tokens = await login("promoted");
    const listAs = () => h.operation({ operation: "list_users" }, bearer(tokens.operation_token));
    expect((await listAs()).statusCode).toBe(403);

    await h.operation({ operation: "alter_user", username: "promoted", role: "super_user" }, admin);
    const promoted = await listAs();
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json<ListedUser[]>().map((user) => user.username)).toContain("promoted");
    expect((await userInfo(bearer(tokens.operation_token))).json()).toMatchObject({
      role: renderedRole(superUser),
    });

    await h.operation({ operation: "alter_user", username: "promoted", role: "plain" }, admin);
    const demoted = await listAs();
    expect(demoted.statusCode).toBe(403);
    expect(demoted.body).toBe(restricted("listUsersExternal"));
  });

  it("drop_user answers HarperDB's message, refuses the dropped user's tokens at once and frees the username", async () => {
    await addUser("dropped");
    await addUser("drop-bystander");
    const tokens = await login("dropped");
    const bystander = await login("drop-bystander");

    const response = await h.operation({ operation: "drop_user", username: "dropped" }, admin);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: "dropped successfully deleted" });
    expect(response.headers["cache-control"]).toBe("no-store");

    expectError(await userInfo(bearer(tokens.operation_token)), 401, "invalid token");
    expectError(await refresh(tokens), 401, "invalid token");
    expectError(await userInfo(basic("dropped")), 401, "Login failed");
    expect(await listed("dropped")).toBeUndefined();
    expect((await userInfo(bearer(bystander.operation_token))).statusCode).toBe(200);

    await addUser("dropped", { password: NEW_PASSWORD });
    expect((await userInfo(basic("dropped", NEW_PASSWORD))).statusCode).toBe(200);
    expectError(await userInfo(basic("dropped")), 401, "Login failed");
    // The old user's tokens do not come back to life for the new user of that name.
    expectError(await userInfo(bearer(tokens.operation_token)), 401, "invalid token");
    expectError(await refresh(tokens), 401, "invalid token");
  });

  it("records every admin change in the audit trail, by the admin, about the user", async () => {
    const adminUser = await h.runtime.ctx.store.users.getByUsername(TENANT, ADMIN);
    await addUser("audited");
    const audited = await h.runtime.ctx.store.users.getByUsername(TENANT, "audited");
    await login("audited");
    const alter = (change: Record<string, unknown>) =>
      h.operation({ operation: "alter_user", username: "audited", ...change }, admin);
    expect((await alter({ password: NEW_PASSWORD })).statusCode).toBe(200);
    expect((await alter({ role: "super_user" })).statusCode).toBe(200);
    expect((await alter({ active: false })).statusCode).toBe(200);
    expect((await alter({ active: true })).statusCode).toBe(200);
    const drop = await h.operation({ operation: "drop_user", username: "audited" }, admin);
    expect(drop.statusCode).toBe(200);

    const events = (await h.runtime.ctx.store.audit.list(TENANT, { limit: 200 })).filter(
      (event) => event.subjectUserId !== null && event.subjectUserId === audited?.id,
    );
    const adminChanges = events.filter((event) => event.type.startsWith("user."));
    expect(adminChanges.map((event) => event.type)).toEqual([
      "user.created",
      "user.password_changed",
      "user.role_changed",
      "user.disabled",
      "user.enabled",
      "user.deleted",
    ]);
    for (const event of adminChanges) {
      expect(event.actorUserId).toBe(adminUser?.id);
    }
    expect(events).toContainEqual(
      expect.objectContaining({ type: "session.revoked", actorUserId: adminUser?.id }),
    );
    expect(JSON.stringify(events)).not.toContain(NEW_PASSWORD);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });
});

describe("400", () => {
  it("add_user names every missing field", async () => {
    expectError(
      await h.operation({ operation: "add_user" }, admin),
      400,
      "'username' is required. 'password' is required. 'role' is required. 'active' is required",
    );
  });

  it("add_user does not coerce types: active 'true' and a numeric username are refused, no user is made", async () => {
    expectError(
      await h.operation(
        {
          operation: "add_user",
          username: "str-active",
          password: PASSWORD,
          role: "plain",
          active: "true",
        },
        admin,
      ),
      400,
      "'active' must be a boolean",
    );
    expect(await listed("str-active")).toBeUndefined();
    expectError(
      await h.operation(
        { operation: "add_user", username: 5, password: PASSWORD, role: "plain", active: true },
        admin,
      ),
      400,
      "'username' must be a string",
    );
  });

  it("add_user refuses a password shorter than 8 characters, and no user is made", async () => {
    const response = await h.operation(
      {
        operation: "add_user",
        username: "short-pw",
        password: "1234567",
        role: "plain",
        active: true,
      },
      admin,
    );
    expectError(response, 400, "The password must be at least 8 characters");
    expect(await listed("short-pw")).toBeUndefined();
  });

  it("alter_user with nothing to change, an empty password or an empty role says so", async () => {
    await addUser("alt-400");
    const alter = (change: Record<string, unknown>) =>
      h.operation({ operation: "alter_user", username: "alt-400", ...change }, admin);
    expectError(
      await alter({}),
      400,
      "nothing to update, must supply active, role or password to update",
    );
    expectError(await alter({ password: "" }), 400, "password cannot be an empty string");
    expectError(await alter({ role: "" }), 400, "If role is specified, it cannot be empty.");
    expectError(await alter({ active: "false" }), 400, "'active' must be a boolean");
    expectError(
      await h.operation({ operation: "alter_user", active: false }, admin),
      400,
      "'username' is required",
    );
    expect(await listed("alt-400")).toMatchObject({ active: true, role: { role: "plain" } });
  });

  it("alter_user refuses a short new password without revoking anything: the old password and sessions still work", async () => {
    await addUser("alt-short");
    const tokens = await login("alt-short");
    const response = await h.operation(
      { operation: "alter_user", username: "alt-short", password: "short" },
      admin,
    );
    expectError(response, 400, "The password must be at least 8 characters");
    expect((await userInfo(bearer(tokens.operation_token))).statusCode).toBe(200);
    expect((await userInfo(basic("alt-short"))).statusCode).toBe(200);
  });

  it("drop_user needs a username", async () => {
    expectError(
      await h.operation({ operation: "drop_user" }, admin),
      400,
      "'username' is required",
    );
  });
});

describe("401", () => {
  const bodies = [
    { operation: "user_info" },
    { operation: "list_users" },
    {
      operation: "add_user",
      username: "anon-add",
      password: PASSWORD,
      role: "plain",
      active: true,
    },
    { operation: "alter_user", username: ADMIN, active: false },
    { operation: "drop_user", username: ADMIN },
  ];

  it.each(bodies)("$operation without credentials is 401 Must login", async (body) => {
    expectError(await h.operation(body), 401, "Must login");
  });

  it("authentication comes before the body: an invalid add_user body without credentials is 401 Must login", async () => {
    expectError(await h.operation({ operation: "add_user", active: "true" }), 401, "Must login");
    expectError(
      await h.operation({ operation: "add_user", active: "true" }, basic(ADMIN, "wrong password")),
      401,
      "Login failed",
    );
    expect(await listed("anon-add")).toBeUndefined();
    expect(await listed(ADMIN)).toMatchObject({ active: true });
  });

  it("a wrong password, a garbage token, a lowercase scheme or a refresh token are refused", async () => {
    await addUser("cred-401");
    const tokens = await login("cred-401");
    expectError(await userInfo(basic("cred-401", "not the password")), 401, "Login failed");
    expectError(await userInfo(bearer("not.a.token")), 401, "invalid token");
    expectError(await userInfo(`bearer ${tokens.operation_token}`), 401, "Must login");
    expectError(await userInfo(bearer(tokens.refresh_token)), 401, "invalid token");
    expect((await userInfo(bearer(tokens.operation_token))).statusCode).toBe(200);
  });

  it("an expired operation token is 401 token expired", async () => {
    await addUser("expiring");
    const response = await h.operation({
      operation: "create_authentication_tokens",
      username: "expiring",
      password: PASSWORD,
      expires_in: 60,
    });
    const { operation_token } = response.json<Tokens>();
    expect((await userInfo(bearer(operation_token))).statusCode).toBe(200);
    // Past `exp` and the verifier's clock-skew leeway.
    h.clock.advance((60 + h.config.clockToleranceSeconds + 1) * 1000);
    expectError(await userInfo(bearer(operation_token)), 401, "token expired");
  });
});

describe("403", () => {
  let member: string;

  beforeAll(async () => {
    await addUser("forbidden-member");
    member = bearer((await login("forbidden-member")).operation_token);
  });

  const cases = [
    { body: { operation: "list_users" }, internal: "listUsersExternal" },
    {
      body: {
        operation: "add_user",
        username: "by-member",
        password: PASSWORD,
        role: "super_user",
        active: true,
      },
      internal: "addUser",
    },
    { body: { operation: "alter_user", username: ADMIN, active: false }, internal: "alterUser" },
    { body: { operation: "drop_user", username: ADMIN }, internal: "dropUser" },
  ];

  it.each(cases)(
    "$body.operation by a non-super-user is HarperDB's 403 naming $internal",
    async ({ body, internal }) => {
      for (const authorization of [member, basic("forbidden-member")]) {
        const response = await h.operation(body, authorization);
        expect(response.statusCode).toBe(403);
        expect(response.body).toBe(restricted(internal));
        expect(response.headers["cache-control"]).toBe("no-store");
      }
      expect(await listed("by-member")).toBeUndefined();
      expect(await listed(ADMIN)).toMatchObject({ active: true });
    },
  );

  it("the role comes before the body: a non-super-user's invalid add_user body is the 403", async () => {
    const response = await h.operation({ operation: "add_user", active: "true" }, member);
    expect(response.statusCode).toBe(403);
    expect(response.body).toBe(restricted("addUser"));
  });

  it("drop_user refuses to drop the caller itself, which keeps working", async () => {
    expectError(
      await h.operation({ operation: "drop_user", username: ADMIN }, admin),
      403,
      "You cannot drop your own user",
    );
    expect((await userInfo(admin)).statusCode).toBe(200);
  });

  it("alter_user refuses to deactivate the caller itself, which stays active", async () => {
    const response = await h.operation(
      { operation: "alter_user", username: ADMIN, active: false },
      admin,
    );
    expect(response.statusCode).toBe(403);
    expect(response.json<{ error: string }>().error).toMatch(/own user/);
    expect(await listed(ADMIN)).toMatchObject({ active: true });
    expect((await userInfo(basic(ADMIN))).statusCode).toBe(200);
  });
});

describe("403: a super user cannot take away its own admin level", () => {
  it("alter_user refuses to move the caller to a role without super_user, which keeps its rights", async () => {
    await h.operation(
      { operation: "add_role", role: "plain-for-self", permission: { super_user: false } },
      admin,
    );
    const response = await h.operation(
      { operation: "alter_user", username: ADMIN, role: "plain-for-self" },
      admin,
    );

    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: "You cannot take away your own super_user role" });
    expect((await h.operation({ operation: "list_users" }, admin)).statusCode).toBe(200);
  });

  it("alter_role refuses to turn super_user off on the caller's own role", async () => {
    const superUser = await h.runtime.ctx.store.roles.getByName(TENANT, "super_user");
    if (superUser === undefined) {
      throw new Error("the bootstrap super_user role is missing");
    }
    const response = await h.operation(
      { operation: "alter_role", id: superUser.id, permission: { super_user: false } },
      admin,
    );

    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: "You cannot take away your own super_user role" });
    expect((await h.runtime.ctx.store.roles.get(TENANT, superUser.id))?.permission).toEqual({
      super_user: true,
    });
  });
});

describe("404", () => {
  it("add_user with an unknown role names the role, and no user is made", async () => {
    expectError(
      await h.operation(
        {
          operation: "add_user",
          username: "no-role",
          password: PASSWORD,
          role: "ghost",
          active: true,
        },
        admin,
      ),
      404,
      "ghost role not found",
    );
    expect(await listed("no-role")).toBeUndefined();
  });

  it("alter_user of an unknown user says it does not exist", async () => {
    expectError(
      await h.operation({ operation: "alter_user", username: "nobody-alt", active: true }, admin),
      404,
      "User nobody-alt does not exist",
    );
  });

  it("alter_user to an unknown role changes nothing else in the request", async () => {
    await addUser("alt-ghost");
    const tokens = await login("alt-ghost");
    expectError(
      await h.operation(
        { operation: "alter_user", username: "alt-ghost", role: "ghost", password: NEW_PASSWORD },
        admin,
      ),
      404,
      "Update failed.  Requested 'ghost' role not found.",
    );
    expect((await userInfo(bearer(tokens.operation_token))).statusCode).toBe(200);
    expect((await userInfo(basic("alt-ghost"))).json()).toMatchObject({ role: { role: "plain" } });
  });

  it("drop_user of an unknown user, or of one already dropped, says it does not exist", async () => {
    expectError(
      await h.operation({ operation: "drop_user", username: "nobody-drop" }, admin),
      404,
      "User nobody-drop does not exist",
    );
    await addUser("twice-dropped");
    await h.operation({ operation: "drop_user", username: "twice-dropped" }, admin);
    expectError(
      await h.operation({ operation: "drop_user", username: "twice-dropped" }, admin),
      404,
      "User twice-dropped does not exist",
    );
  });
});

describe("409", () => {
  it("add_user of an existing username is refused and leaves that user as it was", async () => {
    await addUser("taken");
    const tokens = await login("taken");
    expectError(
      await h.operation(
        {
          operation: "add_user",
          username: "taken",
          password: NEW_PASSWORD,
          role: "super_user",
          active: false,
        },
        admin,
      ),
      409,
      "User taken already exists",
    );
    expect((await userInfo(bearer(tokens.operation_token))).statusCode).toBe(200);
    expect((await userInfo(basic("taken"))).json()).toMatchObject({
      active: true,
      role: { role: "plain" },
    });
    expectError(await userInfo(basic("taken", NEW_PASSWORD)), 401, "Login failed");
    expectError(
      await h.operation(
        { operation: "add_user", username: ADMIN, password: PASSWORD, role: "plain", active: true },
        admin,
      ),
      409,
      `User ${ADMIN} already exists`,
    );
  });
});
