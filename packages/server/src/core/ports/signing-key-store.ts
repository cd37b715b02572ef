import type { KeyId, TenantId } from "../ids.js";
import type { EpochMs } from "../model/common.js";
import type { SigningKeyRecord } from "../model/signing-key.js";

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
