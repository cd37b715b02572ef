import { isIP } from "node:net";
import { AUDIT_EVENT_TYPES } from "./audit.js";
import type { CoreContext } from "./context.js";
import { echoInput } from "./echo.js";
import { TesseraError } from "./errors.js";
import { checkIdentifierInput } from "./identifiers.js";
import type { ClientId, SessionId, TenantId, UserId } from "./ids.js";
import type { AuditEventRecord, EpochMs } from "./model/index.js";
import type { AuditSearchFilter } from "./ports/index.js";
import { getTenant } from "./tenants.js";

/** The most events one page of a search holds. */
export const MAX_AUDIT_PAGE = 1000;

/** The events a page holds when the caller does not say. */
export const DEFAULT_AUDIT_PAGE = 100;

/** The events an export reads at a time. */
export const AUDIT_EXPORT_PAGE = 500;

/**
 * An audit search as a caller sends it (query parameters, CLI options),
 * unchecked. Every field given must match.
 */
export interface AuditSearchInput {
  /** One of `AUDIT_EVENT_TYPES`, or a prefix of some ending in "." (`user.`). */
  readonly type?: string;
  /** A user id: events the user made or that are about them. */
  readonly userId?: string;
  /** A client id: events the client made or that are about it. */
  readonly clientId?: string;
  readonly sessionId?: string;
  /** An IPv4 or IPv6 address, as recorded (no normalisation). */
  readonly ip?: string;
  /** From this time on (inclusive): epoch ms, or text {@link parseAuditTime} reads. */
  readonly from?: EpochMs | string;
  /** Before this time (exclusive): epoch ms, or text {@link parseAuditTime} reads. */
  readonly to?: EpochMs | string;
}

/** Which page: the `next` of the page before (absent for the newest), and its size. */
export interface AuditPageInput {
  /** Opaque to callers: give back what `next` was. */
  readonly cursor?: string;
  /** 1 to {@link MAX_AUDIT_PAGE}; {@link DEFAULT_AUDIT_PAGE} when absent. */
  readonly limit?: number;
}

/** One page of a search, newest first. */
export interface AuditEventsPage {
  readonly events: readonly AuditEventRecord[];
  /** The cursor of the next (older) page; null when this page holds the oldest match. */
  readonly next: string | null;
}

const TYPE_PREFIXES = new Set(
  AUDIT_EVENT_TYPES.map((type) => type.slice(0, type.indexOf(".") + 1)),
);
const KNOWN_TYPES: ReadonlySet<string> = new Set(AUDIT_EVENT_TYPES);

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/;
const EPOCH_MS = /^\d{1,15}$/;

/**
 * A time as a search takes it: epoch milliseconds (`1767225600000`), an
 * RFC 3339 date-time with its offset (`2026-01-01T00:00:00Z`, seconds and
 * fractions optional), or a date (`2026-01-01`, midnight UTC).
 *
 * @param what how the message names the value, e.g. "The start of the time range".
 * @throws `invalid_request` for anything else, or a date that does not exist.
 */
export function parseAuditTime(value: string, what: string): EpochMs {
  if (EPOCH_MS.test(value)) {
    return Number(value);
  }
  const parts = RFC3339.exec(value);
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = (parts ?? [])
    .slice(1)
    .map((part) => (part === undefined ? 0 : Number(part)));
  const ms = Date.parse(/T/i.test(value) ? value : `${value}T00:00:00Z`);
  const valid =
    parts !== null &&
    Number.isFinite(ms) &&
    month !== undefined &&
    month >= 1 &&
    month <= 12 &&
    day !== undefined &&
    day >= 1 &&
    day <= new Date(Date.UTC(year ?? 0, month, 0)).getUTCDate() &&
    (hour ?? 0) <= 23 &&
    (minute ?? 0) <= 59 &&
    (second ?? 0) <= 59 &&
    (offsetHour ?? 0) <= 23 &&
    (offsetMinute ?? 0) <= 59;
  if (!valid) {
    throw new TesseraError(
      "invalid_request",
      `${what} must be a time such as 2026-01-31T12:00:00Z or 2026-01-31, or epoch milliseconds; got ${echoInput(value)}`,
    );
  }
  return ms;
}

function timeOf(value: EpochMs | string | undefined, what: string): EpochMs | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value === "string") {
    return parseAuditTime(value, what);
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TesseraError("invalid_request", `${what} must be whole epoch milliseconds`);
  }
  return value;
}

function idOf(value: string | undefined, what: string): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (value === "") {
    throw new TesseraError("invalid_request", `${what} must not be empty`);
  }
  checkIdentifierInput(value, what);
  return value;
}

/**
 * Checks a search as a caller sent it and returns it as the store takes it.
 *
 * @throws `invalid_request` naming what is wrong: an unknown type, an id no
 * event can hold, an ip that is not an address, a time that is not one, or
 * a range that ends before it starts.
 */
