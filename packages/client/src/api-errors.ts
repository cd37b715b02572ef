import { type ApiErrorInit, TesseraApiError, type TesseraErrorCode } from "./errors.js";

/**
 * What a subclass is built from: its code is its own.
 *
 * @example
 * new NotFoundError({ message: "Not found", operationId: "revokeToken", response });
 */
export type ApiErrorSubclassInit = Omit<ApiErrorInit, "code">;

/*
 * One class per code, so that `catch` blocks can use `instanceof` as well as
 * `error.code`. Each sets its own `name`, which is what stack traces and
 * loggers print.
 */

/**
 * The request was malformed or missed a field (400).
 *
 * @example
 * if (error instanceof InvalidRequestError) console.warn(error.requestId);
 */
export class InvalidRequestError extends TesseraApiError {
  declare readonly code: "invalid_request";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "invalid_request" });
    this.name = "InvalidRequestError";
  }
}

/**
 * A username and password, or Basic credentials, were refused (401).
 *
 * @example
 * if (error instanceof InvalidCredentialsError) console.warn(error.requestId);
 */
export class InvalidCredentialsError extends TesseraApiError {
  declare readonly code: "invalid_credentials";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "invalid_credentials" });
    this.name = "InvalidCredentialsError";
  }
}

/**
 * `X-API-Key` was missing, unknown or revoked (401; the token API's `invalid_client_key`).
 *
 * @example
 * if (error instanceof InvalidApiKeyError) console.warn(error.requestId);
 */
export class InvalidApiKeyError extends TesseraApiError {
  declare readonly code: "invalid_api_key";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "invalid_api_key" });
    this.name = "InvalidApiKeyError";
  }
}

/**
 * A token was malformed, forged, of the wrong kind or another tenant's (401).
 *
 * @example
 * if (error instanceof InvalidTokenError) console.warn(error.requestId);
 */
export class InvalidTokenError extends TesseraApiError {
  declare readonly code: "invalid_token";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "invalid_token" });
    this.name = "InvalidTokenError";
  }
}

/**
 * A token was past its expiry (401; 403 for an operations API refresh token).
 *
 * @example
 * if (error instanceof TokenExpiredError) console.warn(error.requestId);
 */
export class TokenExpiredError extends TesseraApiError {
  declare readonly code: "token_expired";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "token_expired" });
    this.name = "TokenExpiredError";
  }
}

/**
 * A token, its session or its client was revoked (401).
 *
 * @example
 * if (error instanceof TokenRevokedError) console.warn(error.requestId);
 */
export class TokenRevokedError extends TesseraApiError {
  declare readonly code: "token_revoked";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "token_revoked" });
    this.name = "TokenRevokedError";
  }
}

/**
 * The caller proved itself but may not do this (403).
 *
 * @example
 * if (error instanceof ForbiddenError) console.warn(error.requestId);
 */
export class ForbiddenError extends TesseraApiError {
  declare readonly code: "forbidden";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "forbidden" });
    this.name = "ForbiddenError";
  }
}

/**
 * The token lacks a scope the operation needs (403).
 *
 * @example
 * if (error instanceof InsufficientScopeError) console.warn(error.requestId);
 */
export class InsufficientScopeError extends TesseraApiError {
  declare readonly code: "insufficient_scope";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "insufficient_scope" });
    this.name = "InsufficientScopeError";
  }
}

/**
 * An audience or resource the caller may not have tokens for (400, RFC 8707).
 *
 * @example
 * if (error instanceof InvalidTargetError) console.warn(error.requestId);
 */
export class InvalidTargetError extends TesseraApiError {
  declare readonly code: "invalid_target";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "invalid_target" });
    this.name = "InvalidTargetError";
  }
}

/**
 * The token, user, role or tenant does not exist, or is not the caller's to see (404).
 *
 * @example
 * if (error instanceof NotFoundError) console.warn(error.requestId);
 */
