import type {
  ApiKeyId,
  ClientId,
  KeyId,
  RoleId,
  SessionId,
  TenantId,
  TokenHash,
  TokenId,
  UserId,
} from "../core/ids.js";
import type {
  ApiKeyRecord,
  AuditEventInput,
  AuditEventRecord,
  AutomationTokenRecord,
  ClientPublicKey,
  ClientRecord,
  ClientStatus,
  EpochMs,
  JsonObject,
  RefreshPolicy,
  RefreshTokenRecord,
  RoleRecord,
  SessionRecord,
  SigningAlgorithm,
  SigningKeyRecord,
  TenantRecord,
  UserRecord,
  UserStatus,
} from "./records.js";

/**
 * The persistence contract the core is built on. Every implementation passes
 * the same conformance suite (`store/conformance/`). Methods that can race
 * state their concurrency contract; all others are single statements.
 *
 * A method that must create a row that already exists throws a
 * `TesseraError("conflict")`; a store that cannot be reached throws
 * `TesseraError("unavailable")`.
 */
export interface Store {
  readonly tenants: TenantStore;
  readonly users: UserStore;
  readonly roles: RoleStore;
  readonly clients: ClientStore;
  readonly automationTokens: AutomationTokenStore;
  readonly oneTimeClaims: OneTimeClaimStore;
  readonly apiKeys: ApiKeyStore;
  readonly signingKeys: SigningKeyStore;
  readonly sessions: SessionStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly audit: AuditStore;
  readonly maintenance: MaintenanceStore;
  /** Resolves when the store answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface TenantPatch {
  readonly displayName?: string;
  readonly accessTokenTtlSeconds?: number;
  readonly idTokenTtlSeconds?: number;
  readonly refreshTokenTtlSeconds?: number;
  readonly refreshPolicy?: RefreshPolicy;
  readonly refreshGraceSeconds?: number;
  readonly signingAlgorithm?: SigningAlgorithm;
  readonly operationTokenTtlSeconds?: number;
}

export interface TenantStore {
  /** Inserts a tenant; `conflict` if the id is taken. */
  create(tenant: TenantRecord): Promise<void>;
  get(id: TenantId): Promise<TenantRecord | undefined>;
  list(): Promise<TenantRecord[]>;
  /** Applies `patch`; returns the updated tenant, or undefined if none has that id. */
  update(id: TenantId, patch: TenantPatch, at: EpochMs): Promise<TenantRecord | undefined>;
}

export interface UserPatch {
  readonly passwordHash?: string;
  readonly status?: UserStatus;
  readonly permissions?: readonly string[];
  readonly roleId?: RoleId | null;
}

export interface UserStore {
  /** Inserts a user; `conflict` if the tenant already has that username; `not_found` if its role is not one of the tenant's. */
  create(user: UserRecord): Promise<void>;
  getById(tenantId: TenantId, id: UserId): Promise<UserRecord | undefined>;
  /** Exact, case-sensitive match. */
  getByUsername(tenantId: TenantId, username: string): Promise<UserRecord | undefined>;
  /** Users ordered by username. */
  list(tenantId: TenantId): Promise<UserRecord[]>;
  /** Applies `patch`; `not_found` if `patch.roleId` names no role of the tenant. */
  update(
    tenantId: TenantId,
    id: UserId,
    patch: UserPatch,
    at: EpochMs,
  ): Promise<UserRecord | undefined>;
  /**
   * Deletes a user with its sessions and their refresh tokens, in one
   * transaction. Tokens of those sessions then fail as unknown. Returns false
   * if no such user exists.
   */
  delete(tenantId: TenantId, id: UserId): Promise<boolean>;
}

export interface RolePatch {
  readonly name?: string;
  readonly permission?: JsonObject;
  readonly permissions?: readonly string[];
}

export interface RoleStore {
  /** Inserts a role; `conflict` if the tenant already has that name. */
  create(role: RoleRecord): Promise<void>;
  get(tenantId: TenantId, id: RoleId): Promise<RoleRecord | undefined>;
  getByName(tenantId: TenantId, name: string): Promise<RoleRecord | undefined>;
  /** Roles ordered by name. */
  list(tenantId: TenantId): Promise<RoleRecord[]>;
  /** Applies `patch`; `conflict` if the new name is taken. Undefined if no such role. */
  update(
    tenantId: TenantId,
    id: RoleId,
    patch: RolePatch,
    at: EpochMs,
  ): Promise<RoleRecord | undefined>;
  /**
   * Deletes a role. Returns false if no such role exists; throws `conflict`
   * if a user holds it. The check and the delete are one statement, so a user
   * given the role concurrently either blocks the delete or is refused.
   */
  delete(tenantId: TenantId, id: RoleId): Promise<boolean>;
  /** How many users hold the role. */
  countMembers(tenantId: TenantId, id: RoleId): Promise<number>;
}

