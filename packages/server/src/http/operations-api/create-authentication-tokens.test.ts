import { decodeJwt, decodeProtectedHeader, type JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, bearer, type Harness, PASSWORD, TENANT } from "../../../test/support/harness.js";
import {
  ADMIN,
  AUDIENCE,
  auditEvents,
  DAY_MS,
  DAY_S,
  expectError,
  forged,
  freshUser,
  hmacWithPublicKey,
  ISSUER,
  listSessions,
  login,
  PAST_TOLERANCE_MS,
  refresh,
  revoke,
  servedKeys,
  sidOf,
  startOperationsHarness,
  type Tokens,
  unsigned,
  userInfo,
  verify,
} from "../../../test/support/operations.js";
import { setUserEnabled } from "../../core/users.js";

describe("create_authentication_tokens: 200", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startOperationsHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("issues RS256 JWTs that jose verifies against the served JWKS, with HarperDB's claims", async () => {
    const tokens = await login(h, ADMIN);
    const keys = await servedKeys(h);
    const operation = await verify(h, tokens.operation_token, keys);
    const refreshed = await verify(h, tokens.refresh_token, keys);
    const iat = Math.floor(h.clock.now() / 1000);
    for (const { protectedHeader } of [operation, refreshed]) {
      expect(protectedHeader).toEqual({ alg: "RS256", kid: expect.any(String), typ: "JWT" });
      expect(keys.keys.map((key) => key.kid)).toContain(protectedHeader.kid);
    }
    expect(operation.payload).toEqual({
      username: ADMIN,
      super_user: true,
      sub: "operation",
      jti: expect.any(String),
      sid: expect.any(String),
      iss: ISSUER,
      aud: AUDIENCE,
      iat,
      exp: iat + DAY_S,
    });
    expect(refreshed.payload).toEqual({
      ...operation.payload,
      sub: "refresh",
      jti: expect.any(String),
      exp: iat + 30 * DAY_S,
    });
    expect(refreshed.payload.sid).toBe(operation.payload.sid);
    expect(refreshed.payload.jti).not.toBe(operation.payload.jti);
  });

  it("marks a user without the super_user role super_user: false", async () => {
    const tokens = await login(h, "alice");
    const { payload } = await verify(h, tokens.operation_token, await servedKeys(h));
    expect(payload).toMatchObject({ username: "alice", super_user: false });
  });

  it("answers with no-store and never echoes the password", async () => {
    const response = await h.operation({
      operation: "create_authentication_tokens",
      username: "alice",
      password: PASSWORD,
    });
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json()).sort()).toEqual(["operation_token", "refresh_token"]);
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.body).not.toContain(PASSWORD);
  });

  it.each([
    [3600, 3600],
    ["3600", 3600],
    ["1h", 3600],
    ["30m", 1800],
    [DAY_S * 2, DAY_S],
    ["2 days", DAY_S],
  ])(
    "expires_in %j gives an operation token living %d s, and leaves the refresh token at 30 days",
    async (expiresIn, lifetime) => {
      const tokens = await login(h, "alice", { expires_in: expiresIn });
      const keys = await servedKeys(h);
      const operation = (await verify(h, tokens.operation_token, keys)).payload;
      const refreshed = (await verify(h, tokens.refresh_token, keys)).payload;
      expect((operation.exp ?? 0) - (operation.iat ?? 0)).toBe(lifetime);
      expect((refreshed.exp ?? 0) - (refreshed.iat ?? 0)).toBe(30 * DAY_S);
    },
  );

  it("a second login starts a second session and does not end the first; revoking one leaves the other", async () => {
    const first = await login(h, "alice");
    const second = await login(h, "alice");
    expect(sidOf(second.operation_token)).not.toBe(sidOf(first.operation_token));
    expect((await userInfo(h, bearer(first.operation_token))).statusCode).toBe(200);
    expect((await userInfo(h, bearer(second.operation_token))).statusCode).toBe(200);

    const revoked = await revoke(h, bearer(first.operation_token));
    expect(revoked.json()).toEqual({ message: "1 session(s) revoked", sessions_revoked: 1 });

    expectError(await userInfo(h, bearer(first.operation_token)), 401, "invalid token");
    expectError(await refresh(h, bearer(first.refresh_token)), 401, "invalid token");
    expect((await userInfo(h, bearer(second.operation_token))).json()).toMatchObject({
      username: "alice",
    });
    expect((await refresh(h, bearer(second.refresh_token))).statusCode).toBe(200);
  });

  it("with neither username nor password, Basic gets the caller a new independent session", async () => {
    const response = await h.operation({ operation: "create_authentication_tokens" }, basic("bob"));
    expect(response.statusCode).toBe(200);
    const tokens = response.json<Tokens>();
    expect(decodeJwt(tokens.operation_token)).toMatchObject({ username: "bob", sub: "operation" });
    const sessions = await listSessions(h, bearer(tokens.operation_token));
    const own = sessions.find((s) => s.session_id === sidOf(tokens.operation_token));
    expect(own).toMatchObject({ username: "bob", parent_session_id: null, current: true });
  });

  it("with a Bearer operation token, issues a child session that dies with its parent", async () => {
    const parent = await login(h, "alice");
    const response = await h.operation(
      { operation: "create_authentication_tokens" },
      bearer(parent.operation_token),
    );
    expect(response.statusCode).toBe(200);
    const child = response.json<Tokens>();
    expect(sidOf(child.operation_token)).not.toBe(sidOf(parent.operation_token));
    const sessions = await listSessions(h, bearer(child.operation_token));
    expect(sessions.find((s) => s.session_id === sidOf(child.operation_token))).toMatchObject({
      parent_session_id: sidOf(parent.operation_token),
    });
    expect((await userInfo(h, bearer(child.operation_token))).statusCode).toBe(200);

    expect((await revoke(h, bearer(parent.operation_token))).statusCode).toBe(200);

    expectError(await userInfo(h, bearer(child.operation_token)), 401, "invalid token");
    expectError(await refresh(h, bearer(child.refresh_token)), 401, "invalid token");
  });

  it("hangs every descendant from the root session, so revoking the root ends the whole family", async () => {
    const root = await login(h, "alice");
    let current = root;
    const descendants: Tokens[] = [];
    for (let generation = 0; generation < 3; generation++) {
      const response = await h.operation(
        { operation: "create_authentication_tokens" },
        bearer(current.operation_token),
      );
      current = response.json<Tokens>();
      descendants.push(current);
    }
    const sessions = await listSessions(h, bearer(root.operation_token));
    for (const descendant of descendants) {
      expect(
        sessions.find((s) => s.session_id === sidOf(descendant.operation_token)),
      ).toMatchObject({
        parent_session_id: sidOf(root.operation_token),
      });
    }

    expect((await revoke(h, bearer(root.operation_token))).json()).toMatchObject({
      sessions_revoked: 4,
    });

    for (const descendant of descendants) {
      expectError(await userInfo(h, bearer(descendant.operation_token)), 401, "invalid token");
      expectError(await refresh(h, bearer(descendant.refresh_token)), 401, "invalid token");
    }
  });

  it("never lets a child session outlive its parent", async () => {
    const parent = await login(h, "alice");
    h.clock.advance(20 * DAY_MS);
    const fresh = (await refresh(h, bearer(parent.refresh_token))).json<{
      operation_token: string;
    }>();
    const response = await h.operation(
      { operation: "create_authentication_tokens" },
      bearer(fresh.operation_token),
    );
    expect(response.statusCode).toBe(200);
    const child = response.json<Tokens>();
    expect(decodeJwt(child.refresh_token).exp).toBe(decodeJwt(parent.refresh_token).exp);
    h.clock.advance(10 * DAY_MS + PAST_TOLERANCE_MS);
    expect((await refresh(h, bearer(child.refresh_token))).statusCode).toBe(403);
  });

  it("records the login in the audit trail, with its session", async () => {
    const tokens = await login(h, "alice");
    const events = await auditEvents(h);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "login.succeeded", sessionId: sidOf(tokens.refresh_token) }),
    );
  });
});

