import type { Configuration } from "./configuration.js";
import type { Security, SecurityScheme } from "./operation-spec.js";

const API_KEY_SCHEMES: readonly SecurityScheme[] = ["ClientKey", "ApiKeyAuth"];
/** `IdTokenAuth` is not here: the call supplies that token itself. */
const BEARER_SCHEMES: readonly SecurityScheme[] = [
  "LongTokenAuth",
  "ShortTokenAuth",
  "OperationToken",
];
const BASIC_SCHEMES: readonly SecurityScheme[] = [
  "BasicAuth",
  "OperationsBasic",
  "ClientSecretBasic",
];

/**
 * Base64 of a string's UTF-8 bytes, with the platform's `btoa` (no
 * `Buffer`: the SDK runs in browsers and edge runtimes too).
 *
 * @example
 * base64("alice:secret"); // "YWxpY2U6c2VjcmV0"
 */
export function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary);
}

/** `application/x-www-form-urlencoded` encoding of one value (RFC 6749 Appendix B). */
function formEncode(value: string): string {
  return encodeURIComponent(value).replaceAll("%20", "+");
}

/**
 * The `Authorization: Basic` value of a pair. A client's id and secret are
 * form-encoded first (RFC 6749 §2.3.1); a user's are sent as they are, as
 * HTTP Basic (RFC 7617) and the session and operations APIs read them.
 *
 * @example
 * basicAuthorization("ci", "s3cret", "ClientSecretBasic"); // "Basic Y2k6czNjcmV0"
 */
export function basicAuthorization(
  username: string,
  password: string,
  scheme: SecurityScheme,
): string {
  const pair =
    scheme === "ClientSecretBasic"
      ? `${formEncode(username)}:${formEncode(password)}`
      : `${username}:${password}`;
  return `Basic ${base64(pair)}`;
}

/**
 * The credential headers of a call: `X-API-Key` when a scheme asks for an
 * API key (`ClientKey`, `ApiKeyAuth`) and the configuration has one; one
 * `Authorization`: the Bearer token when a scheme takes one and it is
 * configured (asked for with the first such scheme's name), else Basic
 * credentials when a scheme takes them. An empty credential sends nothing;
 * `IdTokenAuth` is left to the call.
 *
 * @example
 * const headers = await credentialHeaders(configuration, [["ClientKey"], ["ClientKey", "ShortTokenAuth"]]);
 * // { "X-API-Key": "tsr_ak_…", Authorization: "Bearer …" } when both are configured
 */
export async function credentialHeaders(
  configuration: Configuration | undefined,
  security: Security,
): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  if (configuration === undefined) {
    return headers;
  }
  const schemes = [...new Set(security.flat())];
  if (
    schemes.some((scheme) => API_KEY_SCHEMES.includes(scheme)) &&
    configuration.apiKey !== undefined
  ) {
    const source = configuration.apiKey;
    const key = typeof source === "function" ? await source("X-API-Key") : await source;
    if (key !== "") {
      headers["X-API-Key"] = key;
    }
  }
  // A Bearer token wins over Basic credentials: one who set both logged in, then kept the token.
  const bearer = schemes.find((scheme) => BEARER_SCHEMES.includes(scheme));
  if (bearer !== undefined && configuration.accessToken !== undefined) {
    const source = configuration.accessToken;
    const token = typeof source === "function" ? await source(bearer) : await source;
    if (token !== "") {
      headers.Authorization = `Bearer ${token}`;
      return headers;
    }
  }
  const basic = schemes.find((scheme) => BASIC_SCHEMES.includes(scheme));
  const { username, password } = configuration;
  if (basic !== undefined && (username !== undefined || password !== undefined)) {
    headers.Authorization = basicAuthorization(username ?? "", password ?? "", basic);
  }
  return headers;
}
