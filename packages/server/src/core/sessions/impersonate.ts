import { recordAudit } from "../audit.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import { checkIdentifierInput } from "../identifiers.js";
import { hasPermission, IMPERSONATE, outranks } from "../permissions.js";
import type { VerifiedSessionToken } from "../tokens/types.js";
import type { SessionTokens } from "./session-tokens.js";
import { type SessionClient, startSession } from "./start-session.js";

/**
 * Starts a session as another user: the one rule both dialects translate
 * onto, the session API's `POST /auth/impersonate` (spec 003) and OAuth's
 * token exchange with `requested_subject` (RFC 8693, Keycloak's convention).
 *
 * The caller proves a live session with its access token, verified by the
 * token registry (`requireToken`, or `verifySessionPair` when its ID token
 * comes with it) for the client the new session is for, and must hold
 * `impersonate`. The new session:
 * - carries `act: { sub: <caller> }` in its tokens (RFC 8693 §4.1);
 * - is a child of the caller's session: it ends when that one ends, and
 *   never outlives it;
 * - cannot itself impersonate.
 *
 * Refused with `forbidden` when the caller may not impersonate, targets
 * itself, or targets a user holding a privilege it lacks; with
 * `unprocessable` when the target does not exist or is disabled (one answer
 * for both).
 */
export async function impersonateUser(
  ctx: CoreContext,
  input: {
    /** The tenant and client the new session is for (the caller's token's own). */
    readonly client: SessionClient;
    /** The caller's access token, verified for this client's tenant and audience. */
    readonly caller: VerifiedSessionToken;
    readonly username: string;
    readonly ip: string;
    /** The grant the dialect served it as, for the audit trail (the session API's has none). */
    readonly grant?: string;
  },
): Promise<SessionTokens> {
  const { client, caller } = input;
  if (caller.session.impersonatorUserId !== null || caller.act !== undefined) {
    throw new TesseraError("forbidden", "An impersonation session cannot impersonate");
  }
  if (!hasPermission(caller.user, IMPERSONATE)) {
    throw new TesseraError("forbidden", "You are not allowed to impersonate users");
  }
  checkIdentifierInput(input.username, "A username");
  const target = await ctx.store.users.getByUsername(client.tenant.id, input.username);
  if (target === undefined || target.status !== "active") {
    throw new TesseraError("unprocessable", "The user cannot be impersonated", {
      detail: target === undefined ? "unknown user" : "disabled user",
    });
  }
  if (target.id === caller.user.id) {
    throw new TesseraError("forbidden", "You cannot impersonate yourself");
  }
  if (outranks(target, caller.user)) {
    throw new TesseraError(
      "forbidden",
      "You cannot impersonate a user with more privileges than yours",
    );
  }

  const now = ctx.clock.now();
  const tokens = await startSession(ctx, {
    client,
    user: target,
    now,
    // An impersonation session never outlives the session it was born of.
    expiresAt: Math.min(
      caller.session.expiresAt,
      now + client.tenant.refreshTokenTtlSeconds * 1000,
    ),
    impersonatorUserId: caller.user.id,
    parentSessionId: caller.session.id,
  });
  await recordAudit(ctx, {
    tenantId: client.tenant.id,
    at: now,
    type: "impersonation.started",
    actorUserId: caller.user.id,
    subjectUserId: target.id,
    clientId: client.clientId,
    sessionId: tokens.session.id,
    ip: input.ip,
    detail: {
      actorUsername: caller.user.username,
      subjectUsername: target.username,
      parentSessionId: caller.session.id,
      clientId: client.clientId,
      ...(input.grant === undefined ? {} : { grant: input.grant }),
    },
  });
  return tokens;
}
