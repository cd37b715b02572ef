import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { ErrorCode } from "../../core/errors.js";
import {
  classifyError,
  type ErrorAnswer,
  JSON_CONTENT_TYPE,
  publicMessage,
  sendError,
  type WireError,
} from "../errors.js";

/**
 * The session API's status for every core error (spec 001/003 define 400,
 * 401, 403 and 422; the rest are the HTTP codes the spec leaves open).
 */
export const SESSION_API_STATUS = {
  invalid_request: 400,
  invalid_credentials: 401,
  invalid_api_key: 401,
  invalid_token: 401,
  token_expired: 401,
  token_revoked: 401,
  forbidden: 403,
  insufficient_scope: 403,
  invalid_target: 400,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
} as const satisfies Record<ErrorCode, number>;

/** The session API's error body, as spec 001 shows it. */
export interface SessionApiErrorBody {
  readonly status: "error";
  readonly message: string;
}

/**
 * Renders a failure as `{status: "error", message}`. Also the shape of every
 * path no dialect owns (health, JWKS, unknown routes).
 */
export function renderSessionApiError(wire: WireError, requestId: string): ErrorAnswer {
  const body: SessionApiErrorBody = { status: "error", message: publicMessage(wire, requestId) };
  return { status: wire.status, contentType: JSON_CONTENT_TYPE, body };
}

/** The session API's error handler: any failure as `{status: "error", message}`. */
export function sessionApiErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const wire = classifyError(error, SESSION_API_STATUS);
  return sendError(request, reply, error, wire, renderSessionApiError(wire, request.id));
}
