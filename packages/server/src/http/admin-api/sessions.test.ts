import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  admin,
  clientToken,
  expectAdminProblem,
  otherTenant,
  unique,
  userToken,
} from "../../../test/support/admin-api.js";
import { type Harness, sessionOf, startHarness, TENANT } from "../../../test/support/harness.js";
import type { ClientId } from "../../core/ids.js";

interface Session {
  readonly id: string;
  readonly user_id: string;
  readonly username: string | null;
  readonly client_id: string;
  readonly client_name: string | null;
  readonly status: string;
  readonly impersonator_user_id: string | null;
  readonly impersonator_username: string | null;
  readonly parent_session_id: string | null;
  readonly revoked_reason: string | null;
}

interface Page {
  readonly items: Session[];
  readonly next: string | null;
}

let h: Harness;
let writer: string;
let reader: string;

beforeAll(async () => {
  h = await startHarness();
  writer = await userToken(h, ["admin"]);
  reader = await userToken(h, ["admin:read"]);
});
afterAll(async () => {
  await h.close();
});

/** A new user with `count` sessions; their refresh tokens. */
async function userWithSessions(count: number) {
  const username = unique("member");
  await h.addUser(username);
  const user = await h.runtime.store.users.getByUsername(TENANT, username);
  const sessions = [];
  for (let i = 0; i < count; i++) {
    sessions.push(sessionOf(await h.login(username)).session);
    h.clock.advance(1000);
  }
  return { username, id: user?.id ?? "", sessions };
}

function refresh(refreshToken: string) {
  return h.send("POST", "/auth/token", { session: { refreshToken } });
}

describe("admin sessions: 2xx", () => {
  it("lists a user's sessions newest first with their username, a page at a time", async () => {
    const user = await userWithSessions(3);
    const first = await admin(h, "GET", `${ADMIN}/sessions?user_id=${user.id}&limit=2`, reader);
    expect(first.statusCode, first.body).toBe(200);
    const page = first.json<Page>();
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).toMatchObject({
      username: user.username,
      status: "active",
      client_id: h.clientId,
    });
    const second = await admin(
      h,
      "GET",
      `${ADMIN}/sessions?user_id=${user.id}&limit=2&cursor=${page.next}`,
      reader,
    );
    const rest = second.json<Page>();
    expect(rest.next).toBeNull();
    const ids = [...page.items, ...rest.items].map((s) => s.id);
    expect(new Set(ids).size).toBe(3);
    expect(first.body).not.toContain(user.sessions[0]?.refreshToken);

    const byClient = await admin(
      h,
      "GET",
      `${ADMIN}/sessions?client_id=${h.clientId}&limit=200`,
      reader,
    );
    expect(byClient.json<Page>().items.every((s) => s.client_id === h.clientId)).toBe(true);
  });

  it("names each session's client, and an impersonation session's impersonator", async () => {
    const impersonator = unique("support");
    await h.addUser(impersonator, ["impersonate"]);
    const target = await userWithSessions(0);
    const caller = sessionOf(await h.login(impersonator));
    const impersonated = await h.send(
      "POST",
      "/auth/impersonate",
      { username: target.username },
      {
        authorization: `Bearer ${caller.session.authorization}`,
        accesstoken: caller.session.accessToken,
      },
    );
    expect(impersonated.statusCode, impersonated.body).toBe(200);
    const client = await h.runtime.store.clients.get(TENANT, h.clientId as ClientId);
    const [session] = (
      await admin(h, "GET", `${ADMIN}/sessions?user_id=${target.id}`, reader)
    ).json<Page>().items;
    expect(session).toMatchObject({
      username: target.username,
      client_id: h.clientId,
      client_name: client?.name,
      impersonator_user_id: expect.any(String),
      impersonator_username: impersonator,
      parent_session_id: expect.any(String),
    });
    const [own] = (
      await admin(h, "GET", `${ADMIN}/sessions?user_id=${session?.impersonator_user_id}`, reader)
    ).json<Page>().items;
    expect(own).toMatchObject({ username: impersonator, impersonator_username: null });
    const read = await admin(h, "GET", `${ADMIN}/sessions/${session?.id}`, reader);
    expect(read.json()).toMatchObject({ impersonator_username: impersonator });
  });

  it("revokes one session (200, how many ended): its refresh token stops working, the user's other session goes on", async () => {
    const user = await userWithSessions(2);
    const listed = (
      await admin(h, "GET", `${ADMIN}/sessions?user_id=${user.id}`, reader)
    ).json<Page>();
    const target = listed.items[1];
    const revoked = await admin(h, "DELETE", `${ADMIN}/sessions/${target?.id}`, writer);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json()).toEqual({ revoked: 1 });
    const again = await admin(h, "DELETE", `${ADMIN}/sessions/${target?.id}`, writer);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ revoked: 0 });
    // The oldest session is the second listed (newest first).
    expect((await refresh(user.sessions[0]?.refreshToken ?? "")).statusCode).toBe(401);
    expect((await refresh(user.sessions[1]?.refreshToken ?? "")).statusCode).toBe(200);
    const read = await admin(h, "GET", `${ADMIN}/sessions/${target?.id}`, reader);
    expect(read.json()).toMatchObject({ status: "revoked", revoked_reason: "revoked_by_operator" });
    const live = (
      await admin(h, "GET", `${ADMIN}/sessions?user_id=${user.id}`, reader)
    ).json<Page>();
    expect(live.items.map((s) => s.id)).not.toContain(target?.id);
    const all = (
      await admin(h, "GET", `${ADMIN}/sessions?user_id=${user.id}&include_ended=true`, reader)
    ).json<Page>();
    expect(all.items.map((s) => s.id)).toContain(target?.id);
  });

  it("revokes every session of a user, saying how many, and audits it with the operator", async () => {
    const user = await userWithSessions(2);
    const response = await admin(h, "DELETE", `${ADMIN}/users/${user.id}/sessions`, writer);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ revoked: 2 });
    for (const session of user.sessions) {
      expect((await refresh(session.refreshToken)).statusCode).toBe(401);
    }
    const events = await h.runtime.store.audit.list(TENANT, { limit: 20 });
    const event = events.findLast(
      (e) => e.type === "session.revoked" && e.subjectUserId === user.id,
    );
    expect(event?.actorUserId).toEqual(expect.any(String));
    expect(event?.detail).toMatchObject({ reason: "revoked_by_operator", sessionsRevoked: 2 });
  });
});

