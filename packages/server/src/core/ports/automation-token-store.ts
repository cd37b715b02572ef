import type { ClientId, TenantId, TokenHash, TokenId } from "../ids.js";
import type { AutomationTokenRecord } from "../model/automation-token.js";
import type { EpochMs } from "../model/common.js";

/** What {@link AutomationTokenStore.rotate} reports. */
export type TokenRotateResult =
  | { readonly rotated: true }
  | { readonly rotated: false; readonly current: AutomationTokenRecord | undefined };

/** Where a page of a tenant's tokens starts, how long it is, and which tokens it holds. */
export interface AutomationTokenPageOptions {
  /** Only this client's tokens; every client's without. */
  readonly clientId?: ClientId;
  /** Expired and revoked tokens too; without, only those still usable at `now`. */
  readonly includeEnded?: boolean;
  readonly now: EpochMs;
  /** Only tokens after this one in the order of the page. */
  readonly after?: { readonly createdAt: EpochMs; readonly id: TokenId };
  readonly limit: number;
}

export interface AutomationTokenStore {
  /** Inserts a token; `conflict` if its id or hash exists. */
  create(token: AutomationTokenRecord): Promise<void>;
  get(id: TokenId): Promise<AutomationTokenRecord | undefined>;
  /** The long-term token with this hash, revoked or not. */
  getByHash(hash: TokenHash): Promise<AutomationTokenRecord | undefined>;
  /**
   * A client's tokens (the client is `(tenantId, clientId)`), newest first;
   * only those still usable at `now` unless `includeEnded`.
   */
  listForClient(
    tenantId: TenantId,
    clientId: ClientId,
    filter: {
      readonly includeEnded?: boolean;
      readonly now: EpochMs;
      readonly limit: number;
    },
  ): Promise<AutomationTokenRecord[]>;
  /**
   * One page of a tenant's tokens, newest first (by `createdAt`
   * descending, then `id`), as {@link listForClient} orders them.
   */
  page(tenantId: TenantId, options: AutomationTokenPageOptions): Promise<AutomationTokenRecord[]>;
  /**
   * Revokes the token at `at` and every token derived from it (its
   * short-term children). A token already revoked at or before `at` is left
   * as it is; one scheduled to end later (a rotation overlap) ends at `at`.
   * Idempotent: returns the ids this call revoked.
   */
  revoke(id: TokenId, at: EpochMs, reason: string): Promise<TokenId[]>;
  /**
   * Inserts `successor` and marks `oldId` replaced by it, ending at
   * `endsAt` (the overlap) with every short-term token derived from it, in
   * one transaction, only if `oldId` is not yet replaced nor revoked.
   *
   * Concurrency: a compare-and-swap on `replaced_by_id IS NULL`. Of any
   * number of concurrent rotations of one token, exactly one returns
   * `{ rotated: true }`; the others insert nothing.
   */
  rotate(input: {
    readonly oldId: TokenId;
    readonly successor: AutomationTokenRecord;
    readonly endsAt: EpochMs;
    readonly at: EpochMs;
  }): Promise<TokenRotateResult>;
  /** Records use; callers throttle how often they call it. */
  markUsed(id: TokenId, at: EpochMs): Promise<void>;
}