export class NotFoundError extends TesseraApiError {
  declare readonly code: "not_found";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "not_found" });
    this.name = "NotFoundError";
  }
}

/**
 * The change conflicts with what exists, e.g. a taken name (409).
 *
 * @example
 * if (error instanceof ConflictError) console.warn(error.requestId);
 */
export class ConflictError extends TesseraApiError {
  declare readonly code: "conflict";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "conflict" });
    this.name = "ConflictError";
  }
}

/**
 * The request was understood but cannot be carried out (422).
 *
 * @example
 * if (error instanceof UnprocessableError) console.warn(error.requestId);
 */
export class UnprocessableError extends TesseraApiError {
  declare readonly code: "unprocessable";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "unprocessable" });
    this.name = "UnprocessableError";
  }
}

/**
 * A request budget is spent; `retryAfter` says when to try again (429).
 *
 * @example
 * if (error instanceof RateLimitedError) console.warn(error.requestId);
 */
export class RateLimitedError extends TesseraApiError {
  declare readonly code: "rate_limited";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "rate_limited" });
    this.name = "RateLimitedError";
  }
}

/**
 * The server cannot answer now, e.g. its database is down; `retryAfter` says when to try again (503).
 *
 * @example
 * if (error instanceof UnavailableError) console.warn(error.requestId);
 */
export class UnavailableError extends TesseraApiError {
  declare readonly code: "unavailable";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "unavailable" });
    this.name = "UnavailableError";
  }
}

/**
 * Client authentication failed (401, RFC 6749 §5.2; the token API's failed step-up too).
 *
 * @example
 * if (error instanceof InvalidClientError) console.warn(error.requestId);
 */
export class InvalidClientError extends TesseraApiError {
  declare readonly code: "invalid_client";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "invalid_client" });
    this.name = "InvalidClientError";
  }
}

/**
 * The grant (a refresh token, an assertion, a subject token) is invalid, expired or revoked (400, RFC 6749 §5.2).
 *
 * @example
 * if (error instanceof InvalidGrantError) console.warn(error.requestId);
 */
export class InvalidGrantError extends TesseraApiError {
  declare readonly code: "invalid_grant";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "invalid_grant" });
    this.name = "InvalidGrantError";
  }
}

/**
 * The client may not use this grant (400, RFC 6749 §5.2).
 *
 * @example
 * if (error instanceof UnauthorizedClientError) console.warn(error.requestId);
 */
export class UnauthorizedClientError extends TesseraApiError {
  declare readonly code: "unauthorized_client";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "unauthorized_client" });
    this.name = "UnauthorizedClientError";
  }
}

/**
 * The token endpoint does not serve this grant type for the tenant (400, RFC 6749 §5.2).
 *
 * @example
 * if (error instanceof UnsupportedGrantTypeError) console.warn(error.requestId);
 */
export class UnsupportedGrantTypeError extends TesseraApiError {
  declare readonly code: "unsupported_grant_type";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "unsupported_grant_type" });
    this.name = "UnsupportedGrantTypeError";
  }
}

/**
 * A scope beyond what the client or token holds (400, RFC 6749 §5.2).
 *
 * @example
 * if (error instanceof InvalidScopeError) console.warn(error.requestId);
 */
export class InvalidScopeError extends TesseraApiError {
  declare readonly code: "invalid_scope";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "invalid_scope" });
    this.name = "InvalidScopeError";
  }
}

/**
 * The request body was over the server's limit (413).
 *
 * @example
 * if (error instanceof PayloadTooLargeError) console.warn(error.requestId);
 */
export class PayloadTooLargeError extends TesseraApiError {
  declare readonly code: "payload_too_large";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "payload_too_large" });
    this.name = "PayloadTooLargeError";
  }
}

/**
 * The request body's Content-Type was not one the endpoint reads (415).
 *
 * @example
 * if (error instanceof UnsupportedMediaTypeError) console.warn(error.requestId);
 */
