import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { ErrorCode } from "../../core/errors.js";
import {
  classifyError,
  type ErrorAnswer,
  type HttpErrorCode,
  publicMessage,
  sendError,
  type WireError,
} from "../errors.js";

/**
 * The error codes OAuth's token endpoint answers with: RFC 6749 §5.2, RFC
 * 8707 §2 (`invalid_target`), and §4.1.2.1's `server_error` and
 * `temporarily_unavailable` for failures that are not the client's.
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "invalid_target"
  | "temporarily_unavailable"
  | "server_error";

/** An RFC 6749 §5.2 error: its status and its `error` code. */
interface OAuthErrorKind {
  readonly status: number;
  readonly error: OAuthErrorCode;
}

/**
 * Every core error in OAuth's words. A failed client authentication is
 * `invalid_client` (401); a token presented as a grant that does not hold is
 * `invalid_grant`; an authenticated client asking for what it may not have is
 * `unauthorized_client` (a grant it is not allowed), `invalid_scope` (a
 * scope beyond its own) or `invalid_target` (an audience it is not allowed).
 * An unknown tenant (`not_found`) keeps its 404.
 */
export const OAUTH_ERRORS = {
  invalid_request: { status: 400, error: "invalid_request" },
  invalid_credentials: { status: 401, error: "invalid_client" },
  invalid_api_key: { status: 401, error: "invalid_client" },
  invalid_token: { status: 400, error: "invalid_grant" },
  token_expired: { status: 400, error: "invalid_grant" },
  token_revoked: { status: 400, error: "invalid_grant" },
  forbidden: { status: 400, error: "unauthorized_client" },
  insufficient_scope: { status: 400, error: "invalid_scope" },
  invalid_target: { status: 400, error: "invalid_target" },
  not_found: { status: 404, error: "invalid_request" },
  conflict: { status: 409, error: "invalid_request" },
  precondition_failed: { status: 412, error: "invalid_request" },
  unprocessable: { status: 400, error: "invalid_request" },
  rate_limited: { status: 429, error: "temporarily_unavailable" },
  unavailable: { status: 503, error: "temporarily_unavailable" },
} as const satisfies Record<ErrorCode, OAuthErrorKind>;

/** Failures of the HTTP envelope, before any core call: all the request's fault but a 500. */
const ENVELOPE_ERRORS = {
  payload_too_large: { status: 413, error: "invalid_request" },
  unsupported_media_type: { status: 400, error: "invalid_request" },
  malformed_body: { status: 400, error: "invalid_request" },
  malformed_request: { status: 400, error: "invalid_request" },
  bad_url: { status: 400, error: "invalid_request" },
  uri_too_long: { status: 414, error: "invalid_request" },
  headers_too_large: { status: 431, error: "invalid_request" },
  request_timeout: { status: 408, error: "invalid_request" },
  validation_failed: { status: 400, error: "invalid_request" },
  route_not_found: { status: 404, error: "invalid_request" },
  internal_error: { status: 500, error: "server_error" },
} as const satisfies Record<HttpErrorCode, OAuthErrorKind>;

const KINDS: Readonly<Record<ErrorCode | HttpErrorCode, OAuthErrorKind>> = {
  ...OAUTH_ERRORS,
  ...ENVELOPE_ERRORS,
};

const STATUS = Object.fromEntries(
  Object.entries(OAUTH_ERRORS).map(([code, kind]) => [code, kind.status]),
) as Record<ErrorCode, number>;

/** The content type of every OAuth answer (RFC 6749 §5.1). */
export const OAUTH_JSON = "application/json; charset=utf-8";

/** The media type the token endpoint reads (RFC 6749 §3.2). */
export const FORM_MEDIA_TYPE = "application/x-www-form-urlencoded";

/**
 * A failure only OAuth has words for, decided by the dialect itself (the
 * core has no notion of which grant types a dialect serves).
 */
export class OAuthDialectError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: number;

  constructor(error: OAuthErrorCode, description: string, status = 400) {
    super(description);
    this.name = "OAuthDialectError";
    this.error = error;
    this.status = status;
  }
}

/** An RFC 6749 §5.2 error body. */
export interface OAuthErrorBody {
  readonly error: OAuthErrorCode;
  readonly error_description: string;
}

/**
 * `error_description` is limited to printable ASCII without `"` and `\`
 * (RFC 6749 §5.2); a message that quotes input (already escaped by
 * `echoInput`) is brought inside that set rather than sent as it is.
 */
export function describeForOAuth(message: string): string {
  return message
    .replaceAll("…", "...")
    .replaceAll('"', "'")
    .replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "?");
}

function answerOf(status: number, error: OAuthErrorCode, description: string): ErrorAnswer {
  const body: OAuthErrorBody = { error, error_description: describeForOAuth(description) };
  return { status, contentType: OAUTH_JSON, body };
}

/** Renders a classified failure as `{error, error_description}`. */
export function renderOAuthError(wire: WireError, requestId: string): ErrorAnswer {
  const kind = KINDS[wire.code];
  // The framework's own sentence names JSON; OAuth reads forms.
  const message =
    wire.code === "unsupported_media_type"
      ? `Content-Type must be ${FORM_MEDIA_TYPE}`
      : publicMessage(wire, requestId);
  return answerOf(kind.status, kind.error, message);
}

/**
 * The OAuth dialect's error handler. A 401 to a client that authenticated
 * with the Authorization header carries `WWW-Authenticate: Basic`, the scheme
 * it used (RFC 6749 §5.2). A client that authenticated in the body gets the
 * 401 without a challenge, as §5.2 allows: standard clients (oauth4webapi,
 * openid-client) read any challenge in place of the body, and would lose
 * the `invalid_client` code that tells them what went wrong.
 */
export function oauthErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  let wire: WireError;
  let answer: ErrorAnswer;
  if (error instanceof OAuthDialectError) {
    wire = { status: error.status, code: "invalid_request", message: error.message };
    answer = answerOf(error.status, error.error, error.message);
  } else {
    wire = classifyError(error, STATUS);
    answer = renderOAuthError(wire, request.id);
  }
  if (answer.status === 401 && request.headers.authorization !== undefined) {
    reply.header("www-authenticate", 'Basic realm="tessera", charset="UTF-8"');
  }
  return sendError(request, reply, error, wire, answer);
}
