/**
 * Where the OAuth dialect is served. Every tenant's issuer is
 * `<public url>/tenants/<id>` (see `tenantIssuer`); its endpoints are below
 * it, and the RFC 8414 metadata sits where RFC 8414 §3.1 derives it from
 * the issuer: `/.well-known/oauth-authorization-server` inserted before the
 * issuer's path. The default tenant's are also served without the prefix.
 */

/** RFC 8414 §3: the well-known suffix of authorization server metadata. */
export const AS_METADATA_SUFFIX = "/.well-known/oauth-authorization-server";
/** OpenID Connect Discovery 1.0 §4: appended to the issuer. */
export const OIDC_CONFIGURATION_SUFFIX = "/.well-known/openid-configuration";
/** The token endpoint, below the issuer (RFC 6749 §3.2). */
export const TOKEN_ENDPOINT_SUFFIX = "/oauth/token";

/** The routes of the dialect, as fastify path patterns. */
export const OAUTH_ROUTES = {
  asMetadata: `${AS_METADATA_SUFFIX}/tenants/:tenantId`,
  defaultAsMetadata: AS_METADATA_SUFFIX,
  oidcConfiguration: `/tenants/:tenantId${OIDC_CONFIGURATION_SUFFIX}`,
  defaultOidcConfiguration: OIDC_CONFIGURATION_SUFFIX,
  token: `/tenants/:tenantId${TOKEN_ENDPOINT_SUFFIX}`,
  defaultToken: TOKEN_ENDPOINT_SUFFIX,
} as const;

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
