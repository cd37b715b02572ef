import { randomUUID } from "node:crypto";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { type Logger, pino } from "pino";
import type { CoreContext } from "../core/context.js";
import { TesseraError } from "../core/errors.js";
import { ADMIN_API_PREFIX } from "./admin-api/paths.js";
import { adminApi } from "./admin-api/plugin.js";
import { registerBodyParsers } from "./body-parsers.js";
import { answerClientError, forgetServedRequest, trackServedRequest } from "./client-error.js";
import { answerError, answerFrameworkError, answerRouteNotFound } from "./framework-errors.js";
import { oauthDialect } from "./oauth/plugin.js";
import { openApiDocument } from "./openapi.js";
import { operationsApi } from "./operations-api/plugin.js";
import { type RateLimitSettings, RequestRateLimits } from "./rate-limit.js";
import { OneLinePerRequest } from "./request-log.js";
import { SECURITY_HEADERS } from "./security-headers.js";
import { recordServedRoutes } from "./served-routes.js";
import { sessionApi } from "./session-api/plugin.js";
import { tokenApi } from "./token-api/plugin.js";
import { healthRoutes, wellKnownRoutes } from "./well-known.js";
import { registerWireSchemas } from "./wire-schemas.js";

export interface AppOptions {
  readonly ctx: CoreContext;
  readonly defaultTenant: string;
  /** The tenant the operations API serves; the default tenant unless configured. */
  readonly operationsTenant?: string;
  /**
   * The request budgets the token API and OAuth's token endpoints share
   * (defaults: 600 per client and 1200 per IP a minute).
   */
  readonly tokenApiRateLimits?: RateLimitSettings;
  readonly bodyLimitBytes: number;
  /** What the admin API's purge keeps unless told otherwise, in days (default 7). */
  readonly purgeRetentionDays?: number;
  readonly trustProxy: boolean;
  /** The logger; defaults to a silent one. */
  readonly logger?: Logger;
}

/**
 * Paths a log line must never carry. Fastify's request serializer logs no
 * headers or bodies to begin with; this is the second lock on the door.
 */
export const REDACTED_LOG_PATHS = [
  "req.headers.authorization",
  'req.headers["x-api-key"]',
  "req.headers.accesstoken",
  "req.headers.cookie",
  "req.body",
  "body",
  "password",
  "*.password",
];

/** Log output waiting to be written past which new lines are dropped, not buffered. */
const LOG_BUFFER_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * A pino logger with Tessera's redaction, writing JSON lines to `destination`
 * (by default standard output, written asynchronously: a write per log line
 * on the request path cost as much as the request itself). What is buffered
 * is flushed when the process exits; a stalled output drops lines past 16 MiB
 * rather than holding the server's memory or requests.
 */
export function createLogger(
  level: string,
  destination: pino.DestinationStream = pino.destination({
    dest: 1,
    sync: false,
    maxLength: LOG_BUFFER_LIMIT_BYTES,
  }),
): Logger {
  return pino({ level, redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" } }, destination);
}

/**
 * The longest path parameter (a tenant id, a token id: both at most 64
 * characters) the router accepts; a longer one is refused with 414 before
 * any route runs.
 */
const MAX_PATH_PARAMETER_LENGTH = 100;

/**
 * Builds the HTTP server: every dialect as its own plugin over one core.
 * Bodies are JSON only, capped at `bodyLimitBytes`, parsed without type
 * coercion (a number is not silently accepted as a string); an empty body is
 * no body. Every answer, including those the framework and Node's parser
 * give before any route runs, is in the shape of the dialect its path
 * belongs to and carries a request id and the security headers.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: (options.logger ?? pino({ level: "silent" })) as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustProxy,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    logController: new OneLinePerRequest(),
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // Node would answer a request without Host with a bare 400 of its own;
    // the hook below refuses it in the dialect's shape instead.
    http: { requireHostHeader: false },
  });
  registerBodyParsers(app);
  registerWireSchemas(app);
  recordServedRoutes(app);
  app.decorateRequest("tesseraClient", null);
  app.decorateRequest("rateLimitState", null);
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id).headers(SECURITY_HEADERS);
    trackServedRequest(request, reply);
    // RFC 9112 §3.2: an HTTP/1.1 request without Host is refused with 400.
    if (request.headers.host === undefined && request.raw.httpVersion === "1.1") {
      throw new TesseraError("invalid_request", "The Host header is required");
    }
  });
  app.addHook("onResponse", async (request, reply) => {
    forgetServedRequest(request, reply);
  });
  app.setErrorHandler(answerError);
  app.setNotFoundHandler(answerRouteNotFound);
  await app.register(openApiDocument, { publicUrl: options.ctx.settings.publicUrl });
  await app.register(healthRoutes, { ctx: options.ctx });
  await app.register(wellKnownRoutes, { ctx: options.ctx, defaultTenant: options.defaultTenant });
  await app.register(sessionApi, { ctx: options.ctx });
  const limits = new RequestRateLimits(
    options.ctx.cache,
    options.tokenApiRateLimits ?? { perClientPerMinute: 600, perIpPerMinute: 1200 },
  );
  await app.register(tokenApi, { ctx: options.ctx, limits });
  await app.register(oauthDialect, {
    ctx: options.ctx,
    defaultTenant: options.defaultTenant,
    limits,
  });
  await app.register(adminApi, {
    prefix: ADMIN_API_PREFIX,
    ctx: options.ctx,
    platformTenant: options.defaultTenant,
    purgeRetentionDays: options.purgeRetentionDays ?? 7,
  });
  await app.register(operationsApi, {
    ctx: options.ctx,
    tenantId: options.operationsTenant ?? options.defaultTenant,
  });
  return app;
}
