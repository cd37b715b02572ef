import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { ErrorCode } from "../core/errors.js";
import {
  classifyError,
  type ErrorAnswer,
  type HttpErrorCode,
  publicMessage,
  sendError,
  type WireError,
} from "./errors.js";

/** A problem's stable code and title (RFC 9457 §3.1). */
interface ProblemKind {
  readonly status: number;
  readonly code: string;
  readonly title: string;
}

/**
 * The RFC 9457 problem for every core error, as the token API (spec 004)
 * and the admin API answer: the spec's status codes, and a stable `code` a
 * client can switch on (OAuth's names where OAuth has one).
 */
export const PROBLEM_KINDS = {
  invalid_request: { status: 400, code: "invalid_request", title: "Bad request" },
  invalid_credentials: {
    status: 401,
    code: "invalid_client",
    title: "Client authentication failed",
  },
  invalid_api_key: {
    status: 401,
    code: "invalid_client_key",
    title: "Missing or invalid client key",
  },
  invalid_token: { status: 401, code: "invalid_token", title: "Invalid token" },
  token_expired: { status: 401, code: "token_expired", title: "Token expired" },
  token_revoked: { status: 401, code: "token_revoked", title: "Token revoked" },
  forbidden: { status: 403, code: "forbidden", title: "Forbidden" },
  insufficient_scope: { status: 403, code: "insufficient_scope", title: "Insufficient scope" },
  invalid_target: { status: 400, code: "invalid_target", title: "Audience not allowed" },
  not_found: { status: 404, code: "not_found", title: "Not found" },
  conflict: { status: 409, code: "conflict", title: "Conflict" },
  precondition_failed: {
    status: 412,
    code: "precondition_failed",
    title: "Precondition failed",
  },
  unprocessable: { status: 422, code: "unprocessable", title: "Unprocessable request" },
  rate_limited: { status: 429, code: "rate_limited", title: "Too many requests" },
  unavailable: { status: 503, code: "unavailable", title: "Service unavailable" },
} as const satisfies Record<ErrorCode, ProblemKind>;

/** Problems of the HTTP envelope itself, before the core is called. */
const ENVELOPE_PROBLEMS = {
  payload_too_large: { status: 413, code: "payload_too_large", title: "Payload too large" },
  unsupported_media_type: {
    status: 415,
    code: "unsupported_media_type",
    title: "Unsupported media type",
  },
  malformed_body: { status: 400, code: "invalid_request", title: "Bad request" },
  malformed_request: { status: 400, code: "invalid_request", title: "Bad request" },
  bad_url: { status: 400, code: "invalid_request", title: "Bad request" },
  uri_too_long: { status: 414, code: "uri_too_long", title: "URI too long" },
  headers_too_large: {
    status: 431,
    code: "headers_too_large",
    title: "Request header fields too large",
  },
  request_timeout: { status: 408, code: "request_timeout", title: "Request timeout" },
  validation_failed: { status: 400, code: "invalid_request", title: "Bad request" },
  route_not_found: { status: 404, code: "not_found", title: "Not found" },
  internal_error: { status: 500, code: "internal_error", title: "Internal server error" },
} as const satisfies Record<HttpErrorCode, ProblemKind>;

const STATUS = Object.fromEntries(
  Object.entries(PROBLEM_KINDS).map(([code, kind]) => [code, kind.status]),
) as Record<ErrorCode, number>;

/** Every code a failure can carry, core and envelope alike, to its problem. */
const PROBLEMS: Readonly<Record<ErrorCode | HttpErrorCode, ProblemKind>> = {
  ...PROBLEM_KINDS,
  ...ENVELOPE_PROBLEMS,
};

/** The media type of a problem document (RFC 9457 §3). */
export const PROBLEM_JSON = "application/problem+json";

/** A stable, documented problem type URI per code. */
export function problemType(code: string): string {
  return `urn:tessera:problem:${code}`;
}

/** An RFC 9457 problem document, with Tessera's stable `code`. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly instance: string;
}

/** A failure as an RFC 9457 problem, `instance` naming the request. */
function problemOf(wire: WireError, requestId: string): Problem {
  const kind = PROBLEMS[wire.code];
  return {
    type: problemType(kind.code),
    title: kind.title,
    status: kind.status,
    detail: publicMessage(wire, requestId),
    code: kind.code,
    instance: `urn:uuid:${requestId}`,
  };
}

/** Renders a failure as `application/problem+json`. */
export function renderProblem(wire: WireError, requestId: string): ErrorAnswer {
  const problem = problemOf(wire, requestId);
  return { status: problem.status, contentType: PROBLEM_JSON, body: problem };
}

/**
 * The error handler of the APIs that answer in problems (the token API and
 * the admin API): any failure as `application/problem+json`.
 * A 401 or 403 on the Bearer credential the request sent also carries
 * `WWW-Authenticate` (RFC 6750 §3).
 */
export function problemErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const wire = classifyError(error, STATUS);
  const problem = problemOf(wire, request.id);
  const challenge = bearerChallenge(problem.code, problem.detail, request.headers.authorization);
  if (challenge !== undefined) {
    reply.header("www-authenticate", challenge);
  }
  return sendError(request, reply, error, wire, {
    status: problem.status,
    contentType: PROBLEM_JSON,
    body: problem,
  });
}

/**
 * The `WWW-Authenticate` challenge for a token problem (RFC 6750 §3): a 401
 * always challenges for a Bearer token, naming the error only when the
 * request sent one (§3.1); a 403 `insufficient_scope` only answers a Bearer
 * token that lacked the scope, not a client secret that asked for too much.
 */
function bearerChallenge(
  code: string,
  detail: string,
  authorization: string | undefined,
): string | undefined {
  const sentBearer = /^bearer /i.test(authorization ?? "");
  if (code === "insufficient_scope") {
    return sentBearer ? challengeWith("insufficient_scope", detail) : undefined;
  }
  if (!["invalid_token", "token_expired", "token_revoked"].includes(code)) {
    return undefined;
  }
  return authorization === undefined
    ? 'Bearer realm="tessera"'
    : challengeWith("invalid_token", detail);
}

function challengeWith(error: string, detail: string): string {
  return `Bearer realm="tessera", error="${error}", error_description="${detail.replaceAll('"', "'")}"`;
}
