import {
  type CryptoKey,
  createRemoteJWKSet,
  customFetch,
  errors,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type RemoteJWKSet,
} from "jose";
import { AccessTokenError } from "./access-token-error.js";
import { fetchOf } from "./discovery.js";
import type { FetchLike } from "./options.js";

/** How a JWKS is fetched and kept; part of what tells two cached sets apart. */
export interface KeySetSettings {
  readonly fetch: FetchLike | undefined;
  readonly cacheMaxAgeMs: number;
  readonly cooldownMs: number;
  readonly timeoutMs: number;
}

/** A key resolver for `jwtVerify`. */
export type KeyResolver = (
  header: JWSHeaderParameters,
  token: FlattenedJWSInput,
) => Promise<CryptoKey>;

/**
 * One `createRemoteJWKSet` per `fetch`, JWKS URL and settings, for the whole
 * process: every verifier and every request of a resource server share the
 * fetched keys instead of fetching them per request or per verifier.
 */
const keySets = new WeakMap<FetchLike, Map<string, RemoteJWKSet>>();

/**
 * The resolver of the key a token names, from the JWKS at `url`, through
 * `jose`: fetched when first needed and again after `cacheMaxAgeMs`; a `kid`
 * it does not hold fetches the set again unless the last fetch is younger
 * than `cooldownMs`.
 *
 * Failures are sorted so a resource server can answer them right: a token
 * whose `kid` matches no key (or more than one) is the token's fault and
 * propagates as `jose` reports it; any failure to fetch or read the set
 * (network, timeout, a status other than 200, a body that is no JWKS)
 * becomes {@link AccessTokenError} `jwks_unavailable`.
 */
export function keyResolver(url: URL, settings: KeySetSettings): KeyResolver {
  const fetchImpl = fetchOf(settings.fetch);
  let sets = keySets.get(fetchImpl);
  if (sets === undefined) {
    sets = new Map();
    keySets.set(fetchImpl, sets);
  }
  const cacheKey = [url.href, settings.cacheMaxAgeMs, settings.cooldownMs, settings.timeoutMs].join(
    " ",
  );
  let set = sets.get(cacheKey);
  if (set === undefined) {
    set = createRemoteJWKSet(url, {
      cacheMaxAge: settings.cacheMaxAgeMs,
      cooldownDuration: settings.cooldownMs,
      timeoutDuration: settings.timeoutMs,
      [customFetch]: fetchImpl,
    });
    sets.set(cacheKey, set);
  }
  const resolve = set;
  return async (header, token) => {
    try {
      return await resolve(header, token);
    } catch (error) {
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSENotSupported
      ) {
        throw error;
      }
      throw new AccessTokenError("jwks_unavailable", {
        detail: `the JWKS at ${url.href} could not be fetched or read`,
        cause: error,
      });
    }
  };
}
