import type { CoreContext } from "../context.js";
import type { TenantId } from "../ids.js";
import { fail, failed } from "./kinds/kind.js";
import { checkSessionJwt, judgeSessionJwt } from "./kinds/session-jwt.js";
import type { TokenFailure, VerifiedSessionToken } from "./types.js";

/**
 * Verifies the session API's token pair (spec 003: the caller's ID token and
 * access token, sent together) and answers the caller its access token
 * proves. Both tokens are checked as tokens first (signature, algorithm,
 * claims, `aud` the expected client, `exp`), then that they are of one
 * session and user (`mismatched` otherwise), and only then is that session
 * judged: so a forged or foreign token is refused as such, whatever state
 * the other token's session is in, and a session's end is only ever told
 * to the holder of both its tokens.
 *
 * @example
 * const caller = await verifySessionPair(ctx, { accessToken, idToken }, {
 *   tenantId: client.tenant.id,
 *   audience: client.clientId,
 * });
 * if (!caller.valid) throw tokenError(caller);
 */
export async function verifySessionPair(
  ctx: CoreContext,
  tokens: { readonly accessToken: string; readonly idToken: string },
  expected: { readonly tenantId: TenantId; readonly audience: string },
): Promise<VerifiedSessionToken | TokenFailure> {
  const access = await checkSessionJwt(
    ctx,
    "access_token",
    tokens.accessToken,
    expected,
    undefined,
  );
  if (failed(access)) {
    return access;
  }
  const id = await checkSessionJwt(ctx, "id_token", tokens.idToken, expected, undefined);
  if (failed(id)) {
    return id;
  }
  if (id.payload.sid !== access.payload.sid || id.payload.sub !== access.payload.sub) {
    return fail("mismatched", "the ID token and access token are not of one session");
  }
  return judgeSessionJwt(ctx, access);
}
