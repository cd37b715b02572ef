import { echoInput } from "../echo.js";
import { TesseraError } from "../errors.js";

/**
 * How a client authenticates at a token endpoint (the OAuth Dynamic Client
 * Registration names, RFC 7591 §2): its secret in `Authorization: Basic`
 * (RFC 6749 §2.3.1) or in the form body, a JWT signed with one of its
 * registered keys (RFC 7523 §2.2), or not at all (a public client, RFC 6749
 * §2.1).
 */
export const TOKEN_ENDPOINT_AUTH_METHODS = [
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
  "none",
] as const;

/** One way a client authenticates at a token endpoint. */
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/** True when `value` is an auth method Tessera knows. */
export function isTokenEndpointAuthMethod(value: string): value is TokenEndpointAuthMethod {
  return (TOKEN_ENDPOINT_AUTH_METHODS as readonly string[]).includes(value);
}

/**
 * True when a client with this method holds a secret: exactly the two
 * `client_secret_*` methods. A public client (`none`) has none to keep, and
 * a `private_key_jwt` client proves itself with its keys, so a secret would
 * only be something more to leak.
 */
export function usesSecret(method: TokenEndpointAuthMethod): boolean {
  return method === "client_secret_basic" || method === "client_secret_post";
}

/**
 * Checks an auth method name.
 *
 * @throws `invalid_request` naming the four methods.
 * @example
 * parseTokenEndpointAuthMethod("private_key_jwt"); // "private_key_jwt"
 */
export function parseTokenEndpointAuthMethod(name: string): TokenEndpointAuthMethod {
  if (!isTokenEndpointAuthMethod(name)) {
    throw new TesseraError(
      "invalid_request",
      `Unknown auth method ${echoInput(name)}; the auth methods are ${TOKEN_ENDPOINT_AUTH_METHODS.join(", ")}`,
    );
  }
  return name;
}
