import type { ClientRecord } from "../model/index.js";

/** How a client authenticates at a token endpoint (RFC 7591 §2 `token_endpoint_auth_method`). */
export type ClientAuthMethod =
  | "client_secret_basic"
  | "client_secret_post"
  | "private_key_jwt"
  | "none";

/** The grant types a token endpoint may serve, by their RFC names. */
export type GrantTypeName = "client_credentials";

/**
 * The authentication methods `client` may use, derived from what it holds:
 * its secret by either transport (RFC 6749 §2.3.1) and, when it has
 * registered public keys, a signed assertion (RFC 7523 §2.2). No client is
 * public yet, so none may use `none`.
 *
 * The one place that decides it, so that it reads the client's registered
 * method as soon as the record carries one.
 */
export function allowedAuthMethods(client: ClientRecord): readonly ClientAuthMethod[] {
  return [
    ...(client.secretHash === null ? [] : (["client_secret_basic", "client_secret_post"] as const)),
    ...(client.publicKeys.length > 0 ? (["private_key_jwt"] as const) : []),
  ];
}

/**
 * True when `client` may use `grant`: every machine client may use
 * `client_credentials` today, the one grant it was registered for. As
 * {@link allowedAuthMethods}, the one place to read the record's grant types.
 */
export function mayUseGrant(client: ClientRecord, grant: GrantTypeName): boolean {
  return grant === "client_credentials" && allowedAuthMethods(client).length > 0;
}
