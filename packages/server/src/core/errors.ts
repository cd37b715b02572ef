/**
 * The closed set of failures the core can report. Every dialect maps each
 * code to its own wire format with `satisfies Record<ErrorCode, …>`, so adding
 * a code breaks the build until every dialect handles it.
 */
export const ERROR_CODES = [
  "invalid_request",
  "invalid_credentials",
  "invalid_api_key",
  "invalid_token",
  "token_expired",
  "token_revoked",
  "forbidden",
  "insufficient_scope",
  // A token was asked for an audience the caller may not have tokens for (RFC 8693 §2.2.2).
  "invalid_target",
  "not_found",
  "conflict",
  // The resource changed since the caller read it (an `If-Match` that no longer holds).
  "precondition_failed",
  "unprocessable",
  "rate_limited",
  "unavailable",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Options every core error accepts beyond its code and public message. */
export interface TesseraErrorOptions {
  /** Internal detail for logs; never sent to a client. */
  readonly detail?: string;
  /** For `rate_limited` and `unavailable`: when the client may try again. */
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

/**
 * A failure with a stable code, a message safe to show a client, and an
 * internal detail that is logged but never sent.
 *
 * @example
 * throw new TesseraError("forbidden", "You may not impersonate this user", {
 *   detail: `caller ${callerId} lacks impersonate`,
 * });
 */
export class TesseraError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: TesseraErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TesseraError";
    this.code = code;
    this.detail = options.detail;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** True when `value` is a {@link TesseraError}. */
export function isTesseraError(value: unknown): value is TesseraError {
  return value instanceof TesseraError;
}
