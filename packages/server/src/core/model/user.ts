import type { RoleId, TenantId, UserId } from "../ids.js";
import type { EpochMs } from "./common.js";

export type UserStatus = "active" | "disabled";

export interface UserRecord {
  readonly id: UserId;
  readonly tenantId: TenantId;
  readonly username: string;
  readonly passwordHash: string;
  readonly status: UserStatus;
  /** Permissions granted to this user directly. */
  readonly permissions: readonly string[];
  readonly roleId: RoleId | null;
  /**
   * Permissions granted through the user's role, read with the user so a
   * change to the role applies to its members at once. Ignored on write.
   */
  readonly rolePermissions: readonly string[];
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}
