import type { ApiKeyStore } from "./api-key-store.js";
import type { AuditStore } from "./audit-store.js";
import type { AutomationTokenStore } from "./automation-token-store.js";
import type { ClientStore } from "./client-store.js";
import type { MaintenanceStore } from "./maintenance-store.js";
import type { OneTimeClaimStore } from "./one-time-claim-store.js";
import type { RoleStore } from "./role-store.js";
import type { RefreshTokenStore, SessionStore } from "./session-store.js";
import type { SigningKeyStore } from "./signing-key-store.js";
import type { TenantStore } from "./tenant-store.js";
import type { UserStore } from "./user-store.js";

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

/** How a purge works through a table: a bounded number of rows per statement. */
export interface PurgeOptions {
  /** The most rows one statement deletes (default 1000). Statements repeat until none is left. */
  readonly batchSize?: number;
  /** When aborted, the purge stops between two statements and reports what it deleted so far. */
  readonly signal?: AbortSignal;
}