export function parseAuditSearch(input: AuditSearchInput): AuditSearchFilter {
  const { type, ip } = input;
  if (type !== undefined && !KNOWN_TYPES.has(type) && !TYPE_PREFIXES.has(type)) {
    throw new TesseraError(
      "invalid_request",
      `Unknown audit event type ${echoInput(type)}: give a type such as user.created, or a prefix such as user. for every user event`,
    );
  }
  if (ip !== undefined && isIP(ip) === 0) {
    throw new TesseraError(
      "invalid_request",
      `The ip filter must be an IPv4 or IPv6 address; got ${echoInput(ip)}`,
    );
  }
  const userId = idOf(input.userId, "The user id filter");
  const clientId = idOf(input.clientId, "The client id filter");
  const sessionId = idOf(input.sessionId, "The session id filter");
  const from = timeOf(input.from, "The start of the time range");
  const to = timeOf(input.to, "The end of the time range");
  if (from !== undefined && to !== undefined && to < from) {
    throw new TesseraError("invalid_request", "The time range ends before it starts");
  }
  return {
    ...(type === undefined ? {} : { type }),
    ...(userId === undefined ? {} : { userId: userId as UserId }),
    ...(clientId === undefined ? {} : { clientId: clientId as ClientId }),
    ...(sessionId === undefined ? {} : { sessionId: sessionId as SessionId }),
    ...(ip === undefined ? {} : { ip }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  };
}

function pageOf(page: AuditPageInput): { readonly before?: number; readonly limit: number } {
  const limit = page.limit ?? DEFAULT_AUDIT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) {
    throw new TesseraError(
      "invalid_request",
      `The page size (limit) must be a whole number from 1 to ${MAX_AUDIT_PAGE}`,
    );
  }
  if (page.cursor === undefined) {
    return { limit };
  }
  const before = /^[1-9]\d{0,15}$/.test(page.cursor) ? Number(page.cursor) : Number.NaN;
  if (!Number.isSafeInteger(before)) {
    throw new TesseraError("invalid_request", "The cursor is not one this server gave");
  }
  return { before, limit };
}

/**
 * One page of the audit events of `tenantId` (of every tenant when
 * undefined, for a platform admin) matching `search`, newest first (in the
 * order they were recorded). Give a page's `next` back as `cursor` for the
 * one after it: paging on reads every match once, none skipped or
 * repeated, and events recorded meanwhile wait for a new search.
 *
 * @throws `invalid_request` for a bad search ({@link parseAuditSearch}), a
 * limit outside 1 to {@link MAX_AUDIT_PAGE} or a cursor this server did not
 * give; `not_found` for an unknown tenant.
 *
 * @example
 * const page = await searchAuditEvents(ctx, tenantId, { type: "user.", from: "2026-01-01" }, { limit: 50 });
 * const older = page.next === null ? undefined : await searchAuditEvents(ctx, tenantId, { type: "user." }, { cursor: page.next });
 */
export async function searchAuditEvents(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId | undefined,
  search: AuditSearchInput,
  page: AuditPageInput = {},
): Promise<AuditEventsPage> {
  const filter = parseAuditSearch(search);
  const request = pageOf(page);
  if (tenantId !== undefined) {
    await getTenant(ctx, tenantId);
  }
  const found = await ctx.store.audit.search(tenantId, filter, request);
  return { events: found.events, next: found.next === null ? null : String(found.next) };
}

/**
 * Every audit event matching `search`, newest first, for an export (the
 * admin API streams them as NDJSON): reads {@link AUDIT_EXPORT_PAGE} at a
 * time, so memory stays bounded however long the trail, and stops at the
 * oldest match. Events recorded once the export began are not part of it.
 *
 * The search is checked, and the tenant looked up, before this resolves,
 * so a bad request fails before anything is streamed; stopping the
 * iteration early reads no further page.
 *
 * @throws as {@link searchAuditEvents}.
 *
 * @example
 * const events = await exportAuditEvents(ctx, tenantId, { userId });
 * for await (const event of events) reply.raw.write(`${JSON.stringify(event)}\n`);
 */
export async function exportAuditEvents(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId | undefined,
  search: AuditSearchInput,
): Promise<AsyncIterable<AuditEventRecord>> {
  const filter = parseAuditSearch(search);
  if (tenantId !== undefined) {
    await getTenant(ctx, tenantId);
  }
  async function* pages(): AsyncGenerator<AuditEventRecord> {
    let before: number | undefined;
    do {
      const page = await ctx.store.audit.search(tenantId, filter, {
        ...(before === undefined ? {} : { before }),
        limit: AUDIT_EXPORT_PAGE,
      });
      yield* page.events;
      before = page.next ?? undefined;
    } while (before !== undefined);
  }
  return pages();
}
