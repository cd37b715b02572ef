import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { echoInput } from "../core/echo.js";
import { type ErrorCode, isTesseraError } from "../core/errors.js";
import { HOLDS_NEVER_VALID, IDENTIFIER_INPUT_PATTERN } from "../core/identifiers.js";

/** A failure decided and ready for a dialect to put in its own wire format. */
export interface WireError {
  readonly status: number;
  /** A core code, or the HTTP-level reason when the request never reached the core. */
  readonly code: ErrorCode | HttpErrorCode;
  /** Safe to show the client. */
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

/** Failures of the HTTP envelope itself, before any core call. */
export type HttpErrorCode =
  | "payload_too_large"
  | "unsupported_media_type"
  | "malformed_body"
  | "validation_failed"
  | "route_not_found"
  | "internal_error";

interface AjvError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
}

/** Turns the first schema violation into a sentence naming the field: "username must be a string". */
export function describeValidation(errors: readonly AjvError[], context: string): string {
  const first = errors[0];
  if (first === undefined) {
    return `Invalid ${context}`;
  }
  // A path or property name can be the caller's own key: quoted, never raw.
  const path = echoInput(first.instancePath.replace(/^\//, "").replaceAll("/", "."));
  if (first.keyword === "required") {
    const missing = String(first.params.missingProperty ?? "");
    return `${path === "" ? "" : `${path}.`}${missing} is required`;
  }
  if (first.keyword === "additionalProperties") {
    const property = echoInput(String(first.params.additionalProperty));
    return `${path === "" ? "" : `${path}.`}${property} is not allowed`;
  }
  const subject = path === "" ? `The ${context}` : path;
  if (first.keyword === "maxLength") {
    return `${subject} must be at most ${String(first.params.limit)} characters`;
  }
  if (first.keyword === "minLength") {
    const limit = Number(first.params.limit);
    return limit === 1
      ? `${subject} must not be empty`
      : `${subject} must be at least ${limit} characters`;
  }
  if (first.keyword === "pattern" && first.params.pattern === IDENTIFIER_INPUT_PATTERN) {
    return `${subject} ${HOLDS_NEVER_VALID}`;
  }
  if (first.keyword === "type") {
    const type = String(first.params.type ?? "");
    const noun = type === "object" ? "JSON object" : type;
    return `${subject} must be ${/^[aeiou]/.test(noun) ? "an" : "a"} ${noun}`;
  }
  return `${subject} ${first.message ?? "is invalid"}`;
}

/**
 * Classifies anything a route or the framework threw. Core errors keep their
 * code and take their status from the dialect's table; framework errors
 * (body size, content type, JSON syntax, schema) get the HTTP status they
 * mean; anything else is an internal error whose message reveals nothing.
 */
export function classifyError(
  error: unknown,
  statusOf: Readonly<Record<ErrorCode, number>>,
): WireError {
  if (isTesseraError(error)) {
    return {
      status: statusOf[error.code],
      code: error.code,
      message: error.message,
      ...(error.retryAfterSeconds === undefined
        ? {}
        : { retryAfterSeconds: error.retryAfterSeconds }),
    };
  }
  const fastifyError = error as Partial<FastifyError> & {
    validation?: AjvError[];
    validationContext?: string;
  };
  if (Array.isArray(fastifyError.validation)) {
    return {
      status: 400,
      code: "validation_failed",
      message: describeValidation(
        fastifyError.validation,
        fastifyError.validationContext ?? "body",
      ),
    };
  }
  switch (fastifyError.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, code: "payload_too_large", message: "The request body is too large" };
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return {
        status: 400,
        code: "malformed_body",
        message: "The request body does not match its Content-Length",
      };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return {
        status: 415,
        code: "unsupported_media_type",
        message: "Content-Type must be application/json",
      };
    default:
      break;
  }
  const status = fastifyError.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const message =
      error instanceof SyntaxError || fastifyError.code === "FST_ERR_CTP_INVALID_JSON_BODY"
        ? "The request body is not valid JSON"
        : "The request is malformed";
    return { status, code: "malformed_body", message };
  }
  return { status: 500, code: "internal_error", message: "Internal server error" };
}

/**
 * Logs a failure at the level it deserves. Client mistakes are `info`, with
 * the core's internal detail; internal errors are `error` with the stack (the
 * client sees only the request id). Neither ever includes a request body.
 */
export function logFailure(request: FastifyRequest, error: unknown, wire: WireError): void {
  if (wire.status >= 500 && wire.code !== "unavailable") {
    request.log.error({ err: error }, "request failed");
  } else if (isTesseraError(error)) {
    request.log.info({ code: error.code, detail: error.detail }, error.message);
  } else {
    request.log.info({ code: wire.code }, wire.message);
  }
}

/** Sets the headers every error answer carries. */
export function applyErrorHeaders(reply: FastifyReply, wire: WireError): void {
  if (wire.retryAfterSeconds !== undefined) {
    reply.header("retry-after", String(wire.retryAfterSeconds));
  }
  reply.header("cache-control", "no-store");
}
