import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { SessionRecord, TenantRecord, UserRecord } from "../model/index.js";
import { requireUsableSession } from "../sessions/start-session.js";
import { OPERATIONS_CLIENT_ID, verifyOperationToken } from "./operation-tokens.js";

/** A caller of the operations API: a user, and the session its token belongs to (none for Basic). */
export interface OperationsCaller {
  readonly user: UserRecord;
  readonly session?: SessionRecord;
}

/**
 * Authenticates a caller by an operation token. Beyond the JWT checks, the
 * session is read from the store, so a token of a revoked session, a
 * disabled or deleted user, or an ended parent session is refused at once,
 * whatever its `exp` says (HarperDB checks only signature and expiry).
 */
export async function authenticateOperationToken(
  ctx: CoreContext,
  input: { readonly tenant: TenantRecord; readonly token: string },
): Promise<OperationsCaller> {
  const claims = await verifyOperationToken(ctx, { ...input, kind: "operation" });
  const session = await ctx.store.sessions.get(claims.sid);
  if (
    session === undefined ||
    session.tenantId !== input.tenant.id ||
    session.clientId !== OPERATIONS_CLIENT_ID
  ) {
    throw new TesseraError("invalid_token", "Invalid token", { detail: "unknown session" });
  }
  const user = await requireUsableSession(ctx, session, ctx.clock.now());
  return { user, session };
}
