import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, bearer, type Harness } from "../../../test/support/harness.js";
import {
  ADMIN,
  auditEvents,
  DAY_MS,
  expectError,
  forged,
  freshUser,
  listSessions,
  login,
  refresh,
  revoke,
  sidOf,
  startOperationsHarness,
  type Tokens,
  userInfo,
} from "../../../test/support/operations.js";

describe("revoke_authentication_tokens: 200", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startOperationsHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function expectDead(tokens: Tokens): Promise<void> {
    expectError(await userInfo(h, bearer(tokens.operation_token)), 401, "invalid token");
    expectError(await refresh(h, bearer(tokens.refresh_token)), 401, "invalid token");
  }

  async function expectAlive(tokens: Tokens): Promise<void> {
    expect((await userInfo(h, bearer(tokens.operation_token))).statusCode).toBe(200);
    expect((await refresh(h, bearer(tokens.refresh_token))).statusCode).toBe(200);
  }

  it.each(["operation_token", "refresh_token"] as const)(
    "by %s: ends that token's session only",
    async (field) => {
      const target = await login(h, "alice");
      const other = await login(h, "alice");
      const response = await revoke(h, basic("alice"), { [field]: target[field] });
      expect(response.statusCode).toBe(200);
      expect(response.headers["cache-control"]).toBe("no-store");
      expect(response.json()).toEqual({ message: "1 session(s) revoked", sessions_revoked: 1 });
      await expectDead(target);
      await expectAlive(other);
    },
  );

  it("by token: holding the token is the authority, whoever the caller", async () => {
    const bobs = await login(h, "bob");
    const response = await revoke(h, basic("alice"), { operation_token: bobs.operation_token });
    expect(response.json()).toEqual({ message: "1 session(s) revoked", sessions_revoked: 1 });
    await expectDead(bobs);
  });

  it("by token: is idempotent, and an unknown or invalid token revokes nothing", async () => {
    const tokens = await login(h, "alice");
    const again = await login(h, "alice");
    await revoke(h, basic("alice"), { refresh_token: tokens.refresh_token });
    for (const token of [tokens.refresh_token, "garbage", await forged(again.refresh_token)]) {
      const response = await revoke(h, basic("alice"), { refresh_token: token });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ message: "0 session(s) revoked", sessions_revoked: 0 });
    }
    await expectAlive(again);
  });

  it("by session_id: the caller's own session", async () => {
    const target = await login(h, "alice");
    const other = await login(h, "alice");
    const response = await revoke(h, bearer(other.operation_token), {
      session_id: sidOf(target.operation_token),
    });
    expect(response.json()).toEqual({ message: "1 session(s) revoked", sessions_revoked: 1 });
    await expectDead(target);
    await expectAlive(other);
  });

  it("by session_id: a super user ends anyone's session", async () => {
    const bobs = await login(h, "bob");
    const response = await revoke(h, basic(ADMIN), { session_id: sidOf(bobs.operation_token) });
    expect(response.json()).toEqual({ message: "1 session(s) revoked", sessions_revoked: 1 });
    await expectDead(bobs);
  });

  it("by username: every session of the caller", async () => {
    const username = await freshUser(h);
    const sessions = [await login(h, username), await login(h, username), await login(h, username)];
    const response = await revoke(h, basic(username), { username });
    expect(response.json()).toEqual({ message: "3 session(s) revoked", sessions_revoked: 3 });
    for (const tokens of sessions) {
      await expectDead(tokens);
    }
  });

  it("by username: a super user ends every session of another user, and only theirs", async () => {
    const username = await freshUser(h);
    const sessions = [await login(h, username), await login(h, username)];
    const bystander = await login(h, "bob");
    const response = await revoke(h, basic(ADMIN), { username });
    expect(response.json()).toEqual({ message: "2 session(s) revoked", sessions_revoked: 2 });
    for (const tokens of sessions) {
      await expectDead(tokens);
    }
    await expectAlive(bystander);
  });

  it("with no field and a Bearer token: ends the caller's own session (logout)", async () => {
    const tokens = await login(h, "alice");
    const other = await login(h, "alice");
    const response = await revoke(h, bearer(tokens.operation_token));
    expect(response.json()).toEqual({ message: "1 session(s) revoked", sessions_revoked: 1 });
    await expectDead(tokens);
    await expectAlive(other);
  });

  it("records the revocation in the audit trail", async () => {
    const tokens = await login(h, "alice");
    await revoke(h, bearer(tokens.operation_token));
    const events = await auditEvents(h);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "session.revoked",
        sessionId: sidOf(tokens.operation_token),
      }),
    );
  });
});

