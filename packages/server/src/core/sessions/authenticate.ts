import type { AuthenticatedClient } from "../api-keys.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { SessionId } from "../ids.js";
import type { SessionRecord, UserRecord } from "../model/index.js";
import { type VerifiedSessionToken, verifySessionToken } from "../tokens/session-tokens.js";
import { requireUsableSession } from "./start-session.js";

/** A caller proven by a live session's tokens. */
export interface AuthenticatedSession {
  readonly session: SessionRecord;
  readonly user: UserRecord;
  readonly access: VerifiedSessionToken;
}

/**
 * Authenticates a caller by its access token (and, when given, its ID token,
 * which must belong to the same session and user). Beyond the JWT checks, the
 * session is read from the store so a revoked session is refused at once,
 * whatever the token's `exp` says.
 */
export async function authenticateSession(
  ctx: CoreContext,
  input: {
    readonly client: AuthenticatedClient;
    readonly accessToken: string;
    readonly idToken?: string;
  },
): Promise<AuthenticatedSession> {
  const { client } = input;
  const base = { tenantId: client.tenant.id, clientId: client.clientId };
  const access = await verifySessionToken(ctx, {
    ...base,
    token: input.accessToken,
    kind: "access",
  });
  if (input.idToken !== undefined) {
    const id = await verifySessionToken(ctx, { ...base, token: input.idToken, kind: "id" });
    if (id.sid !== access.sid || id.sub !== access.sub) {
      throw new TesseraError(
        "invalid_token",
        "The ID token and access token are not of one session",
      );
    }
  }
  const now = ctx.clock.now();
  const session = await ctx.store.sessions.get(access.sid as SessionId);
  if (
    session === undefined ||
    session.tenantId !== client.tenant.id ||
    session.userId !== access.sub
  ) {
    throw new TesseraError("invalid_token", "Invalid token");
  }
  const user = await requireUsableSession(ctx, session, now);
  return { session, user, access };
}
