/**
 * Why an access token was not accepted, as a closed set of stable codes.
 *
 * - `invalid_token`: the token is not a Tessera access token this resource
 *   server accepts (malformed, forged, wrong issuer, audience, type or
 *   algorithm, not yet valid, an ID, refresh or operation token). Answer 401.
 * - `token_expired`: a genuine token past its `exp` (and the clock
 *   tolerance). Answer 401; the client gets a new token.
 * - `insufficient_scope`: a genuine token without a scope the request needs.
 *   Answer 403 (RFC 6750 §3.1).
 * - `jwks_unavailable`: the issuer's JWKS could not be fetched or read.
 *   Nothing is known about the token: answer 503, not 401.
 * - `discovery_failed`: the issuer's metadata could not be fetched, or names
 *   another issuer. Answer 503; when it persists, check the configured issuer.
 *
 * @example
 * const code: AccessTokenErrorCode = "token_expired";
 */
export type AccessTokenErrorCode =
  | "invalid_token"
  | "token_expired"
  | "insufficient_scope"
  | "jwks_unavailable"
  | "discovery_failed";

/** Messages safe to show a caller: they never say more than the code does. */
const MESSAGES = {
  invalid_token: "The access token is invalid",
  token_expired: "The access token has expired",
  insufficient_scope: "The access token lacks a scope this request requires",
  jwks_unavailable: "The issuer's signing keys cannot be fetched now",
  discovery_failed: "The issuer's metadata cannot be fetched now",
} as const satisfies Record<AccessTokenErrorCode, string>;

/**
 * What the constructor of {@link AccessTokenError} takes beside the code:
 * for a resource server's own checks to fail the way the verifier's do.
 *
 * @example
 * throw new AccessTokenError("insufficient_scope", { requiredScopes: ["reports:admin"] });
 */
export interface AccessTokenErrorOptions {
  /** Why, for the resource server's logs (never the token, never a key). */
  readonly detail?: string;
  /** The scopes that were required, for `insufficient_scope`. */
  readonly requiredScopes?: readonly string[];
  readonly cause?: unknown;
}

/**
 * The one error {@link verifyAccessToken} throws about a token or about the
 * issuer it was checked against. `message` is neutral and safe to send to
 * the caller; `detail` says more for logs. Neither ever holds the token.
 *
 * Options that cannot be right (an HS256 algorithm, a clock tolerance of an
 * hour) are programming errors and throw `TypeError` or `RangeError`
 * instead, when the verifier is made.
 *
 * @example
 * try {
 *   await verifyAccessToken(token, { issuer, audience });
 * } catch (error) {
 *   if (error instanceof AccessTokenError && error.unavailable) {
 *     return reply.code(503).send();
 *   }
 *   throw error;
 * }
 */
export class AccessTokenError extends Error {
  override readonly name = "AccessTokenError";
  readonly code: AccessTokenErrorCode;
  /** Why, in a few words, for logs: e.g. `"aud check failed"`, `"typ is not accepted"`. */
  readonly detail: string | undefined;
  /** For `insufficient_scope`: the scopes the request required. */
  readonly requiredScopes: readonly string[];

  constructor(code: AccessTokenErrorCode, options: AccessTokenErrorOptions = {}) {
    super(MESSAGES[code], options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = options.detail;
    this.requiredScopes = options.requiredScopes ?? [];
  }

  /**
   * True when the issuer could not be reached or read, so nothing is known
   * about the token: a resource server answers 503, never 401.
   *
   * @example
   * const status = error.unavailable ? 503 : error.code === "insufficient_scope" ? 403 : 401;
   */
  get unavailable(): boolean {
    return this.code === "jwks_unavailable" || this.code === "discovery_failed";
  }
}