export class UnsupportedMediaTypeError extends TesseraApiError {
  declare readonly code: "unsupported_media_type";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "unsupported_media_type" });
    this.name = "UnsupportedMediaTypeError";
  }
}

/**
 * A segment of the request path was too long (414).
 *
 * @example
 * if (error instanceof UriTooLongError) console.warn(error.requestId);
 */
export class UriTooLongError extends TesseraApiError {
  declare readonly code: "uri_too_long";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "uri_too_long" });
    this.name = "UriTooLongError";
  }
}

/**
 * The request headers were over the server's limit (431).
 *
 * @example
 * if (error instanceof HeadersTooLargeError) console.warn(error.requestId);
 */
export class HeadersTooLargeError extends TesseraApiError {
  declare readonly code: "headers_too_large";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "headers_too_large" });
    this.name = "HeadersTooLargeError";
  }
}

/**
 * The request took the server too long to receive (408).
 *
 * @example
 * if (error instanceof RequestTimeoutError) console.warn(error.requestId);
 */
export class RequestTimeoutError extends TesseraApiError {
  declare readonly code: "request_timeout";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "request_timeout" });
    this.name = "RequestTimeoutError";
  }
}

/**
 * The server failed; its message names the request id to report (500).
 *
 * @example
 * if (error instanceof InternalServerError) console.warn(error.requestId);
 */
export class InternalServerError extends TesseraApiError {
  declare readonly code: "internal_error";

  constructor(init: ApiErrorSubclassInit) {
    super({ ...init, code: "internal_error" });
    this.name = "InternalServerError";
  }
}

/** The class of every code: what {@link createApiError} builds. */
const ERROR_CLASSES = {
  invalid_request: InvalidRequestError,
  invalid_credentials: InvalidCredentialsError,
  invalid_api_key: InvalidApiKeyError,
  invalid_token: InvalidTokenError,
  token_expired: TokenExpiredError,
  token_revoked: TokenRevokedError,
  forbidden: ForbiddenError,
  insufficient_scope: InsufficientScopeError,
  invalid_target: InvalidTargetError,
  not_found: NotFoundError,
  conflict: ConflictError,
  unprocessable: UnprocessableError,
  rate_limited: RateLimitedError,
  unavailable: UnavailableError,
  invalid_client: InvalidClientError,
  invalid_grant: InvalidGrantError,
  unauthorized_client: UnauthorizedClientError,
  unsupported_grant_type: UnsupportedGrantTypeError,
  invalid_scope: InvalidScopeError,
  payload_too_large: PayloadTooLargeError,
  unsupported_media_type: UnsupportedMediaTypeError,
  uri_too_long: UriTooLongError,
  headers_too_large: HeadersTooLargeError,
  request_timeout: RequestTimeoutError,
  internal_error: InternalServerError,
} as const satisfies Record<TesseraErrorCode, new (init: ApiErrorSubclassInit) => TesseraApiError>;

/**
 * The error class of a code.
 *
 * @example
 * const error: ErrorOf<"rate_limited"> = caught; // a RateLimitedError
 */
export type ErrorOf<C extends TesseraErrorCode> = InstanceType<(typeof ERROR_CLASSES)[C]>;

/**
 * Builds the typed error of an answer: the subclass of its code.
 *
 * @example
 * const error = createApiError({ code: "not_found", message: "Not found", operationId: "revokeToken", response });
 * error instanceof NotFoundError; // true
 */
export function createApiError(init: ApiErrorInit): TesseraApiError {
  return new ERROR_CLASSES[init.code](init);
}

/**
 * True when `value` is the typed error of `code`, narrowed to its class.
 *
 * @example
 * if (isErrorCode(error, "rate_limited")) await wait(error.retryAfter ?? 1);
 */
export function isErrorCode<C extends TesseraErrorCode>(
  value: unknown,
  code: C,
): value is ErrorOf<C> {
  return value instanceof TesseraApiError && value.code === code;
}