describe("admin sessions: 4xx", () => {
  it("refuses a bad filter or cursor (400)", async () => {
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/sessions?include_ended=maybe`, reader),
      400,
      "invalid_request",
    );
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/sessions?cursor=eyJ1IjoiYSJ9`, reader),
      400,
      "invalid_request",
    );
    for (const position of [
      { c: 1.5, i: "x" },
      { c: 1e300, i: "x" },
      { c: 1, i: "a\u0000b" },
    ]) {
      const cursor = Buffer.from(JSON.stringify(position)).toString("base64url");
      expectAdminProblem(
        await admin(h, "GET", `${ADMIN}/sessions?cursor=${cursor}`, reader),
        400,
        "invalid_request",
      );
    }
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/sessions?user_id=a%07b`, reader),
      400,
      "invalid_request",
    );
  });

  it("needs a token (401) and write access to revoke (403)", async () => {
    expectAdminProblem(await admin(h, "GET", `${ADMIN}/sessions`, undefined), 401, "invalid_token");
    expectAdminProblem(
      await admin(h, "DELETE", `${ADMIN}/sessions/x`, reader),
      403,
      "insufficient_scope",
    );
    const bot = await clientToken(h, ["admin:read"]);
    expectAdminProblem(
      await admin(h, "DELETE", `${ADMIN}/users/x/sessions`, bot.token),
      403,
      "insufficient_scope",
    );
  });

  it("does not show or revoke another tenant's session (403 for its admin, 404 by id here)", async () => {
    const tenant = await otherTenant(h);
    const theirs = await clientToken(h, ["admin:write"], tenant);
    expectAdminProblem(await admin(h, "GET", `${ADMIN}/sessions`, theirs.token), 403, "forbidden");
    const user = await userWithSessions(1);
    const listed = (
      await admin(h, "GET", `${ADMIN}/sessions?user_id=${user.id}`, reader)
    ).json<Page>();
    const id = listed.items[0]?.id;
    expectAdminProblem(
      await admin(h, "GET", `/admin/v1/tenants/${tenant}/sessions/${id}`, theirs.token),
      404,
      "not_found",
    );
    expect(
      (await admin(h, "DELETE", `/admin/v1/tenants/${tenant}/sessions/${id}`, theirs.token))
        .statusCode,
    ).toBe(200);
    expect((await refresh(user.sessions[0]?.refreshToken ?? "")).statusCode).toBe(200);
  });

  it("answers 404 for an unknown session or user", async () => {
    expectAdminProblem(await admin(h, "GET", `${ADMIN}/sessions/nope`, reader), 404, "not_found");
    expectAdminProblem(
      await admin(h, "DELETE", `${ADMIN}/users/nope/sessions`, writer),
      404,
      "not_found",
    );
  });
});
