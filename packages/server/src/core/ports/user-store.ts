import type { RoleId, TenantId, UserId } from "../ids.js";
import type { EpochMs } from "../model/common.js";
import type { UserRecord, UserStatus } from "../model/user.js";

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
