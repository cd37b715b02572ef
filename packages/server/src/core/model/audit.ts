import type { ClientId, SessionId, TenantId, UserId } from "../ids.js";
import type { EpochMs } from "./common.js";

export type AuditDetail = Readonly<Record<string, string | number | boolean | null>>;

export interface AuditEventInput {
  readonly tenantId: TenantId;
  readonly at: EpochMs;
  readonly type: string;
  /** The user who did it: an operator, or the caller acting on someone. */
  readonly actorUserId?: UserId | null;
  /** The client who did it: one whose token carries an admin scope, or that revoked a token. */
  readonly actorClientId?: ClientId | null;
  readonly subjectUserId?: UserId | null;
  /** The client the event is about: the session's, the token's, or the one changed. */
  readonly clientId?: ClientId | null;
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
  readonly actorClientId: ClientId | null;
  readonly subjectUserId: UserId | null;
  readonly clientId: ClientId | null;
  readonly sessionId: SessionId | null;
  readonly ip: string | null;
  readonly detail: AuditDetail;
}