export interface ApiKeyStore {
  /** Inserts a key; `conflict` if its id or hash exists. */
  create(key: ApiKeyRecord): Promise<void>;
  /** The key with this hash, revoked or not. */
  getByHash(hash: TokenHash): Promise<ApiKeyRecord | undefined>;
  list(tenantId: TenantId): Promise<ApiKeyRecord[]>;
  /** Revokes a live key. Returns true if this call revoked it, false if it was already revoked or unknown. */
  revoke(tenantId: TenantId, id: ApiKeyId, at: EpochMs): Promise<boolean>;
  /** Records use; callers throttle how often they call it. */
  markUsed(id: ApiKeyId, at: EpochMs): Promise<void>;
}

export interface SigningKeyStore {
  /** Inserts a key; `conflict` if the kid exists. */
  create(key: SigningKeyRecord): Promise<void>;
  /** Every key of the tenant, newest first. */
  list(tenantId: TenantId): Promise<SigningKeyRecord[]>;
  /**
   * Promotes `promoteKid` from next to active, retires the tenant's other
   * active key of the same algorithm, and inserts `newNext` (same algorithm),
   * in one transaction.
   *
   * Concurrency: a compare-and-swap on `promoteKid` still being `next`. Of
   * concurrent rotations that promote the same key, exactly one returns true;
   * the others change nothing and return false.
   */
  rotate(input: {
    readonly tenantId: TenantId;
    readonly promoteKid: KeyId;
    readonly newNext: SigningKeyRecord;
    readonly at: EpochMs;
  }): Promise<boolean>;
  /** Deletes retired keys retired before `before`. Returns how many. */
  deleteRetired(tenantId: TenantId, before: EpochMs): Promise<number>;
}

export interface SessionStore {
  /** Inserts a session and its first refresh token in one transaction. */
  create(session: SessionRecord, firstRefreshToken: RefreshTokenRecord): Promise<void>;
  get(id: SessionId): Promise<SessionRecord | undefined>;
  /** A tenant's sessions, newest first; live ones only unless `includeEnded`. */
  list(
    tenantId: TenantId,
    filter: {
      readonly userId?: UserId;
      readonly includeEnded?: boolean;
      readonly now: EpochMs;
      readonly limit: number;
    },
  ): Promise<SessionRecord[]>;
  /**
   * Revokes a session and every session whose parent it is (impersonation).
   * Idempotent: returns the ids this call revoked (empty if already revoked).
   */
  revoke(id: SessionId, at: EpochMs, reason: string): Promise<SessionId[]>;
  /** Revokes every live session of a user, and their children. Returns the ids revoked. */
  revokeAllForUser(
    tenantId: TenantId,
    userId: UserId,
    at: EpochMs,
    reason: string,
  ): Promise<SessionId[]>;
  markRefreshed(id: SessionId, at: EpochMs): Promise<void>;
}

/** What {@link RefreshTokenStore.rotate} reports. */
export type RotateResult =
  | { readonly rotated: true }
  | { readonly rotated: false; readonly current: RefreshTokenRecord | undefined };

export interface RefreshTokenStore {
  getByHash(hash: TokenHash): Promise<RefreshTokenRecord | undefined>;
  /**
   * Marks `oldHash` rotated (recording `successorSealed`) and inserts
   * `successor`, in one transaction, only if `oldHash` is not yet rotated.
   *
   * Concurrency: a compare-and-swap on `rotated_at IS NULL`. Of any number of
   * concurrent calls for one `oldHash`, across processes, exactly one returns
   * `{ rotated: true }`. Every other returns `{ rotated: false, current }`
   * with the row as the winner committed it, so a caller inside the grace
   * window can hand out the winner's sealed pair.
   */
  rotate(input: {
    readonly oldHash: TokenHash;
    readonly successor: RefreshTokenRecord;
    readonly successorSealed: string;
    readonly at: EpochMs;
  }): Promise<RotateResult>;
}

export interface AuditStore {
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
}

export interface ClientPatch {
  readonly name?: string;
  readonly secretHash?: TokenHash;
  readonly secretPrefix?: string;
  readonly totpSeedSealed?: string | null;
  readonly publicKeys?: readonly ClientPublicKey[];
  readonly scopes?: readonly string[];
  readonly audiences?: readonly string[];
  readonly maxTokenTtlDays?: number;
  readonly status?: ClientStatus;
}

export interface ClientStore {
  /** Inserts a client; `conflict` if its id, secret or name (in the tenant) is taken. */
  create(client: ClientRecord): Promise<void>;
  /** The client with this id, in any tenant (client ids are global). */
  get(id: ClientId): Promise<ClientRecord | undefined>;
  getByName(tenantId: TenantId, name: string): Promise<ClientRecord | undefined>;
  /** A tenant's clients ordered by name. */
  list(tenantId: TenantId): Promise<ClientRecord[]>;
  /** Applies `patch`; `conflict` if a new name is taken. Undefined if no such client. */
  update(
    tenantId: TenantId,
    id: ClientId,
    patch: ClientPatch,
    at: EpochMs,
  ): Promise<ClientRecord | undefined>;
}

