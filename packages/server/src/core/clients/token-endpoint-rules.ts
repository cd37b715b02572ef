import type { ClientRecord } from "../model/index.js";
import { type TokenEndpointAuthMethod, usesSecret } from "./auth-methods.js";
import type { GrantType } from "./grant-types.js";

/** How a client authenticates at a token endpoint (RFC 7591 §2 `token_endpoint_auth_method`). */
export type ClientAuthMethod = TokenEndpointAuthMethod;

/**
 * The authentication methods `client` may use: the one it is registered
 * with, where the two transports of a secret count as one (Basic or the
 * form body, RFC 6749 §2.3.1: the same secret either way, and client
 * libraries pick one by default, openid-client the body, oauth4webapi
 * Basic). A `private_key_jwt` client proves itself only by assertion, and
 * only a public client (`none`) by its id alone.
 */
export function allowedAuthMethods(client: ClientRecord): readonly ClientAuthMethod[] {
  return usesSecret(client.tokenEndpointAuthMethod)
    ? ["client_secret_basic", "client_secret_post"]
    : [client.tokenEndpointAuthMethod];
}

/** True when `client` was registered with `grant`. */
export function mayUseGrant(client: ClientRecord, grant: GrantType): boolean {
  return client.grantTypes.includes(grant);
}
