import type { SessionRecord, UserRecord } from "../model/index.js";

/**
 * A caller of the operations API: a user, and the session its operation
 * token belongs to (none for Basic). Its token is verified by the token
 * registry (`requireToken` with `operation_token`), which reads the session,
 * so a token of a revoked session, a disabled or deleted user, or an ended
 * parent session is refused at once, whatever its `exp` says (HarperDB
 * checks only signature and expiry).
 */
export interface OperationsCaller {
  readonly user: UserRecord;
  readonly session?: SessionRecord;
}
