import type { ClientAuthMethod, GrantTypeName } from "../../core/clients/token-endpoint-rules.js";

/** The grant types the token endpoint serves now, by their RFC names. */
export const SERVED_GRANT_TYPES: readonly GrantTypeName[] = ["client_credentials"];

/**
 * The client authentication methods the token endpoint takes now. `none`
 * joins when a grant a public client may use is served.
 */
export const SERVED_AUTH_METHODS: readonly ClientAuthMethod[] = [
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
];

/** True when `value` names a grant type the token endpoint serves. */
export function isServedGrantType(value: string): value is GrantTypeName {
  return (SERVED_GRANT_TYPES as readonly string[]).includes(value);
}
