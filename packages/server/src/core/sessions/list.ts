import type { CoreContext } from "../context.js";
import { echoInput } from "../echo.js";
import { TesseraError } from "../errors.js";
import { checkIdentifierInput } from "../identifiers.js";
import type { TenantId } from "../ids.js";
import type { SessionRecord, UserRecord } from "../model/index.js";
import { isAdmin } from "../permissions.js";

/** The most sessions one listing returns. */
export const MAX_SESSION_LIST = 1000;

/**
 * Lists sessions of a tenant, newest first. A caller that is not an admin
 * sees only its own sessions, whatever it asks for; an admin sees
 * everyone's, or one user's.
 *
 * @returns the sessions and the username of each session's user.
 */
export async function listSessions(
  ctx: Pick<CoreContext, "store" | "clock">,
  input: {
    readonly tenantId: TenantId;
    readonly caller: UserRecord;
    readonly username?: string;
    readonly includeEnded?: boolean;
    readonly limit?: number;
  },
): Promise<{ sessions: SessionRecord[]; usernames: ReadonlyMap<string, string> }> {
  const { tenantId, caller } = input;
  const limit = input.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SESSION_LIST) {
    throw new TesseraError("invalid_request", `limit must be from 1 to ${MAX_SESSION_LIST}`);
  }
  if (input.username !== undefined) {
    checkIdentifierInput(input.username, "A username");
  }
  let subject: UserRecord | undefined;
  if (!isAdmin(caller)) {
    if (input.username !== undefined && input.username !== caller.username) {
      throw new TesseraError("forbidden", "Only an admin may list another user's sessions");
    }
    subject = caller;
  } else if (input.username !== undefined) {
    subject = await ctx.store.users.getByUsername(tenantId, input.username);
    if (subject === undefined) {
      throw new TesseraError("not_found", `User ${echoInput(input.username)} does not exist`);
    }
  }
  const sessions = await ctx.store.sessions.list(tenantId, {
    ...(subject === undefined ? {} : { userId: subject.id }),
    includeEnded: input.includeEnded === true,
    now: ctx.clock.now(),
    limit,
  });
  const users = subject === undefined ? await ctx.store.users.list(tenantId) : [subject];
  return { sessions, usernames: new Map(users.map((u) => [u.id, u.username])) };
}