describe("create_authentication_tokens: 400", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startOperationsHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const create = (body: Record<string, unknown>) =>
    h.operation({ operation: "create_authentication_tokens", ...body });

  it("refuses a non-string username and an empty password, naming each", async () => {
    expectError(
      await create({ username: 5, password: PASSWORD }),
      400,
      "'username' must be a string",
    );
    expectError(
      await create({ username: "alice", password: "" }),
      400,
      "'password' is not allowed to be empty",
    );
  });

  it("reports every violation at once, joined by '. '", async () => {
    expectError(
      await create({ username: 5, password: "" }),
      400,
      "'username' must be a string. 'password' is not allowed to be empty",
    );
  });

  it.each([0, -60, "0", "soon"])("refuses expires_in %j", async (expiresIn) => {
    expectError(
      await create({ username: "alice", password: PASSWORD, expires_in: expiresIn }),
      400,
      "'expires_in' must be a positive number of seconds or a duration such as \"1h\"",
    );
  });

  it("issues no session for a refused request", async () => {
    await create({ username: "bob", password: PASSWORD, expires_in: "soon" });
    expect(await listSessions(h, basic("bob"))).toEqual([]);
  });
});

describe("create_authentication_tokens: 401", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startOperationsHarness();
    await h.addUser("carol");
    await setUserEnabled(h.runtime.ctx, { tenantId: TENANT, username: "carol", enabled: false });
  });
  afterAll(async () => {
    await h.close();
  });

  const create = (body: Record<string, unknown>, authorization?: string) =>
    h.operation({ operation: "create_authentication_tokens", ...body }, authorization);

  it("answers a wrong password, an unknown user and a disabled user identically", async () => {
    const wrong = await create({ username: "alice", password: "not the password" });
    const unknown = await create({ username: "nobody", password: PASSWORD });
    const disabled = await create({ username: "carol", password: PASSWORD });
    expectError(wrong, 401, "invalid credentials");
    for (const other of [unknown, disabled]) {
      expect(other.statusCode).toBe(wrong.statusCode);
      expect(other.body).toBe(wrong.body);
    }
  });

  it("answers only one of username and password as failed credentials, as HarperDB", async () => {
    const user = await freshUser(h);
    const wrong = await create({ username: user, password: "not the password" });
    for (const body of [{ username: user }, { password: PASSWORD }]) {
      const response = await create(body);
      expectError(response, 401, "invalid credentials");
      expect(response.body).toBe(wrong.body);
      expectError(await create(body, basic(user)), 401, "invalid credentials");
    }
    expect(await listSessions(h, basic(user))).toEqual([]);
  });

  it("refuses an operation token once its expires_in is over, with at most 1 s of leeway", async () => {
    const tokens = await login(h, "alice", { expires_in: 1 });
    h.clock.advance(1500);
    expect((await userInfo(h, bearer(tokens.operation_token))).statusCode).toBe(200);
    h.clock.advance(1000);
    expectError(await userInfo(h, bearer(tokens.operation_token)), 401, "token expired");
  });

  it("honours TESSERA_CLOCK_TOLERANCE_SECONDS as the leeway of its own tokens", async () => {
    const lenient = await startOperationsHarness({ TESSERA_CLOCK_TOLERANCE_SECONDS: "5" });
    try {
      const tokens = await login(lenient, "alice", { expires_in: 1 });
      lenient.clock.advance(5500);
      expect((await userInfo(lenient, bearer(tokens.operation_token))).statusCode).toBe(200);
      lenient.clock.advance(1000);
      expectError(await userInfo(lenient, bearer(tokens.operation_token)), 401, "token expired");
    } finally {
      await lenient.close();
    }
  });

  it("checks the body's credentials even when the Authorization header is valid", async () => {
    expectError(
      await create({ username: "alice", password: "not the password" }, basic("alice")),
      401,
      "invalid credentials",
    );
  });

  it("needs a caller when neither username nor password is given", async () => {
    expectError(await create({}), 401, "Must login");
    expectError(await create({}, basic("alice", "not the password")), 401, "Login failed");
  });

  it("records the failure in the audit trail, without the password", async () => {
    await create({ username: "bob", password: "a wrong guess" });
    const events = await auditEvents(h);
    const failure = events.find(
      (e) => e.type === "login.failed" && JSON.stringify(e.detail).includes('"bob"'),
    );
    expect(failure).toBeDefined();
    expect(JSON.stringify(events)).not.toContain("a wrong guess");
  });
});

