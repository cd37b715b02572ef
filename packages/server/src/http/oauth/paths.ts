/**
 * Where the OAuth dialect is served. Every tenant's issuer is
 * `<public url>/tenants/<id>` (see `tenantIssuer`); its endpoints are below
 * it, and the RFC 8414 metadata sits where RFC 8414 §3.1 derives it from
 * the issuer: `/.well-known/oauth-authorization-server` inserted before the
 * issuer's path. The default tenant's endpoints (not its metadata, whose
 * unprefixed paths would derive another issuer) are also served without
 * the prefix.
 */

/** RFC 8414 §3: the well-known suffix of authorization server metadata. */
export const AS_METADATA_SUFFIX = "/.well-known/oauth-authorization-server";
/** OpenID Connect Discovery 1.0 §4: appended to the issuer. */
export const OIDC_CONFIGURATION_SUFFIX = "/.well-known/openid-configuration";
/**
 * The endpoints, below the issuer: the token endpoint (RFC 6749 §3.2),
 * introspection (RFC 7662 §2) and revocation (RFC 7009 §2).
 */
export const ENDPOINT_SUFFIXES = {
  token: "/oauth/token",
  introspection: "/oauth/introspect",
  revocation: "/oauth/revoke",
} as const;

/** One of the dialect's POST endpoints. */
export type EndpointName = keyof typeof ENDPOINT_SUFFIXES;

/** The routes of the dialect, as fastify path patterns. */
export const OAUTH_ROUTES = {
  asMetadata: `${AS_METADATA_SUFFIX}/tenants/:tenantId`,
  oidcConfiguration: `/tenants/:tenantId${OIDC_CONFIGURATION_SUFFIX}`,
} as const;

/** An endpoint's two routes: below a tenant, and unprefixed for the default tenant. */
export function endpointRoutes(name: EndpointName): { tenant: string; default: string } {
  const suffix = ENDPOINT_SUFFIXES[name];
  return { tenant: `/tenants/:tenantId${suffix}`, default: suffix };
}

/** `/tenants/<id>/oauth` and below, `/oauth` and below. */
const OAUTH_BELOW = /^(?:\/tenants\/[^/]+)?\/oauth(?:\/|$)/;
/** Both metadata documents, with or without a tenant. */
const METADATA =
  /^(?:\/\.well-known\/oauth-authorization-server(?:\/.*)?|(?:\/tenants\/[^/]+)?\/\.well-known\/openid-configuration)$/;

/**
 * True when `path` belongs to the OAuth dialect, so that an answer no route
 * gives (an unknown route below it, a request the parser refused) is worded
 * as OAuth words errors.
 */
export function isOAuthPath(path: string): boolean {
  return OAUTH_BELOW.test(path) || METADATA.test(path);
}
