import { echoInput } from "../echo.js";
import { TesseraError } from "../errors.js";

/**
 * The grant types a client may be allowed, by their registered names
 * (RFC 6749 §4.3 and §4.4, §6; RFC 8693 §2.1; RFC 7523 §2.1).
 */
export const GRANT_TYPES = [
  "password",
  "refresh_token",
  "client_credentials",
  "urn:ietf:params:oauth:grant-type:token-exchange",
  "urn:ietf:params:oauth:grant-type:jwt-bearer",
] as const;

/** One grant type a client may be allowed. */
export type GrantType = (typeof GRANT_TYPES)[number];

/** RFC 6749 §4.3: a user's password, as the session API's login and the OAuth password grant take. */
export const PASSWORD: GrantType = "password";
/** RFC 6749 §6: a refresh token for new tokens of its session. */
export const REFRESH_TOKEN: GrantType = "refresh_token";
/** RFC 6749 §4.4: the client's own credentials, for tokens of its own. */
export const CLIENT_CREDENTIALS: GrantType = "client_credentials";
/** RFC 8693 §2.1: one token exchanged for another (impersonation, delegation). */
export const TOKEN_EXCHANGE: GrantType = "urn:ietf:params:oauth:grant-type:token-exchange";
/** RFC 7523 §2.1: a JWT signed with one of the client's registered keys as the grant. */
export const JWT_BEARER: GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/**
 * What a client created for API keys gets: the session API's login and its
 * refresh (spec 001).
 */
export const API_KEY_CLIENT_GRANTS: readonly GrantType[] = [PASSWORD, REFRESH_TOKEN];

/**
 * What a client of the token API gets unless told otherwise: its step-ups
 * by secret or TOTP code (`client_credentials`) and by signed assertion
 * (`jwt-bearer`), as spec 004 has them.
 */
export const TOKEN_API_CLIENT_GRANTS: readonly GrantType[] = [CLIENT_CREDENTIALS, JWT_BEARER];

/** True when `value` is a grant type Tessera knows. */
export function isGrantType(value: string): value is GrantType {
  return (GRANT_TYPES as readonly string[]).includes(value);
}

/**
 * Checks a list of grant type names and returns them without duplicates, in
 * {@link GRANT_TYPES}' order (so two equal sets read the same). A client
 * needs at least one.
 *
 * @throws `invalid_request` naming the first unknown name.
 * @example
 * parseGrantTypes(["refresh_token", "password"]); // ["password", "refresh_token"]
 */
export function parseGrantTypes(names: readonly string[]): GrantType[] {
  const unknown = names.find((name) => !isGrantType(name));
  if (unknown !== undefined) {
    throw new TesseraError(
      "invalid_request",
      `Unknown grant type ${echoInput(unknown)}; the grant types are ${GRANT_TYPES.join(", ")}`,
    );
  }
  if (names.length === 0) {
    throw new TesseraError("invalid_request", "A client needs at least one grant type");
  }
  return GRANT_TYPES.filter((grant) => names.includes(grant));
}