describe("authenticating a caller: 200 and 401", () => {
  let h: Harness;
  let keys: JSONWebKeySet;
  beforeAll(async () => {
    h = await startOperationsHarness();
    keys = await servedKeys(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it("accepts Basic and a Bearer operation token", async () => {
    const tokens = await login(h, "alice");
    expect((await userInfo(h, basic("alice"))).json()).toMatchObject({ username: "alice" });
    expect((await userInfo(h, bearer(tokens.operation_token))).json()).toMatchObject({
      username: "alice",
    });
  });

  it("asks for a login when there are no credentials", async () => {
    expectError(await userInfo(h), 401, "Must login");
  });

  it("answers a wrong password and an unknown user with the same `Login failed`", async () => {
    const wrong = await userInfo(h, basic("alice", "not the password"));
    const unknown = await userInfo(h, basic("nobody"));
    expectError(wrong, 401, "Login failed");
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toBe(wrong.body);
  });

  it.each([
    ["not base64", "Basic !!!not-base64!!!"],
    ["no colon", `Basic ${Buffer.from("alice").toString("base64")}`],
  ])("refuses malformed Basic (%s) with `Login failed`", async (_, authorization) => {
    expectError(await userInfo(h, authorization), 401, "Login failed");
  });

  it("matches scheme names case-sensitively: another case is no credentials", async () => {
    const tokens = await login(h, "alice");
    const b64 = Buffer.from(`alice:${PASSWORD}`).toString("base64");
    for (const authorization of [
      `bearer ${tokens.operation_token}`,
      `BEARER ${tokens.operation_token}`,
      `basic ${b64}`,
      `BASIC ${b64}`,
    ]) {
      expectError(await userInfo(h, authorization), 401, "Must login");
    }
  });

  it("accepts an operation token until exp, then answers `token expired`", async () => {
    const tokens = await login(h, "alice");
    h.clock.advance(DAY_MS - 1000);
    expect((await userInfo(h, bearer(tokens.operation_token))).statusCode).toBe(200);
    h.clock.advance(1000 + PAST_TOLERANCE_MS);
    expectError(await userInfo(h, bearer(tokens.operation_token)), 401, "token expired");
  });

  it("refuses a refresh token as a Bearer operation token", async () => {
    const tokens = await login(h, "alice");
    expectError(await userInfo(h, bearer(tokens.refresh_token)), 401, "invalid token");
  });

  it("refuses a token re-signed by another RS256 key under the same kid", async () => {
    const tokens = await login(h, "alice");
    const token = await forged(tokens.operation_token);
    expect(decodeProtectedHeader(token).kid).toBe(
      decodeProtectedHeader(tokens.operation_token).kid,
    );
    expectError(await userInfo(h, bearer(token)), 401, "invalid token");
  });

  it("refuses an `alg: none` token", async () => {
    const tokens = await login(h, "alice");
    expectError(await userInfo(h, bearer(unsigned(tokens.operation_token))), 401, "invalid token");
  });

  it("refuses an HS256 token keyed with the server's public key", async () => {
    const tokens = await login(h, "alice");
    const token = await hmacWithPublicKey(tokens.operation_token, keys);
    expectError(await userInfo(h, bearer(token)), 401, "invalid token");
  });

  it.each(["garbage", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30."])(
    "refuses the garbage token %j",
    async (token) => {
      expectError(await userInfo(h, bearer(token)), 401, "invalid token");
    },
  );

  it("refuses a revoked session's token at once, though its exp is in the future", async () => {
    const tokens = await login(h, "alice");
    expect(
      (await revoke(h, basic("alice"), { operation_token: tokens.operation_token })).json(),
    ).toMatchObject({ sessions_revoked: 1 });
    expect(decodeJwt(tokens.operation_token).exp).toBeGreaterThan(h.clock.now() / 1000);
    expectError(await userInfo(h, bearer(tokens.operation_token)), 401, "invalid token");
  });
});
