import type { RoleId, TenantId, UserId } from "../ids.js";
import type { EpochMs } from "../model/common.js";
import type { UserRecord, UserStatus } from "../model/user.js";

export interface UserPatch {
  readonly passwordHash?: string;
  readonly status?: UserStatus;
  readonly permissions?: readonly string[];
  readonly roleId?: RoleId | null;
}

/** Which page of users {@link UserStore.page} returns. */
export interface UserPageOptions {
  readonly search?: string;
  readonly after?: string;
  readonly limit: number;
}

export interface UserStore {
  /** Inserts a user; `conflict` if the tenant already has that username; `not_found` if its role is not one of the tenant's. */
  create(user: UserRecord): Promise<void>;
  getById(tenantId: TenantId, id: UserId): Promise<UserRecord | undefined>;
  /** Exact, case-sensitive match. */
  getByUsername(tenantId: TenantId, username: string): Promise<UserRecord | undefined>;
  /** Users ordered by username. */
  list(tenantId: TenantId): Promise<UserRecord[]>;
  /**
   * One page of a tenant's users ordered by username: those after `after`
   * (a username), at most `limit`, and with `search` only those whose
   * username contains it, ignoring ASCII case (`%` and `_` match
   * themselves).
   */
  page(tenantId: TenantId, options: UserPageOptions): Promise<UserRecord[]>;
  /**
   * Applies `patch` and sets `updatedAt` to `at`, or to one more than its
   * old value when that is not earlier, so every update changes it.
   * `not_found` if `patch.roleId` names no role of the tenant.
   *
   * Concurrency: with `ifUpdatedAt`, a compare-and-swap on `updatedAt`:
   * when the row's `updatedAt` is no longer that value (another update got
   * there first), nothing changes and it throws `precondition_failed`.
   */
  update(
    tenantId: TenantId,
    id: UserId,
    patch: UserPatch,
    at: EpochMs,
    options?: { readonly ifUpdatedAt?: EpochMs },
  ): Promise<UserRecord | undefined>;
  /**
   * Deletes a user with its sessions and their refresh tokens, in one
   * transaction. Tokens of those sessions then fail as unknown. Returns false
   * if no such user exists.
   */
  delete(tenantId: TenantId, id: UserId): Promise<boolean>;
}
