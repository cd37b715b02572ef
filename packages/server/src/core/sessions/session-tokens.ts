import type { ClientId } from "../ids.js";
import type { SessionRecord, TenantRecord, UserRecord } from "../model/index.js";

/** What a new, refreshed or impersonation session hands its client. */
export interface SessionTokens {
  readonly tenant: TenantRecord;
  readonly clientId: ClientId;
  readonly user: UserRecord;
  readonly session: SessionRecord;
  readonly accessToken: string;
  readonly idToken: string;
  readonly refreshToken: string;
  /** When the access token expires (ms since the epoch). */
  readonly accessTokenExpiresAt: number;
}

/** Whether a session can still be used at `now`. */
export type SessionState = "live" | "revoked" | "expired";

/** The state of a session at `now`. */
export function sessionState(session: SessionRecord, now: number): SessionState {
  if (session.revokedAt !== null) {
    return "revoked";
  }
  return session.expiresAt <= now ? "expired" : "live";
}
