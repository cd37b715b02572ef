import type { ClientId, SessionId, TenantId, UserId } from "../ids.js";
import type { AuditEventInput, AuditEventRecord } from "../model/audit.js";
import type { EpochMs } from "../model/common.js";

/** What an audit search matches: every field given must match (and none given matches all). */
export interface AuditSearchFilter {
  /** An exact type (`login.failed`), or a prefix ending in "." (`user.`): every type under it. */
  readonly type?: string;
  /** Events this user made (`actorUserId`) or that are about them (`subjectUserId`). */
  readonly userId?: UserId;
  /** Events this client made (`actorClientId`) or that are about it (`clientId`). */
  readonly clientId?: ClientId;
  readonly sessionId?: SessionId;
  /** The exact IP as recorded. */
  readonly ip?: string;
  /** Events at or after this time (inclusive). */
  readonly from?: EpochMs;
  /** Events before this time (exclusive). */
  readonly to?: EpochMs;
}

/** Which page of a search: events older than `before` (an event id), at most `limit`. */
export interface AuditPageRequest {
  /** The `next` of the previous page; absent for the first (newest) page. */
  readonly before?: number;
  /** At least 1; core bounds it (`MAX_AUDIT_PAGE` in `core/audit-search.ts`). */
  readonly limit: number;
}

/** One page of a search, newest first. */
export interface AuditPage {
  readonly events: AuditEventRecord[];
  /** Give it as `before` for the next page; null when this page holds the oldest match. */
  readonly next: number | null;
}

export interface AuditStore {
  /** Appends one event; its id is greater than every id appended before it returned. */
  append(event: AuditEventInput): Promise<void>;
  /**
   * Without `afterId`: the newest `limit` events. With it: the first `limit`
   * events after `afterId`, so a reader paging forward never skips one.
   * Oldest first either way.
   */
  list(
    tenantId: TenantId | undefined,
    options: { readonly afterId?: number; readonly limit: number },
  ): Promise<AuditEventRecord[]>;
  /**
   * The events of `tenantId` (of every tenant when undefined) that match
   * `filter`, newest first: by id descending, which is the order they were
   * appended in, not by `at`.
   *
   * Paging: a page holds at most `page.limit` events with an id below
   * `page.before` (when given); `next` is the id of its last (oldest) event
   * when an older match exists, and null otherwise, so no final empty page
   * is needed. Giving `next` back as `before` continues below it: reading
   * page after page returns every match present when the first page was
   * read exactly once, none skipped or repeated; events appended meanwhile
   * get greater ids, so they are not part of later pages.
   *
   * Reads `limit + 1` rows: the caller bounds `limit`.
   */
  search(
    tenantId: TenantId | undefined,
    filter: AuditSearchFilter,
    page: AuditPageRequest,
  ): Promise<AuditPage>;
}
