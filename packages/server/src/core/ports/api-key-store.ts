import type { ApiKeyId, TenantId, TokenHash } from "../ids.js";
import type { ApiKeyRecord } from "../model/api-key.js";
import type { EpochMs } from "../model/common.js";

export interface ApiKeyStore {
  /**
   * Inserts a key; `conflict` if its id or hash exists, `not_found` if its
   * tenant has no client with its `clientId` (a foreign key decides, so a
   * key never outlives or precedes its client).
   */
  create(key: ApiKeyRecord): Promise<void>;
  /** The key with this hash, revoked or not. */
  getByHash(hash: TokenHash): Promise<ApiKeyRecord | undefined>;
  list(tenantId: TenantId): Promise<ApiKeyRecord[]>;
  /** Revokes a live key. Returns true if this call revoked it, false if it was already revoked or unknown. */
  revoke(tenantId: TenantId, id: ApiKeyId, at: EpochMs): Promise<boolean>;
  /** Records use; callers throttle how often they call it. */
  markUsed(id: ApiKeyId, at: EpochMs): Promise<void>;
}
