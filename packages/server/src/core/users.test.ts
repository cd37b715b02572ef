import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, sessionOf, startHarness, TENANT } from "../../test/support/harness.js";
import type { ClientId } from "./ids.js";
import { addUser, changeUserPermission, setUserEnabled, setUserPassword } from "./users.js";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  await h.addUser("alice");
});
afterEach(async () => {
  await h.close();
});

async function auditTypes(): Promise<string[]> {
  return (await h.runtime.store.audit.list(TENANT, { limit: 50 })).map((e) => e.type);
}

describe("admin changes to a user", () => {
  it("a new password ends every session, and only the new password logs in", async () => {
    const live = sessionOf(await h.login("alice"));
    await setUserPassword(h.runtime.ctx, {
      tenantId: TENANT,
      username: "alice",
      password: "a brand new password",
    });
    expect((await h.send("POST", "/auth/token", live)).statusCode).toBe(401);
    expect((await h.login("alice")).statusCode).toBe(401);
    expect((await h.login("alice", "a brand new password")).statusCode).toBe(200);
    expect(await auditTypes()).toEqual(
      expect.arrayContaining(["user.password_changed", "session.revoked"]),
    );
  });

  it("disabling ends every session; enabling lets the user log in again", async () => {
    const live = sessionOf(await h.login("alice"));
    await setUserEnabled(h.runtime.ctx, { tenantId: TENANT, username: "alice", enabled: false });
    expect((await h.send("POST", "/auth/token", live)).statusCode).toBe(401);
    await setUserEnabled(h.runtime.ctx, { tenantId: TENANT, username: "alice", enabled: true });
    expect((await h.login("alice")).statusCode).toBe(200);
    expect(await auditTypes()).toEqual(
      expect.arrayContaining(["user.disabled", "session.revoked", "user.enabled"]),
    );
  });

  it("refuses a malformed permission name", async () => {
    await expect(
      changeUserPermission(h.runtime.ctx, {
        tenantId: TENANT,
        username: "alice",
        permission: "Not Valid",
        grant: true,
      }),
    ).rejects.toMatchObject({ code: "invalid_request" });
  });

  it("records the client and the ip that made each change", async () => {
    const bot = { actorClientId: "ops-bot" as ClientId, ip: "198.51.100.4" };
    sessionOf(await h.login("alice"));
    await addUser(h.runtime.ctx, {
      tenantId: TENANT,
      username: "bob",
      password: "a password",
      ...bot,
    });
    await setUserEnabled(h.runtime.ctx, {
      tenantId: TENANT,
      username: "alice",
      enabled: false,
      ...bot,
    });

    const events = await h.runtime.store.audit.list(TENANT, { limit: 50 });
    const made = events.filter((e) => e.actorClientId === "ops-bot");
    expect(made.map((e) => [e.type, e.actorUserId, e.ip])).toEqual([
      ["user.created", null, "198.51.100.4"],
      ["session.revoked", null, "198.51.100.4"],
      ["user.disabled", null, "198.51.100.4"],
    ]);
  });
});
