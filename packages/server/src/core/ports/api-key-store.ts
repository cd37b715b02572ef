import type { ApiKeyId, ClientId, TenantId, TokenHash } from "../ids.js";
import type { ApiKeyRecord } from "../model/api-key.js";
import type { EpochMs } from "../model/common.js";

/** Where a page of API keys starts, how long it is, and whose keys it holds. */
export interface ApiKeyPageOptions {
  /** Only this client's keys; every client's without. */
  readonly clientId?: ClientId;
  /** Only keys after this one in the order of the page. */
  readonly after?: { readonly createdAt: EpochMs; readonly id: ApiKeyId };
  readonly limit: number;
}

export interface ApiKeyStore {
  /**
   * Inserts a key; `conflict` if its id or hash exists, `not_found` if its
   * tenant has no client with its `clientId` (a foreign key decides, so a
   * key never outlives or precedes its client).
   */
  create(key: ApiKeyRecord): Promise<void>;
  /** The key with this hash, revoked or not. */
  getByHash(hash: TokenHash): Promise<ApiKeyRecord | undefined>;
  /** The tenant's key with this id, revoked or not. */
  get(tenantId: TenantId, id: ApiKeyId): Promise<ApiKeyRecord | undefined>;
  /** A tenant's keys, oldest first (by `createdAt`, then `id`). */
  list(tenantId: TenantId): Promise<ApiKeyRecord[]>;
  /** One page of a tenant's keys, revoked ones included, in the order of {@link list}. */
  page(tenantId: TenantId, options: ApiKeyPageOptions): Promise<ApiKeyRecord[]>;
  /** Revokes a live key. Returns true if this call revoked it, false if it was already revoked or unknown. */
  revoke(tenantId: TenantId, id: ApiKeyId, at: EpochMs): Promise<boolean>;
  /** Records use; callers throttle how often they call it. */
  markUsed(id: ApiKeyId, at: EpochMs): Promise<void>;
}
