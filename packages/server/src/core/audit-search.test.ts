import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { T0, tenantRecord } from "../store/conformance/fixtures.js";
import type { SqlStore } from "../store/sql/sql-store.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite.js";
import { recordAudit } from "./audit.js";
import {
  AUDIT_EXPORT_PAGE,
  type AuditPageInput,
  type AuditSearchInput,
  exportAuditEvents,
  parseAuditTime,
  searchAuditEvents,
} from "./audit-search.js";
import { type ClientId, newUserId, type TenantId } from "./ids.js";
import type { AuditEventRecord } from "./model/index.js";

let dir = "";
let store: SqlStore;
let tenantId: TenantId;
const ctx = () => ({ store });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tessera-audit-search-"));
  store = await openSqliteStore(join(dir, "tessera.db"));
  const tenant = tenantRecord();
  await store.tenants.create(tenant);
  tenantId = tenant.id;
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function refusal(search: AuditSearchInput, page: AuditPageInput = {}): Promise<unknown> {
  return searchAuditEvents(ctx(), tenantId, search, page).then(
    () => "accepted",
    (error: unknown) => error,
  );
}

describe("searchAuditEvents refuses a bad search with a clear invalid_request", () => {
  it.each([
    [{ type: "user.create" }, /Unknown audit event type user\.create/],
    [{ type: "user" }, /Unknown audit event type user:/],
    [{ type: "users." }, /Unknown audit event type/],
    [{ type: "user.%" }, /Unknown audit event type/],
    [{ type: "" }, /Unknown audit event type/],
    [{ ip: "not-an-ip" }, /ip filter must be an IPv4 or IPv6 address; got not-an-ip/],
    [{ ip: "203.0.113.0/24" }, /ip filter must be an IPv4 or IPv6 address/],
    [{ userId: "" }, /user id filter must not be empty/],
    [{ clientId: "bot\nx" }, /client id filter must not hold control characters/],
    [{ sessionId: "s".repeat(1025) }, /session id filter must be at most 1024 characters/],
    [{ from: "yesterday" }, /start of the time range must be a time such as .*got yesterday/],
    [{ from: "2026-02-30" }, /start of the time range must be a time/],
    [{ to: "2026-01-31T12:00:00" }, /end of the time range must be a time/],
    [{ to: "2026-01-31T24:00:00Z" }, /end of the time range must be a time/],
    [{ from: -1 }, /start of the time range must be whole epoch milliseconds/],
    [{ to: 1.5 }, /end of the time range must be whole epoch milliseconds/],
    [{ from: T0 + 1, to: T0 }, /The time range ends before it starts/],
  ] satisfies [AuditSearchInput, RegExp][])("%j", async (search, message) => {
    const error = await refusal(search);
    expect(error).toMatchObject({
      code: "invalid_request",
      message: expect.stringMatching(message),
    });
  });

  it.each([
    [{ limit: 0 }, /page size \(limit\) must be a whole number from 1 to 1000/],
    [{ limit: 1001 }, /from 1 to 1000/],
    [{ limit: 2.5 }, /from 1 to 1000/],
    [{ limit: Number.NaN }, /from 1 to 1000/],
    [{ cursor: "abc" }, /The cursor is not one this server gave/],
    [{ cursor: "0" }, /cursor/],
    [{ cursor: "-5" }, /cursor/],
    [{ cursor: "1e3" }, /cursor/],
    [{ cursor: "99999999999999999" }, /cursor/],
  ] satisfies [AuditPageInput, RegExp][])("page %j", async (page, message) => {
    const error = await refusal({}, page);
    expect(error).toMatchObject({
      code: "invalid_request",
      message: expect.stringMatching(message),
    });
  });

  it("answers not_found for a tenant that does not exist", async () => {
    await expect(searchAuditEvents(ctx(), "no-such-tenant" as TenantId, {})).rejects.toMatchObject({
      code: "not_found",
    });
  });

  it("refuses a bad export before it yields anything", async () => {
    await expect(exportAuditEvents(ctx(), tenantId, { type: "nope" })).rejects.toMatchObject({
      code: "invalid_request",
    });
  });
});

describe("parseAuditTime", () => {
  it("reads epoch milliseconds, RFC 3339 date-times with their offset, and dates as midnight UTC", () => {
    expect(parseAuditTime("1767225600000", "t")).toBe(1_767_225_600_000);
    expect(parseAuditTime("2026-01-01", "t")).toBe(Date.UTC(2026, 0, 1));
    expect(parseAuditTime("2026-01-01T10:00Z", "t")).toBe(Date.UTC(2026, 0, 1, 10));
    expect(parseAuditTime("2026-01-01T12:00:00.250+02:00", "t")).toBe(
      Date.UTC(2026, 0, 1, 10, 0, 0, 250),
    );
    expect(parseAuditTime("2024-02-29", "t")).toBe(Date.UTC(2024, 1, 29));
    expect(() => parseAuditTime("2025-02-29", "t")).toThrow(/t must be a time/);
  });
});

describe("searching and exporting", () => {
  const ada = newUserId();
  const bot = "ops-bot" as ClientId;

  beforeAll(async () => {
    for (let i = 0; i < 2 * AUDIT_EXPORT_PAGE + 1; i++) {
      await recordAudit(ctx(), {
        tenantId,
        at: T0 + i,
        type: i % 2 === 0 ? "user.created" : "login.succeeded",
        subjectUserId: ada,
        actorClientId: i % 2 === 0 ? bot : null,
        ip: "192.0.2.9",
      });
    }
  });

  it("pages newest first with the cursor each page gives", async () => {
    const search = { type: "user.", clientId: bot, from: "2026-01-01T00:00:00Z" };
    const first = await searchAuditEvents(ctx(), tenantId, search, { limit: 400 });
    expect(first.events).toHaveLength(400);
    expect(first.next).toEqual(expect.any(String));
    const second = await searchAuditEvents(ctx(), tenantId, search, {
      limit: 400,
      cursor: first.next ?? "",
    });
    expect(second.events).toHaveLength(AUDIT_EXPORT_PAGE + 1 - 400);
    expect(second.next).toBeNull();
    const ats = [...first.events, ...second.events].map((e) => e.at);
    expect(ats[0]).toBe(T0 + 2 * AUDIT_EXPORT_PAGE);
    expect(ats.at(-1)).toBe(T0);
    expect(new Set(ats).size).toBe(AUDIT_EXPORT_PAGE + 1);
  });

  it("exports every match across pages, newest first, once each", async () => {
    const exported: AuditEventRecord[] = [];
    for await (const event of await exportAuditEvents(ctx(), tenantId, { userId: ada })) {
      exported.push(event);
    }
    expect(exported).toHaveLength(2 * AUDIT_EXPORT_PAGE + 1);
    const ids = exported.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);

    const logins: AuditEventRecord[] = [];
    for await (const event of await exportAuditEvents(ctx(), tenantId, {
      type: "login.succeeded",
    })) {
      logins.push(event);
    }
    expect(logins).toHaveLength(AUDIT_EXPORT_PAGE);
    expect(logins.every((e) => e.type === "login.succeeded")).toBe(true);
  });
});
