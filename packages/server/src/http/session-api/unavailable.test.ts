import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Harness,
  sessionOf,
  startHarness,
  USING_POSTGRES,
} from "../../../test/support/harness.js";

let h: Harness;

beforeEach(async () => {
  h = await startHarness({ TESSERA_SQLITE_BUSY_TIMEOUT_MS: "50" });
  await h.addUser("alice");
});
afterEach(async () => {
  await h.close();
});

// SQLite's lock; PostgreSQL's outages have their own test (store/postgres/outage.test.ts).
describe.skipIf(USING_POSTGRES)("POST /auth/token: 503 (SQLite)", () => {
  it("fails closed with Retry-After while another process holds the database, and recovers by itself", async () => {
    const first = sessionOf(await h.login("alice"));
    await h.setRefreshPolicy("rotate");
    const other = new BetterSqlite3(join(h.dataDir, "tessera.db"));
    other.pragma("busy_timeout = 0");
    other.exec("BEGIN EXCLUSIVE");
    try {
      const login = await h.login("alice");
      expect(login.statusCode).toBe(503);
      expect(login.headers["retry-after"]).toBe("1");
      expect(login.json()).toEqual({
        status: "error",
        message: "The service is temporarily unavailable; try again",
      });
      const refresh = await h.send("POST", "/auth/token", first);
      expect(refresh.statusCode).toBe(503);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    // Nothing was half-written: the refresh token that met the 503 still rotates once.
    const refreshed = sessionOf(await h.send("POST", "/auth/token", first));
    expect(refreshed.session.refreshToken).not.toBe(first.session.refreshToken);
    expect((await h.login("alice")).statusCode).toBe(200);
  });
});
