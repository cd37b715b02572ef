import { type ApiResponse, ERROR_CODES, type TesseraErrorCode } from "./errors.js";

/**
 * The four ways Tessera words an error, one per API (the server picks it by
 * the request's path, in `packages/server/src/http/error-dialects.ts`):
 *
 * - `token-api`: an RFC 9457 problem (`application/problem+json`) with a stable `code`;
 * - `oauth`: `{error, error_description}` (RFC 6749 §5.2);
 * - `session-api`: `{status: "error", message}` (spec 001), no code;
 * - `operations-api`: `{error}` (HarperDB's), no code.
 *
 * JWKS and every other path outside the four answer as the session API does.
 *
 * @example
 * const dialect: ErrorDialect = "token-api";
 */
export type ErrorDialect = "token-api" | "oauth" | "session-api" | "operations-api";

/**
 * An error answer read: its code and the server's message.
 *
 * @example
 * const { code, message }: ClassifiedError = classifyError("token-api", response);
 */
export interface ClassifiedError {
  readonly code: TesseraErrorCode;
  readonly message: string;
}

/**
 * A status's code, for dialects that send none, inverting each dialect's
 * `errors.ts` table where it is one-to-one; a 401 is `invalid_credentials`,
 * the failed authentication every dialect words alike, unless its fixed
 * message says more (below).
 */
const BY_STATUS: Readonly<Record<number, TesseraErrorCode>> = {
  400: "invalid_request",
  401: "invalid_credentials",
  403: "forbidden",
  404: "not_found",
  408: "request_timeout",
  409: "conflict",
  413: "payload_too_large",
  414: "uri_too_long",
  415: "unsupported_media_type",
  422: "unprocessable",
  429: "rate_limited",
  431: "headers_too_large",
  500: "internal_error",
  503: "unavailable",
};

/** The token API's names that differ from the SDK's code (`token-api/errors.ts`). */
const PROBLEM_ALIASES: ReadonlyMap<string, TesseraErrorCode> = new Map([
  ["invalid_client_key", "invalid_api_key"],
]);

/**
 * Messages the server fixes per dialect, which its clients are documented
 * to match on (HarperDB's `token expired` and `invalid token`; the session
 * API's one answer for a bad `X-API-Key`, and its words for a refused
 * token, from the server's `core/sessions/refresh.ts` and
 * `core/tokens/errors.ts`): they tell a 401 apart.
 */
const FIXED_MESSAGES: Readonly<
  Record<"session-api" | "operations-api", ReadonlyMap<string, TesseraErrorCode>>
> = {
  "session-api": new Map([
    ["Missing or invalid X-API-Key", "invalid_api_key"],
    ["Invalid refresh token", "invalid_token"],
    ["Refresh token has been revoked", "token_revoked"],
    ["Refresh token has expired", "token_expired"],
    ["Invalid token", "invalid_token"],
    ["Token has been revoked", "token_revoked"],
    ["Token has expired", "token_expired"],
  ]),
  "operations-api": new Map([
    ["token expired", "token_expired"],
    ["invalid token", "invalid_token"],
  ]),
};

function isCode(value: unknown): value is TesseraErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

function statusCode(status: number): TesseraErrorCode {
  return BY_STATUS[status] ?? (status >= 500 ? "internal_error" : "invalid_request");
}

function field(data: unknown, name: string): string | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return undefined;
  }
  const value: unknown = (data as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

function problemCode(code: string | undefined, status: number): TesseraErrorCode {
  const named = code === undefined ? undefined : (PROBLEM_ALIASES.get(code) ?? code);
  return isCode(named) ? named : statusCode(status);
}

/**
 * OAuth words several failures as one `error` and tells them apart by
 * status (`oauth/errors.ts`): `temporarily_unavailable` is a 429 or a 503,
 * and `invalid_request` is also an unknown tenant (404), a conflict (409)
 * or an envelope refusal (413, 414, 408, 431), so for those the status
 * names the code.
 */
function oauthCode(error: string | undefined, status: number): TesseraErrorCode {
  if (error === "server_error") {
    return "internal_error";
  }
  if (error === "invalid_request" && status !== 400) {
    return statusCode(status);
  }
  return isCode(error) ? error : statusCode(status);
}

/**
 * Reads an error answer in its dialect's shape: the code the body names
 * (problem `code`, OAuth `error`), or the status's (session and
 * operations APIs). A body not in the dialect's shape (a proxy's page) is
 * classified by its status, and its text is never quoted.
 *
 * @example
 * classifyError("oauth", { status: 400, data: { error: "invalid_grant", error_description: "…" }, headers: {} });
 * // { code: "invalid_grant", message: "…" }
 */
export function classifyError(
  dialect: ErrorDialect,
  response: ApiResponse<unknown>,
): ClassifiedError {
  const { status, data } = response;
  const fallback = `HTTP ${status}`;
  switch (dialect) {
    case "token-api":
      return {
        code: problemCode(field(data, "code"), status),
        message: field(data, "detail") ?? field(data, "title") ?? fallback,
      };
    case "oauth": {
      const error = field(data, "error");
      return {
        code: oauthCode(error, status),
        message: field(data, "error_description") ?? error ?? fallback,
      };
    }
    case "session-api":
    case "operations-api": {
      const message = field(data, dialect === "session-api" ? "message" : "error");
      const fixed = message === undefined ? undefined : FIXED_MESSAGES[dialect].get(message);
      return { code: fixed ?? statusCode(status), message: message ?? fallback };
    }
  }
}