/** What {@link AutomationTokenStore.rotate} reports. */
export type TokenRotateResult =
  | { readonly rotated: true }
  | { readonly rotated: false; readonly current: AutomationTokenRecord | undefined };

export interface AutomationTokenStore {
  /** Inserts a token; `conflict` if its id or hash exists. */
  create(token: AutomationTokenRecord): Promise<void>;
  get(id: TokenId): Promise<AutomationTokenRecord | undefined>;
  /** The long-term token with this hash, revoked or not. */
  getByHash(hash: TokenHash): Promise<AutomationTokenRecord | undefined>;
  /** A client's tokens, newest first; only those still usable at `now` unless `includeEnded`. */
  listForClient(
    clientId: ClientId,
    filter: {
      readonly includeEnded?: boolean;
      readonly now: EpochMs;
      readonly limit: number;
    },
  ): Promise<AutomationTokenRecord[]>;
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

/**
 * Keys that may be used once until they expire: a TOTP time step of a
 * client, an assertion's `jti`. Kept in the store, so a claim holds across
 * restarts and across every instance sharing the store.
 */
export interface OneTimeClaimStore {
  /**
   * Claims `key` until `expiresAt`. True for the first claim; false while an
   * earlier claim is unexpired at `now`. An expired claim may be claimed
   * again.
   *
   * Concurrency: one statement (an insert, or an update of an expired row).
   * Of any number of concurrent claims of one key, across processes,
   * exactly one returns true.
   */
  claim(key: string, expiresAt: EpochMs, now: EpochMs): Promise<boolean>;
  /** Deletes claims expired before `before`. Returns how many. */
  purgeExpired(before: EpochMs): Promise<number>;
}

/** How a purge works through a table: a bounded number of rows per statement. */
export interface PurgeOptions {
  /** The most rows one statement deletes (default 1000). Statements repeat until none is left. */
  readonly batchSize?: number;
  /** When aborted, the purge stops between two statements and reports what it deleted so far. */
  readonly signal?: AbortSignal;
}

/** What {@link MaintenanceStore.tryLock} reports. */
export type LockOutcome<T> =
  | { readonly acquired: true; readonly result: T }
  | { readonly acquired: false };

/**
 * Background maintenance: deleting rows nothing can use any more. Audit
 * events are never deleted here; they are the record.
 *
 * Every purge deletes in statements of at most `batchSize` rows, each its
 * own transaction, so no purge holds a lock on many rows for long and the
 * requests running beside it barely notice. A purge is therefore not atomic:
 * one interrupted (an outage, an abort) has deleted some rows and leaves the
 * rest, consistent, for the next run.
 */
export interface MaintenanceStore {
  /**
   * Deletes sessions that ended (expired, or were revoked) before `before`,
   * with their refresh tokens: the tokens first (they reference the
   * session), then the sessions left without any. A session that is live, or
   * ended at or after `before`, is kept with every one of its tokens.
   *
   * Concurrency: safe beside logins, refreshes and revocations. A session
   * that gains a refresh token between the two steps (a rotation racing its
   * end) keeps it and is deleted by a later purge.
   */
  purgeEndedSessions(
    before: EpochMs,
    options?: PurgeOptions,
  ): Promise<{ readonly sessions: number; readonly refreshTokens: number }>;
  /**
   * Deletes automation tokens, long- and short-term, that ended (expired, or
   * were revoked, a rotation's overlap included) before `before`. A
   * short-term token goes before or with its parent: first those ended
   * themselves, then every one whose parent ended before `before`, then the
   * ended tokens left without children. Returns how many rows it deleted.
   */
  purgeEndedAutomationTokens(before: EpochMs, options?: PurgeOptions): Promise<number>;
  /**
   * Deletes one-time claims expired before `before`, in batches (an expired
   * claim may be claimed again, so deleting it changes no outcome). Returns
   * how many.
   */
  purgeExpiredClaims(before: EpochMs, options?: PurgeOptions): Promise<number>;
  /**
   * Runs `work` only if this call gets the lock `name`, and releases it when
   * `work` settles (resolved or thrown). `{ acquired: false }` without running
   * `work` when another holder has it.
   *
   * `work` gets a {@link MaintenanceStore} on the lock's own connection; run
   * the locked work through it, not through the outer store, so a pool of one
   * connection cannot wait on itself.
   *
   * Concurrency: on PostgreSQL a session advisory lock
   * (`pg_try_advisory_lock`) scoped to the schema, held by one connection for
   * the whole of `work`: of any number of holders across processes, one at a
   * time gets it. If that connection dies, PostgreSQL releases the lock. On
   * SQLite the lock is held in the process, per store: of the callers
   * sharing the store one at a time gets it; another process on the same
   * file is not excluded (its statements take turns with these, one writer
   * at a time).
   */
  tryLock<T>(name: string, work: (locked: MaintenanceStore) => Promise<T>): Promise<LockOutcome<T>>;
}
