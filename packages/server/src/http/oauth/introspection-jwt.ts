import { epochSeconds } from "../../core/clock.js";
import type { CoreContext } from "../../core/context.js";
import { signJwt } from "../../core/jws.js";
import type { OAuthTenant } from "./tenant.js";

/**
 * RFC 9701 §4: the media type a client asks for (`Accept`) to get the
 * introspection answer as a signed JWT, and the answer's content type.
 */
export const INTROSPECTION_JWT_TYPE = "application/token-introspection+jwt";
/** RFC 9701 §5: the JWT's `typ` header, so it is never taken for another kind of JWT. */
export const INTROSPECTION_JWT_TYP = "token-introspection+jwt";

/**
 * True when an `Accept` header names {@link INTROSPECTION_JWT_TYPE}
 * (case-insensitively, RFC 9110 §8.3.1) with a weight above zero. Anything
 * else, an absent or malformed header included, gets the plain RFC 7662
 * JSON answer.
 */
export function acceptsIntrospectionJwt(accept: string | undefined): boolean {
  if (accept === undefined) {
    return false;
  }
  return accept.split(",").some((range) => {
    const [type, ...parameters] = range.split(";").map((part) => part.trim().toLowerCase());
    if (type !== INTROSPECTION_JWT_TYPE) {
      return false;
    }
    const weight = parameters.find((parameter) => parameter.startsWith("q="));
    return weight === undefined || Number(weight.slice(2)) > 0;
  });
}

/**
 * An RFC 7662 answer as RFC 9701 §5 signs it: `iss` the tenant's issuer,
 * `aud` the client that asked, `iat` now and the answer itself as
 * `token_introspection`, signed with the tenant's current key (the one its
 * JWKS lists) under `typ: token-introspection+jwt`. It carries no `sub` and
 * no `exp` of its own, so it can never pass for an access token.
 */
export async function signIntrospectionAnswer(
  ctx: Pick<CoreContext, "keyring" | "clock">,
  served: OAuthTenant,
  clientId: string,
  answer: Readonly<Record<string, unknown>>,
): Promise<string> {
  const { tenant, issuer } = served;
  const key = await ctx.keyring.signingKey(tenant.id, tenant.signingAlgorithm);
  return signJwt(key, INTROSPECTION_JWT_TYP, {
    iss: issuer,
    aud: clientId,
    iat: epochSeconds(ctx.clock.now()),
    token_introspection: answer,
  });
}
