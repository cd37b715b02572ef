import { publicClientMayUse } from "../../core/clients/coherence.js";
import { type GrantType, PASSWORD } from "../../core/clients/grant-types.js";
import type { ClientAuthMethod } from "../../core/clients/token-endpoint-rules.js";
import type { TenantRecord } from "../../core/model/index.js";
import type { EndpointName } from "./paths.js";

/**
 * The grant types the token endpoint serves now, by their RFC names
 * (`password` only for the tenants that turned it on: {@link servedGrantTypes}).
 */
export const SERVED_GRANT_TYPES = [
  "client_credentials",
  "refresh_token",
  "urn:ietf:params:oauth:grant-type:token-exchange",
  "urn:ietf:params:oauth:grant-type:jwt-bearer",
  "password",
] as const satisfies readonly GrantType[];

/** A grant type the token endpoint serves. */
export type ServedGrantType = (typeof SERVED_GRANT_TYPES)[number];

const CONFIDENTIAL: readonly ClientAuthMethod[] = [
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
];

/**
 * The client authentication methods each endpoint takes. A public client
 * (`none`) may refresh its tokens (RFC 6749 §6) and revoke them (RFC 7009
 * §2.1); it may not introspect (RFC 7662 §2.1 asks for an authorized
 * caller).
 */
export const SERVED_AUTH_METHODS: Readonly<Record<EndpointName, readonly ClientAuthMethod[]>> = {
  token: [...CONFIDENTIAL, "none"],
  introspection: CONFIDENTIAL,
  revocation: [...CONFIDENTIAL, "none"],
};

/**
 * The client authentication methods the token endpoint takes for `grant`:
 * `none` only for a grant a public client may be registered for
 * ({@link publicClientMayUse}), whatever a client was registered with
 * before a grant was refused to public clients, and never for `password`.
 * A `client_id` alone proves nothing: it is in every access token the
 * client was issued. The clients API keys belong to are public and hold
 * `password` for the session API's login, which proves them by API key;
 * at this endpoint, by their id alone, revoking every key of the client
 * would not stop its password logins.
 */
export function tokenAuthMethodsFor(grant: GrantType): readonly ClientAuthMethod[] {
  return publicClientMayUse(grant) && grant !== PASSWORD ? SERVED_AUTH_METHODS.token : CONFIDENTIAL;
}

/**
 * The grant types the token endpoint serves for `tenant`: every one but
 * `password`, which is off unless the tenant turned it on (`tessera tenant
 * update --oauth-password-grant on`).
 */
export function servedGrantTypes(tenant: TenantRecord): readonly ServedGrantType[] {
  return SERVED_GRANT_TYPES.filter((grant) => grant !== PASSWORD || tenant.oauthPasswordGrant);
}

/** True when `value` names a grant type the token endpoint serves for `tenant`. */
export function isServedGrantType(value: string, tenant: TenantRecord): value is ServedGrantType {
  return (servedGrantTypes(tenant) as readonly string[]).includes(value);
}
