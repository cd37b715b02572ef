/**
 * The error every non-2xx answer becomes: Tessera's stable code, the HTTP
 * status, the request id, `Retry-After`, and the answer itself where the
 * generated axios client puts it (`error.response.status`, `.data`,
 * `.headers`).
 */

/**
 * Every code a {@link TesseraApiError} can carry: the server's closed set of
 * core codes (`packages/server/src/core/errors.ts`), the RFC 6749 §5.2
 * codes the OAuth dialect (and, for `invalid_client`, the token API) sends,
 * and the HTTP envelope's own refusals. An answer whose dialect carries no
 * code, or whose code is not one of these, is classified by its status.
 *
 * @example
 * ERROR_CODES.includes("rate_limited"); // true
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
  "invalid_target",
  "not_found",
  "conflict",
  "unprocessable",
  "rate_limited",
  "unavailable",
  "invalid_client",
  "invalid_grant",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope",
  "payload_too_large",
  "unsupported_media_type",
  "uri_too_long",
  "headers_too_large",
  "request_timeout",
  "internal_error",
] as const;

/**
 * One of {@link ERROR_CODES}.
 *
 * @example
 * const code: TesseraErrorCode = "rate_limited";
 */
export type TesseraErrorCode = (typeof ERROR_CODES)[number];

/**
 * What a call resolves to, as the generated client's `AxiosResponse` has it:
 * `const { status, data, headers } = await api.issueLongTermToken(request)`.
 * Header names are lowercase.
 *
 * @example
 * const { status, data, headers } = await api.issueLongTermToken(request);
 * console.log(status, headers["x-token-id"], data.expires_at);
 */
export interface ApiResponse<T> {
  readonly status: number;
  readonly data: T;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * What a {@link TesseraApiError} is built from.
 *
 * @example
 * new TesseraApiError({ code: "not_found", message: "Not found", operationId: "revokeToken", response });
 */
export interface ApiErrorInit {
  readonly code: TesseraErrorCode;
  /** The server's message, which it words to be safe to show its caller. */
  readonly message: string;
  readonly operationId: string;
  readonly response: ApiResponse<unknown>;
}

/**
 * Seconds to wait from a `Retry-After` value: delay-seconds or an HTTP
 * date (RFC 9110 §10.2.3); undefined when absent or unreadable.
 *
 * @example
 * parseRetryAfter("120"); // 120
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    return Number(text);
  }
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * A non-2xx answer from Tessera. Switch on `code` (or use
 * {@link isErrorCode}, or `instanceof` one of the subclasses); show
 * `message`; quote `requestId` to an operator, who finds the request in
 * the server's log by it. The message is the server's own, which never
 * holds a token or secret, and the error never holds the request.
 *
 * @example
 * try {
 *   await api.issueShortTermToken();
 * } catch (error) {
 *   if (isTesseraApiError(error) && error.code === "token_expired") {
 *     // issue a new long-term token
 *   }
 *   throw error;
 * }
 */
export class TesseraApiError extends Error {
  readonly code: TesseraErrorCode;
  readonly status: number;
  /** The answer's `X-Request-Id`. */
  readonly requestId: string | undefined;
  /** The answer's `Retry-After`, in seconds, when it sent one (429 and 503). */
  readonly retryAfter: number | undefined;
  /** The operation that failed, by its OpenAPI `operationId`. */
  readonly operationId: string;
  /** The answer, where the generated axios client's error has it. */
  readonly response: ApiResponse<unknown>;

  constructor(init: ApiErrorInit) {
    super(`${init.operationId}: ${init.response.status} ${init.code}: ${init.message}`);
    this.name = "TesseraApiError";
    this.code = init.code;
    this.status = init.response.status;
    this.requestId = init.response.headers["x-request-id"];
    this.retryAfter = parseRetryAfter(init.response.headers["retry-after"]);
    this.operationId = init.operationId;
    this.response = init.response;
  }
}

/**
 * True when `value` is a {@link TesseraApiError} (an answer from the
 * server, not a transport failure).
 *
 * @example
 * if (isTesseraApiError(error)) console.warn(error.code, error.requestId);
 */
export function isTesseraApiError(value: unknown): value is TesseraApiError {
  return value instanceof TesseraApiError;
}
