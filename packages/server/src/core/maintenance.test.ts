import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, sessionOf, startHarness, TENANT } from "../../test/support/harness.js";
import { purgeExpired } from "./maintenance.js";
import type { SessionRecord } from "./model/index.js";

const DAY = 86_400_000;
const RETENTION_MS = 7 * DAY;

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  await h.addUser("alice");
});
afterEach(async () => {
  await h.close();
});

const purge = () => purgeExpired(h.runtime.ctx, { retentionMs: RETENTION_MS, tenantId: TENANT });

/** The newest session of the tenant: the one the last login started. */
async function newestSession(): Promise<SessionRecord> {
  const [session] = await h.runtime.store.sessions.list(TENANT, {
    includeEnded: true,
    now: h.clock.now(),
    limit: 1,
  });
  if (session === undefined) {
    throw new Error("the login made no session");
  }
  return session;
}

async function auditOf(type: string) {
  return (await h.runtime.store.audit.list(TENANT, { limit: 100 })).filter((e) => e.type === type);
}

describe("purgeExpired", () => {
  it("keeps a session while live and for the retention after logout, then deletes it; its refresh token stays refused", async () => {
    const login = sessionOf(await h.login("alice"));
    const sessionId = (await newestSession()).id;

    h.clock.advance(20 * DAY);
    expect(await purge()).toMatchObject({ ran: true, counts: { sessions: 0, refreshTokens: 0 } });
    expect((await h.send("POST", "/auth/token", login)).statusCode).toBe(200);

    expect((await h.send("DELETE", "/auth/token", login)).statusCode).toBe(200);
    const refusedWhileKept = await h.send("POST", "/auth/token", login);
    expect(refusedWhileKept.statusCode).toBe(401);

    h.clock.advance(RETENTION_MS);
    expect(await purge()).toMatchObject({ ran: true, counts: { sessions: 0, refreshTokens: 0 } });
    expect(await h.runtime.store.sessions.get(sessionId)).toMatchObject({ id: sessionId });

    h.clock.advance(1);
    expect(await purge()).toEqual({
      ran: true,
      counts: { sessions: 1, refreshTokens: 1, automationTokens: 0, oneTimeClaims: 0 },
      endedBefore: h.clock.now() - RETENTION_MS,
    });
    expect(await h.runtime.store.sessions.get(sessionId)).toBeUndefined();
    const refusedAfterPurge = await h.send("POST", "/auth/token", login);
    expect(refusedAfterPurge.statusCode).toBe(401);
    expect(refusedAfterPurge.json()).toMatchObject({ status: "error" });
    // The record stays: the login and the logout are still in the audit trail.
    expect((await auditOf("login.succeeded")).map((e) => e.sessionId)).toContain(sessionId);
    expect((await auditOf("session.revoked")).map((e) => e.sessionId)).toContain(sessionId);
  });

  it("keeps an expired session for the retention after its expiry, then deletes it", async () => {
    const login = sessionOf(await h.login("alice"));
    const session = await newestSession();
    const sessionId = session.id;

    h.clock.set(session.expiresAt + RETENTION_MS);
    expect((await h.send("POST", "/auth/token", login)).statusCode).toBe(401);
    await purge();
    expect(await h.runtime.store.sessions.get(sessionId)).toEqual(session);

    h.clock.advance(1);
    expect(await purge()).toMatchObject({ counts: { sessions: 1, refreshTokens: 1 } });
    expect(await h.runtime.store.sessions.get(sessionId)).toBeUndefined();
    expect((await h.send("POST", "/auth/token", login)).statusCode).toBe(401);
  });

  it("records one maintenance.purged event with the counts, and none for a purge that deleted nothing", async () => {
    const login = sessionOf(await h.login("alice"));
    await h.send("DELETE", "/auth/token", login);

    await purge();
    expect(await auditOf("maintenance.purged")).toEqual([]);

    h.clock.advance(RETENTION_MS + 1);
    await purge();
    await purge();

    const events = await auditOf("maintenance.purged");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      tenantId: TENANT,
      at: h.clock.now(),
      detail: {
        sessions: 1,
        refreshTokens: 1,
        automationTokens: 0,
        oneTimeClaims: 0,
        endedBefore: h.clock.now() - RETENTION_MS,
        retentionMs: RETENTION_MS,
      },
    });
  });

  it("with no retention, deletes a session as soon as it has ended", async () => {
    const login = sessionOf(await h.login("alice"));
    await h.send("DELETE", "/auth/token", login);
    h.clock.advance(1);

    const outcome = await purgeExpired(h.runtime.ctx, { retentionMs: 0, tenantId: TENANT });

    expect(outcome).toMatchObject({ ran: true, counts: { sessions: 1, refreshTokens: 1 } });
  });

  it("refuses a negative or fractional retention", async () => {
    for (const retentionMs of [-1, 1.5, Number.NaN]) {
      await expect(
        purgeExpired(h.runtime.ctx, { retentionMs, tenantId: TENANT }),
      ).rejects.toMatchObject({ code: "invalid_request" });
    }
  });
});
