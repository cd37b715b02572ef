import type { SessionId, TenantId, UserId } from "../ids.js";
import type { EpochMs } from "./common.js";

export type AuditDetail = Readonly<Record<string, string | number | boolean | null>>;

export interface AuditEventInput {
  readonly tenantId: TenantId;
  readonly at: EpochMs;
  readonly type: string;
  readonly actorUserId?: UserId | null;
  readonly subjectUserId?: UserId | null;
  readonly sessionId?: SessionId | null;
  readonly ip?: string | null;
  readonly detail?: AuditDetail;
}

export interface AuditEventRecord {
  readonly id: number;
  readonly tenantId: TenantId;
  readonly at: EpochMs;
  readonly type: string;
  readonly actorUserId: UserId | null;
  readonly subjectUserId: UserId | null;
  readonly sessionId: SessionId | null;
  readonly ip: string | null;
  readonly detail: AuditDetail;
}
