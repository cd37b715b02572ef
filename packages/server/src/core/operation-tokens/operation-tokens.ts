import { randomBytes, randomUUID } from "node:crypto";
import { epochSeconds } from "../clock.js";
import type { CoreContext } from "../context.js";
import type { ClientId } from "../ids.js";
import { signJwt } from "../jws.js";
import type { SessionRecord, TenantRecord, UserRecord } from "../model/index.js";
import { isAdmin } from "../permissions.js";
import { OPERATIONS_SIGNING_ALGORITHM } from "../tenants.js";
import { tenantIssuer } from "../tokens/issuer.js";

/**
 * The client id of every operations API session and the `aud` of its tokens.
 * The colon keeps it out of the API key client id alphabet, so no API key
 * can ever name it.
 */
export const OPERATIONS_CLIENT_ID = "tessera:operations" as ClientId;

/** HarperDB's two kinds, told apart by `sub` (spec 002). */
export type OperationTokenKind = "operation" | "refresh";

const TYP = "JWT";

/** A signed operation or refresh token. */
export interface SignedOperationToken {
  readonly token: string;
  readonly jti: string;
  /** Expiry, ms since the epoch. */
  readonly expiresAt: number;
}

/**
 * Signs an operation or refresh token with the tenant's RS256 key, in
 * HarperDB's shape: `username`, `super_user`, `iat`, `exp`, `sub:
 * "operation" | "refresh"`, plus `jti` and `sid` so it can be revoked, and
 * `iss`/`aud` so it is never mistaken for another dialect's token.
 *
 * A refresh token's `jti` is 256 random bits: its hash is the stored handle
 * of the session's refresh token.
 */
export async function signOperationToken(
  ctx: Pick<CoreContext, "keyring" | "settings">,
  input: {
    readonly tenant: TenantRecord;
    readonly user: UserRecord;
    readonly session: SessionRecord;
    readonly kind: OperationTokenKind;
    readonly now: number;
    readonly expiresAt: number;
  },
): Promise<SignedOperationToken> {
  const { tenant, user, session, kind } = input;
  const key = await ctx.keyring.signingKey(tenant.id, OPERATIONS_SIGNING_ALGORITHM);
  const jti = kind === "refresh" ? randomBytes(32).toString("base64url") : randomUUID();
  const exp = epochSeconds(input.expiresAt);
  const token = await signJwt(key, TYP, {
    username: user.username,
    super_user: isAdmin(user),
    sid: session.id,
    iss: tenantIssuer(ctx, tenant.id),
    aud: OPERATIONS_CLIENT_ID,
    sub: kind,
    iat: epochSeconds(input.now),
    exp,
    jti,
  });
  return { token, jti, expiresAt: exp * 1000 };
}
