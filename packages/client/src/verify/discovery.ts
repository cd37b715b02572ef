import { AccessTokenError } from "./access-token-error.js";
import type { FetchLike } from "./options.js";

/** What discovery keeps of an issuer's metadata (RFC 8414 §2). */
interface Discovered {
  readonly jwksUri: URL;
  readonly fetchedAt: number;
}

/**
 * How long a discovered `jwks_uri` is used before the metadata is read
 * again. Tessera's never changes for a tenant; an hour lets a moved
 * deployment be followed without a restart. A failed refresh keeps the
 * last good answer.
 */
const DISCOVERY_MAX_AGE_MS = 3_600_000;

/** A stand-in key for the global `fetch`, read at each call so a later polyfill is used. */
const globalFetch: FetchLike = (url, init) => fetch(url, init);

/** Discovered metadata per `fetch` and issuer, shared by every verifier of this process. */
const discovered = new WeakMap<FetchLike, Map<string, Discovered>>();
/** Discoveries under way, so a burst of requests at start costs one fetch. */
const pending = new WeakMap<FetchLike, Map<string, Promise<Discovered>>>();

/** The `fetch` to use: the caller's, or the global one. */
export function fetchOf(custom: FetchLike | undefined): FetchLike {
  return custom ?? globalFetch;
}

/**
 * The issuer's `jwks_uri`, from its metadata: first OpenID Connect
 * Discovery's `<issuer>/.well-known/openid-configuration` (OIDC Discovery
 * §4), then, if that is not found, RFC 8414 §3.1's
 * `<origin>/.well-known/oauth-authorization-server<issuer path>`. Tessera
 * serves both for each tenant. The metadata's `issuer` must equal the
 * configured one exactly (RFC 8414 §3.3), so a wrong public URL or a
 * redirected request is caught here, not token by token.
 *
 * Cached per issuer for an hour across calls; concurrent calls share one
 * fetch. Throws {@link AccessTokenError} `discovery_failed`.
 */
export async function discoverJwksUri(
  issuer: string,
  options: { readonly fetch: FetchLike | undefined; readonly timeoutMs: number },
): Promise<URL> {
  const fetchImpl = fetchOf(options.fetch);
  const cache = mapFor(discovered, fetchImpl);
  const cached = cache.get(issuer);
  if (cached !== undefined && Date.now() - cached.fetchedAt < DISCOVERY_MAX_AGE_MS) {
    return cached.jwksUri;
  }
  const inFlight = mapFor(pending, fetchImpl);
  let running = inFlight.get(issuer);
  if (running === undefined) {
    running = readMetadata(issuer, fetchImpl, options.timeoutMs).finally(() => {
      inFlight.delete(issuer);
    });
    inFlight.set(issuer, running);
  }
  try {
    const fresh = await running;
    cache.set(issuer, fresh);
    return fresh.jwksUri;
  } catch (error) {
    if (cached !== undefined) {
      // The jwks_uri of a known issuer outlives an outage of its metadata.
      return cached.jwksUri;
    }
    throw error;
  }
}

function mapFor<V>(maps: WeakMap<FetchLike, Map<string, V>>, key: FetchLike): Map<string, V> {
  let map = maps.get(key);
  if (map === undefined) {
    map = new Map();
    maps.set(key, map);
  }
  return map;
}

/** The two metadata URLs of an issuer, in the order they are tried. */
export function metadataUrls(issuer: string): readonly string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, "");
  return [
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
  ];
}

async function readMetadata(
  issuer: string,
  fetchImpl: FetchLike,
  timeoutMs: number,
): Promise<Discovered> {
  let lastStatus: number | undefined;
  for (const url of metadataUrls(issuer)) {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: "GET",
        redirect: "manual",
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new AccessTokenError("discovery_failed", {
        detail: `fetching ${url} failed`,
        cause,
      });
    }
    if (response.status === 404) {
      lastStatus = 404;
      await response.body?.cancel();
      continue;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new AccessTokenError("discovery_failed", {
        detail: `${url} answered ${response.status}`,
      });
    }
    return { jwksUri: await jwksUriOf(response, url, issuer), fetchedAt: Date.now() };
  }
  throw new AccessTokenError("discovery_failed", {
    detail: `no metadata for the issuer (${lastStatus ?? "no answer"})`,
  });
}

async function jwksUriOf(response: Response, url: string, issuer: string): Promise<URL> {
  let metadata: unknown;
  try {
    metadata = await response.json();
  } catch (cause) {
    throw new AccessTokenError("discovery_failed", { detail: `${url} is not JSON`, cause });
  }
  if (typeof metadata !== "object" || metadata === null) {
    throw new AccessTokenError("discovery_failed", { detail: `${url} is not a JSON object` });
  }
  const { issuer: named, jwks_uri: jwksUri } = metadata as Record<string, unknown>;
  if (named !== issuer) {
    throw new AccessTokenError("discovery_failed", {
      detail: `the metadata names another issuer: ${typeof named === "string" ? named : "none"}`,
    });
  }
  if (typeof jwksUri !== "string") {
    throw new AccessTokenError("discovery_failed", { detail: "the metadata has no jwks_uri" });
  }
  let parsed: URL;
  try {
    parsed = new URL(jwksUri);
  } catch (cause) {
    throw new AccessTokenError("discovery_failed", { detail: "jwks_uri is not a URL", cause });
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new AccessTokenError("discovery_failed", { detail: "jwks_uri is not an http(s) URL" });
  }
  return parsed;
}
