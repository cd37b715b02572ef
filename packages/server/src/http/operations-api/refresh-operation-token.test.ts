import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, bearer, type Harness } from "../../../test/support/harness.js";
import {
  auditEvents,
  DAY_MS,
  DAY_S,
  expectError,
  forged,
  listSessions,
  login,
  PAST_TOLERANCE_MS,
  refresh,
  revoke,
  servedKeys,
  sidOf,
  startOperationsHarness,
  userInfo,
  verify,
} from "../../../test/support/operations.js";

describe("refresh_operation_token: 200", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startOperationsHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("issues a verifiable operation token of the same session from the refresh token as Bearer", async () => {
    const tokens = await login(h, "alice");
    h.clock.advance(3_600_000);
    const response = await refresh(h, bearer(tokens.refresh_token));
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json())).toEqual(["operation_token"]);
    expect(response.headers["cache-control"]).toBe("no-store");
    const token = response.json<{ operation_token: string }>().operation_token;
    const { payload } = await verify(h, token, await servedKeys(h));
    const iat = Math.floor(h.clock.now() / 1000);
    expect(payload).toMatchObject({
      username: "alice",
      super_user: false,
      sub: "operation",
      sid: sidOf(tokens.refresh_token),
      iat,
      exp: iat + DAY_S,
    });
    expect((await userInfo(h, bearer(token))).json()).toMatchObject({ username: "alice" });
  });

  it("accepts the same refresh token repeated in the body", async () => {
    const tokens = await login(h, "alice");
    const response = await refresh(h, bearer(tokens.refresh_token), {
      refresh_token: tokens.refresh_token,
    });
    expect(response.statusCode).toBe(200);
  });

  it("uses the refresh token in Bearer when the body holds another one, as HarperDB", async () => {
    const first = await login(h, "alice");
    const second = await login(h, "alice");
    const response = await refresh(h, bearer(first.refresh_token), {
      refresh_token: second.refresh_token,
    });
    expect(response.statusCode, response.body).toBe(200);
    const token = response.json<{ operation_token: string }>().operation_token;
    expect(sidOf(token)).toBe(sidOf(first.refresh_token));
  });

  it("accepts the refresh token in the body from its own user, by Basic or by operation token", async () => {
    const tokens = await login(h, "alice");
    for (const authorization of [basic("alice"), bearer(tokens.operation_token)]) {
      const response = await refresh(h, authorization, { refresh_token: tokens.refresh_token });
      expect(response.statusCode, response.body).toBe(200);
      expect(sidOf(response.json<{ operation_token: string }>().operation_token)).toBe(
        sidOf(tokens.refresh_token),
      );
    }
  });

  it("records the refresh in the audit trail and on the session", async () => {
    const tokens = await login(h, "alice");
    h.clock.advance(60_000);
    await refresh(h, bearer(tokens.refresh_token));
    const events = await auditEvents(h);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "token.refreshed", sessionId: sidOf(tokens.refresh_token) }),
    );
    const sessions = await listSessions(h, bearer(tokens.operation_token));
    expect(sessions.find((s) => s.session_id === sidOf(tokens.refresh_token))).toMatchObject({
      last_refreshed_at: h.clock.now(),
    });
  });
});

describe("refresh_operation_token: 400, 401, 403", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startOperationsHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("400: a caller authenticated by Basic with no refresh token anywhere", async () => {
    expectError(await refresh(h, basic("alice")), 400, "'refresh_token' is required");
  });

  it("401: a Bearer that is not a refresh token, with no refresh_token in the body, as HarperDB", async () => {
    const tokens = await login(h, "alice");
    for (const token of [tokens.operation_token, "garbage", "a.b.c"]) {
      expectError(await refresh(h, bearer(token)), 401, "invalid token");
    }
  });

  it("401: Basic credentials that are not base64, or hold no colon, are failed credentials", async () => {
    const tokens = await login(h, "alice");
    const noColon = `Basic ${Buffer.from("alice").toString("base64")}`;
    for (const authorization of ["Basic !!!not-base64!!!", "Basic", noColon]) {
      expectError(await refresh(h, authorization), 401, "Login failed");
      expectError(
        await refresh(h, authorization, { refresh_token: tokens.refresh_token }),
        401,
        "Login failed",
      );
    }
  });

  it("401: failed credentials come before the body, whatever it holds, as HarperDB", async () => {
    const tokens = await login(h, "alice");
    const cases: ReadonlyArray<readonly [string, string]> = [
      [bearer("garbage"), "invalid token"],
      [bearer(await forged(tokens.refresh_token)), "invalid token"],
      ["Basic !!!not-base64!!!", "Login failed"],
      [basic("alice", "not-her-password"), "Login failed"],
    ];
    for (const [authorization, error] of cases) {
      for (const body of [{ refresh_token: 5 }, { refresh_token: "" }, { refresh_token: null }]) {
        expectError(await refresh(h, authorization, body), 401, error);
      }
    }
  });

  it("400: a body that is not valid, once the caller is authenticated", async () => {
    const tokens = await login(h, "alice");
    for (const authorization of [basic("alice"), bearer(tokens.refresh_token)]) {
      expectError(
        await refresh(h, authorization, { refresh_token: 5 }),
        400,
        "'refresh_token' must be a string",
      );
    }
  });

  it("401: no credentials and no refresh token", async () => {
    expectError(await refresh(h), 401, "Must login");
  });

  it("401: an operation token is never a refresh token, in the body or in Bearer", async () => {
    const tokens = await login(h, "alice");
    expectError(
      await refresh(h, basic("alice"), { refresh_token: tokens.operation_token }),
      401,
      "invalid token",
    );
    expectError(
      await refresh(h, bearer(tokens.operation_token), { refresh_token: tokens.operation_token }),
      401,
      "invalid token",
    );
  });

  it("401: another user's refresh token in the body", async () => {
    const bobs = await login(h, "bob");
    expectError(
      await refresh(h, basic("alice"), { refresh_token: bobs.refresh_token }),
      401,
      "invalid token",
    );
  });

  it("401: a refresh token in the body with no caller", async () => {
    const tokens = await login(h, "alice");
    expectError(
      await refresh(h, undefined, { refresh_token: tokens.refresh_token }),
      401,
      "Must login",
    );
  });

  it("401: a forged refresh token", async () => {
    const tokens = await login(h, "alice");
    expectError(await refresh(h, bearer(await forged(tokens.refresh_token))), 401, "invalid token");
  });

  it("401: the refresh token of a revoked session, at once", async () => {
    const tokens = await login(h, "alice");
    await revoke(h, bearer(tokens.operation_token));
    expectError(await refresh(h, bearer(tokens.refresh_token)), 401, "invalid token");
    expectError(
      await refresh(h, basic("alice"), { refresh_token: tokens.refresh_token }),
      401,
      "invalid token",
    );
  });

  it("403: an expired refresh token, though it worked the day before", async () => {
    const tokens = await login(h, "alice");
    h.clock.advance(29 * DAY_MS);
    expect((await refresh(h, bearer(tokens.refresh_token))).statusCode).toBe(200);
    h.clock.advance(DAY_MS + PAST_TOLERANCE_MS);
    expectError(await refresh(h, bearer(tokens.refresh_token)), 403, "token expired");
  });
});
