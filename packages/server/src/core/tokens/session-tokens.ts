import { randomUUID } from "node:crypto";
import type { JWTPayload } from "jose";
import { epochSeconds } from "../clock.js";
import type { CoreContext } from "../context.js";
import { signJwt } from "../jws.js";
import type { SessionRecord, TenantRecord, UserRecord } from "../model/index.js";
import { tenantIssuer } from "./issuer.js";

/** The `typ` header of access tokens (RFC 9068 §2.1). */
export const ACCESS_TOKEN_TYP = "at+jwt";
/**
 * The `token_use` of a delegated access token (RFC 8693 delegation): a
 * positive mark, so no check that reads `token_use: "access"` (a user's own
 * access token) or its absence (a client's) ever takes one for the other.
 */
export const DELEGATED_TOKEN_USE = "delegated";
/** The `typ` header of ID tokens and of the operations API's tokens. */
export const ID_TOKEN_TYP = "JWT";

/** The access and ID token of one session, freshly signed. */
export interface SignedSessionTokens {
  readonly accessToken: string;
  readonly idToken: string;
  /** When the access token expires (ms). */
  readonly accessTokenExpiresAt: number;
}

/**
 * Signs an access token (RFC 9068 profile, `token_use: "access"`) and an ID
 * token (`token_use: "id"`) for `session`. An impersonation session's tokens
 * carry `act: { sub }` naming the real actor (RFC 8693 §4.1).
 */
export async function signSessionTokens(
  ctx: Pick<CoreContext, "keyring" | "settings">,
  input: {
    readonly tenant: TenantRecord;
    readonly user: UserRecord;
    readonly session: SessionRecord;
    readonly now: number;
  },
): Promise<SignedSessionTokens> {
  const { tenant, user, session, now } = input;
  const key = await ctx.keyring.signingKey(tenant.id, tenant.signingAlgorithm);
  const iat = epochSeconds(now);
  const common: JWTPayload = {
    username: user.username,
    sid: session.id,
    auth_time: epochSeconds(session.authTime),
    ...(session.impersonatorUserId === null ? {} : { act: { sub: session.impersonatorUserId } }),
  };
  const registered = {
    iss: tenantIssuer(ctx, tenant.id),
    sub: user.id,
    aud: session.clientId,
    iat,
  };
  const accessExp = iat + tenant.accessTokenTtlSeconds;
  // Both signatures run on the thread pool at once.
  const [accessToken, idToken] = await Promise.all([
    signJwt(key, ACCESS_TOKEN_TYP, {
      ...common,
      token_use: "access",
      client_id: session.clientId,
      scope: "openid",
      ...registered,
      exp: accessExp,
      jti: randomUUID(),
    }),
    signJwt(key, ID_TOKEN_TYP, {
      ...common,
      token_use: "id",
      ...registered,
      exp: iat + tenant.idTokenTtlSeconds,
      jti: randomUUID(),
    }),
  ]);
  return { accessToken, idToken, accessTokenExpiresAt: accessExp * 1000 };
}
