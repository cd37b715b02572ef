import type { TenantId } from "../ids.js";
import type { EpochMs } from "../model/common.js";
import type { RefreshPolicy, SigningAlgorithm, TenantRecord } from "../model/tenant.js";

export interface TenantPatch {
  readonly displayName?: string;
  readonly accessTokenTtlSeconds?: number;
  readonly idTokenTtlSeconds?: number;
  readonly refreshTokenTtlSeconds?: number;
  readonly refreshPolicy?: RefreshPolicy;
  readonly refreshGraceSeconds?: number;
  readonly signingAlgorithm?: SigningAlgorithm;
  readonly operationTokenTtlSeconds?: number;
  readonly oauthPasswordGrant?: boolean;
  readonly signingKeyRotationDays?: number;
}

export interface TenantStore {
  /** Inserts a tenant; `conflict` if the id is taken. */
  create(tenant: TenantRecord): Promise<void>;
  get(id: TenantId): Promise<TenantRecord | undefined>;
  list(): Promise<TenantRecord[]>;
  /**
   * Applies `patch`; returns the updated tenant, or undefined if none has
   * that id. Every update changes `updatedAt` (to `at`, or one more than its
   * old value when that is not earlier).
   *
   * Concurrency: with `ifUpdatedAt`, a compare-and-swap on `updatedAt`:
   * when the row's is no longer that value, nothing changes and it throws
   * `precondition_failed`.
   */
  update(
    id: TenantId,
    patch: TenantPatch,
    at: EpochMs,
    options?: { readonly ifUpdatedAt?: EpochMs },
  ): Promise<TenantRecord | undefined>;
}
