import type { TenantId } from "../ids.js";
import type { AuditEventInput, AuditEventRecord } from "../model/audit.js";

export interface AuditStore {
  /** Appends one event; its id is greater than every id appended before it returned. */
  append(event: AuditEventInput): Promise<void>;
  /**
   * Without `afterId`: the newest `limit` events. With it: the first `limit`
   * events after `afterId`, so a reader paging forward never skips one.
   * Oldest first either way.
   */
  list(
    tenantId: TenantId | undefined,
    options: { readonly afterId?: number; readonly limit: number },
  ): Promise<AuditEventRecord[]>;
}
