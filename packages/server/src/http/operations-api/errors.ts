import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { ErrorCode } from "../../core/errors.js";
import { ERROR_CODES, isTesseraError, TesseraError } from "../../core/errors.js";
import {
  classifyError,
  type ErrorAnswer,
  JSON_CONTENT_TYPE,
  publicMessage,
  sendError,
  type WireError,
} from "../errors.js";

/** How one core error code goes on the wire. */
interface WireRule {
  readonly status: number;
  readonly message?: string;
}

/**
 * The operations API's answer to every core error: HarperDB's status, and
 * for the token failures HarperDB's fixed message (its clients match on
 * `token expired` to know when to refresh). Other codes keep the core's
 * message, which the operation has already worded HarperDB's way.
 */
export const OPERATIONS_API_ERRORS = {
  invalid_request: { status: 400 },
  // `Must login`, `Login failed` or `invalid credentials`, by where it failed.
  invalid_credentials: { status: 401 },
  invalid_api_key: { status: 401 },
  invalid_token: { status: 401, message: "invalid token" },
  token_expired: { status: 401, message: "token expired" },
  // HarperDB has no revocation; its clients re-login on `invalid token`.
  token_revoked: { status: 401, message: "invalid token" },
  forbidden: { status: 403 },
  insufficient_scope: { status: 403 },
  invalid_target: { status: 400 },
  not_found: { status: 404 },
  conflict: { status: 409 },
  precondition_failed: { status: 412 },
  unprocessable: { status: 422 },
  rate_limited: { status: 429 },
  unavailable: { status: 503 },
} as const satisfies Record<ErrorCode, WireRule>;

const STATUS = Object.fromEntries(
  Object.entries(OPERATIONS_API_ERRORS).map(([code, { status }]) => [code, status]),
) as Record<ErrorCode, number>;

/** The operations API's error body: `{error}`, sometimes with HarperDB's extra fields. */
export interface OperationsApiErrorBody {
  readonly error: string;
  readonly [extra: string]: unknown;
}

/**
 * An answer the operations API gives in HarperDB's exact shape where the
 * core's code-to-status table does not fit: the 403 for a non-super-user,
 * the 403 for an expired refresh token.
 */
export class OperationsApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: OperationsApiErrorBody,
  ) {
    super(body.error);
    this.name = "OperationsApiError";
  }
}

/** The 403 HarperDB sends a caller without `super_user` for an admin operation. */
export function restrictedOperation(internalName: string): OperationsApiError {
  return new OperationsApiError(403, {
    error:
      "This operation is not authorized due to role restrictions and/or invalid database items",
    unauthorized_access: [`Operation '${internalName}' is restricted to 'super_user' roles`],
    invalid_schema_items: [],
  });
}

/**
 * Runs `work`, replacing the message of a core error of one of `codes`
 * (HarperDB words the same failure differently per operation).
 */
export async function reworded<T>(
  work: Promise<T>,
  messages: Partial<Record<ErrorCode, string>>,
): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const message = isTesseraError(error) ? messages[error.code] : undefined;
    if (!isTesseraError(error) || message === undefined) {
      throw error;
    }
    throw new TesseraError(error.code, message, {
      ...(error.detail === undefined ? {} : { detail: error.detail }),
      ...(error.retryAfterSeconds === undefined
        ? {}
        : { retryAfterSeconds: error.retryAfterSeconds }),
      cause: error,
    });
  }
}

function isErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * Renders a failure as `{error}` (HarperDB's error body), with HarperDB's
 * fixed message for the token failures its clients match on.
 */
export function renderOperationsApiError(wire: WireError, requestId: string): ErrorAnswer {
  const fixed: WireRule | undefined = isErrorCode(wire.code)
    ? OPERATIONS_API_ERRORS[wire.code]
    : undefined;
  const body: OperationsApiErrorBody = {
    error: fixed?.message ?? publicMessage(wire, requestId),
  };
  return { status: wire.status, contentType: JSON_CONTENT_TYPE, body };
}

/** The operations API's error handler: any failure as `{error}`. */
export function operationsApiErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof OperationsApiError) {
    request.log.info({ status: error.status }, error.message);
    return reply.status(error.status).header("cache-control", "no-store").send(error.body);
  }
  const wire = classifyError(error, STATUS);
  return sendError(request, reply, error, wire, renderOperationsApiError(wire, request.id));
}
