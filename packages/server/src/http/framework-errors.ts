import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { echoInput } from "../core/echo.js";
import { errorDialectFor, pathOf } from "./error-dialects.js";
import { applyErrorHeaders, classifyFrameworkError, sendError, type WireError } from "./errors.js";
import { SECURITY_HEADERS } from "./security-headers.js";

/**
 * Fastify's `frameworkErrors` option: the router refused the URL before any
 * route or hook ran (a path segment past `maxParamLength`, a URL that cannot
 * be percent-decoded). Fastify's own answer echoes the path and has no
 * request id; this one is in the shape of the dialect the path belongs to,
 * with the headers a hook would have set.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.header("x-request-id", request.id).headers(SECURITY_HEADERS);
  const wire = classifyFrameworkError(error);
  sendError(request, reply, error, wire, errorDialectFor(request.url).render(wire, request.id));
}

/**
 * The not-found handler: no route for this method and path. The answer
 * names both, quoted through {@link echoInput}, in the shape of the dialect
 * the path belongs to.
 */
export function answerRouteNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const wire: WireError = {
    status: 404,
    code: "route_not_found",
    message: `No route for ${echoInput(request.method)} ${echoInput(pathOf(request.url))}`,
  };
  const answer = errorDialectFor(request.url).render(wire, request.id);
  applyErrorHeaders(reply, wire);
  return reply.status(answer.status).type(answer.contentType).send(answer.body);
}

/**
 * The root error handler: failures outside every dialect's plugin (health,
 * JWKS, a body refused on its way to an unknown route, a hook that runs
 * before routing) in the shape of the dialect the path belongs to.
 */
export function answerError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): unknown {
  return errorDialectFor(request.url).handle(error, request, reply);
}
