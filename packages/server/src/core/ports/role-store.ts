import type { RoleId, TenantId } from "../ids.js";
import type { EpochMs, JsonObject } from "../model/common.js";
import type { RoleRecord } from "../model/role.js";

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
  /**
   * Applies `patch`; `conflict` if the new name is taken. Undefined if no
   * such role. Every update changes `updatedAt` (to `at`, or one more than
   * its old value when that is not earlier).
   *
   * Concurrency: with `ifUpdatedAt`, a compare-and-swap on `updatedAt`:
   * when the row's is no longer that value, nothing changes and it throws
   * `precondition_failed`.
   */
  update(
    tenantId: TenantId,
    id: RoleId,
    patch: RolePatch,
    at: EpochMs,
    options?: { readonly ifUpdatedAt?: EpochMs },
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