describe("revoke_authentication_tokens: 400, 401, 403, 404", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startOperationsHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("400: two targets at once, and nothing is revoked", async () => {
    const tokens = await login(h, "alice");
    const response = await revoke(h, basic("alice"), {
      operation_token: tokens.operation_token,
      session_id: sidOf(tokens.operation_token),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: expect.any(String) });
    expect((await userInfo(h, bearer(tokens.operation_token))).statusCode).toBe(200);
  });

  it("400: no target with Basic, and nothing is revoked", async () => {
    const tokens = await login(h, "alice");
    const response = await revoke(h, basic("alice"));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: expect.any(String) });
    expect((await userInfo(h, bearer(tokens.operation_token))).statusCode).toBe(200);
  });

  it("401: no caller, even with a token to revoke, and nothing is revoked", async () => {
    const tokens = await login(h, "alice");
    const response = await h.operation({
      operation: "revoke_authentication_tokens",
      operation_token: tokens.operation_token,
    });
    expectError(response, 401, "Must login");
    expect((await userInfo(h, bearer(tokens.operation_token))).statusCode).toBe(200);
  });

  it("401: a caller whose own session is already revoked", async () => {
    const tokens = await login(h, "alice");
    await revoke(h, bearer(tokens.operation_token));
    expectError(await revoke(h, bearer(tokens.operation_token)), 401, "invalid token");
  });

  it("403: a user without super_user revoking another user's sessions", async () => {
    const bobs = await login(h, "bob");
    const response = await revoke(h, basic("alice"), { username: "bob" });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: expect.any(String) });
    expect((await userInfo(h, bearer(bobs.operation_token))).statusCode).toBe(200);
  });

  it("404: someone else's session id, answered exactly like an unknown one", async () => {
    const bobs = await login(h, "bob");
    const others = await revoke(h, basic("alice"), { session_id: sidOf(bobs.operation_token) });
    const unknown = await revoke(h, basic("alice"), { session_id: "no-such-session" });
    expectError(others, 404, "Session not found");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toBe(others.body);
    expect((await userInfo(h, bearer(bobs.operation_token))).statusCode).toBe(200);
  });

  it("404: a super user naming an unknown user", async () => {
    expectError(
      await revoke(h, basic(ADMIN), { username: "ghost" }),
      404,
      "User ghost does not exist",
    );
  });
});

describe("list_sessions", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startOperationsHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("200: shows a user their own live sessions, newest first, flagging the current one", async () => {
    const username = await freshUser(h);
    const older = await login(h, username);
    h.clock.advance(1000);
    const newer = await login(h, username);
    h.clock.advance(1000);
    await login(h, "bob");
    const sessions = await listSessions(h, bearer(older.operation_token));
    expect(sessions).toEqual([
      {
        session_id: sidOf(newer.operation_token),
        username,
        client_id: "tessera:operations",
        created_at: h.clock.now() - 1000,
        expires_at: h.clock.now() - 1000 + 30 * DAY_MS,
        last_refreshed_at: null,
        revoked_at: null,
        revoked_reason: null,
        impersonator_user_id: null,
        parent_session_id: null,
        current: false,
      },
      expect.objectContaining({
        session_id: sidOf(older.operation_token),
        username,
        created_at: h.clock.now() - 2000,
        current: true,
      }),
    ]);
  });

  it("200: flags no session current for a Basic caller", async () => {
    const username = await freshUser(h);
    await login(h, username);
    const sessions = await listSessions(h, basic(username));
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.current).toBe(false);
  });

  it("200: a user without super_user sees only their own, whatever they ask", async () => {
    const bobs = await login(h, "bob");
    await login(h, "alice");
    const sessions = await listSessions(h, bearer(bobs.operation_token), { username: "bob" });
    expect(sessions.length).toBeGreaterThan(0);
    expect(new Set(sessions.map((s) => s.username))).toEqual(new Set(["bob"]));
  });

  it("200: a super user sees everyone's, or one user's by username", async () => {
    const alices = await login(h, "alice");
    const bobs = await login(h, "bob");
    const all = (await listSessions(h, basic(ADMIN))).map((s) => s.session_id);
    expect(all).toEqual(
      expect.arrayContaining([sidOf(alices.operation_token), sidOf(bobs.operation_token)]),
    );
    const onlyBob = await listSessions(h, basic(ADMIN), { username: "bob" });
    expect(onlyBob.map((s) => s.session_id)).toContain(sidOf(bobs.operation_token));
    expect(new Set(onlyBob.map((s) => s.username))).toEqual(new Set(["bob"]));
  });

  it("200: hides ended sessions unless include_ended, which shows when they ended", async () => {
    const username = await freshUser(h);
    const ended = await login(h, username);
    const live = await login(h, username);
    h.clock.advance(5000);
    await revoke(h, bearer(ended.operation_token));
    const current = await listSessions(h, bearer(live.operation_token));
    expect(current.map((s) => s.session_id)).toEqual([sidOf(live.operation_token)]);
    const everything = await listSessions(h, bearer(live.operation_token), { include_ended: true });
    expect(everything.find((s) => s.session_id === sidOf(ended.operation_token))).toMatchObject({
      revoked_at: h.clock.now(),
      revoked_reason: expect.any(String),
    });
  });

  it("200: returns at most limit sessions", async () => {
    const username = await freshUser(h);
    await login(h, username);
    await login(h, username);
    expect(await listSessions(h, basic(username), { limit: 1 })).toHaveLength(1);
  });

  it.each([0, 1001])("400: limit %d", async (limit) => {
    const response = await h.operation({ operation: "list_sessions", limit }, basic("alice"));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: expect.any(String) });
  });

  it("401: no caller", async () => {
    expectError(await h.operation({ operation: "list_sessions" }), 401, "Must login");
  });

  it("403: a user without super_user asking for another user's sessions", async () => {
    const response = await h.operation(
      { operation: "list_sessions", username: "bob" },
      basic("alice"),
    );
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: expect.any(String) });
  });
});
