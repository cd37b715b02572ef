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
  | "malformed_request"
  | "bad_url"
  | "uri_too_long"
  | "headers_too_large"
  | "request_timeout"
  | "validation_failed"
  | "route_not_found"
  | "internal_error";

/** A failure rendered in one dialect's words: what goes on the wire. */
export interface ErrorAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: object;
}

/**
 * Renders a classified failure in one dialect's shape. `requestId` is the
 * answer's `X-Request-Id`, which a 500 names (and a problem's `instance`).
 */
export type ErrorRenderer = (wire: WireError, requestId: string) => ErrorAnswer;

/** The content type of the session and operations APIs' error bodies. */
export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

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
 * code and take their status from the dialect's table; everything else is
 * classified by {@link classifyFrameworkError}.
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
  return classifyFrameworkError(error);
}

/** Fastify's and Node's refusals of a request, by code, in Tessera's words. */
const FRAMEWORK_ERRORS: Readonly<Record<string, WireError>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: "payload_too_large",
    message: "The request body is too large",
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: "malformed_body",
    message: "The request body does not match its Content-Length",
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: "unsupported_media_type",
    message: "Content-Type must be application/json",
  },
  // The router refuses a path segment longer than its `maxParamLength`.
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: "uri_too_long",
    message: "A segment of the request path is too long",
  },
  FST_ERR_BAD_URL: { status: 400, code: "bad_url", message: "The request URL is not valid" },
  // Node's HTTP parser: the request line and headers past `maxHeaderSize`.
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: "headers_too_large",
    message: "The request headers are too large",
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: "request_timeout",
    message: "The request took too long to arrive",
  },
};

/**
 * Classifies what is not a core error: framework refusals (body size,
 * content type, JSON syntax, schema, router limits), Node's HTTP parser
 * errors (any other `HPE_*` is a malformed request), and anything else as
 * an internal error whose message reveals nothing. No message quotes the
 * request.
 */
export function classifyFrameworkError(error: unknown): WireError {
  const fastifyError = (
    typeof error === "object" && error !== null ? error : {}
  ) as Partial<FastifyError> & { validation?: AjvError[]; validationContext?: string };
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
  const code = typeof fastifyError.code === "string" ? fastifyError.code : "";
  const known = FRAMEWORK_ERRORS[code];
  if (known !== undefined) {
    return known;
  }
  if (code.startsWith("HPE_")) {
    return { status: 400, code: "malformed_request", message: "The request is malformed" };
  }
  const status = fastifyError.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const message =
      error instanceof SyntaxError || code === "FST_ERR_CTP_INVALID_JSON_BODY"
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

/**
 * The one way a dialect's error handler ends: log, the error headers, and
 * the answer its renderer made.
 */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  wire: WireError,
  answer: ErrorAnswer,
): FastifyReply {
  logFailure(request, error, wire);
  applyErrorHeaders(reply, wire);
  return reply.status(answer.status).type(answer.contentType).send(answer.body);
}

/** The message of a 500 names the request, so an operator can find it in the log. */
export function publicMessage(wire: WireError, requestId: string): string {
  return wire.code === "internal_error"
    ? `${wire.message} (request id ${requestId})`
    : wire.message;
}
