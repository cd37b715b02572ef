import type { ApiKeyId, ClientId, TenantId, TokenHash } from "../ids.js";
import type { EpochMs } from "./common.js";

/**
 * An `X-API-Key` credential (spec 000/001). It belongs to a client of its
 * tenant (`clientId`), whose status and grant types decide what it opens.
 */
export interface ApiKeyRecord {
  readonly id: ApiKeyId;
  readonly tenantId: TenantId;
  readonly clientId: ClientId;
  readonly name: string;
  readonly keyHash: TokenHash;
  /** The first characters of the key, enough for an operator to recognise it. */
  readonly keyPrefix: string;
  readonly createdAt: EpochMs;
  readonly lastUsedAt: EpochMs | null;
  readonly revokedAt: EpochMs | null;
}
