import type { RoleId, TenantId } from "../ids.js";
import type { EpochMs, JsonObject } from "./common.js";

/**
 * A named set of permissions users can be given (the operations API's roles).
 * `permission` is the object the operator wrote, kept verbatim for clients
 * that read it; `permissions` is what it grants in Tessera's own terms.
 */
export interface RoleRecord {
  readonly id: RoleId;
  readonly tenantId: TenantId;
  readonly name: string;
  readonly permission: JsonObject;
  readonly permissions: readonly string[];
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}
