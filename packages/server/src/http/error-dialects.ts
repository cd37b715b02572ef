import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ADMIN_API_PREFIX } from "./admin-api/paths.js";
import type { ErrorRenderer } from "./errors.js";
import { oauthErrorHandler, renderOAuthError } from "./oauth/errors.js";
import { isOAuthPath } from "./oauth/paths.js";
import { operationsApiErrorHandler, renderOperationsApiError } from "./operations-api/errors.js";
import { OPERATIONS_API_PATHS } from "./operations-api/paths.js";
import { problemErrorHandler, renderProblem } from "./problems.js";
import { renderSessionApiError, sessionApiErrorHandler } from "./session-api/errors.js";
import { TOKEN_API_PREFIX } from "./token-api/paths.js";

/** How one dialect words a failure: as a fastify error handler, and as a bare rendering. */
export interface ErrorDialect {
  readonly handle: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => unknown;
  readonly render: ErrorRenderer;
}

const SESSION_API: ErrorDialect = { handle: sessionApiErrorHandler, render: renderSessionApiError };
const OPERATIONS_API: ErrorDialect = {
  handle: operationsApiErrorHandler,
  render: renderOperationsApiError,
};
/** The token API and the admin API: RFC 9457 problems. */
const PROBLEMS: ErrorDialect = { handle: problemErrorHandler, render: renderProblem };
const OAUTH: ErrorDialect = { handle: oauthErrorHandler, render: renderOAuthError };

/** The path of a request target, without its query string. */
export function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query < 0 ? url : url.slice(0, query);
}

/**
 * The dialect a request's path belongs to, for answers no dialect's own
 * routes give: an unknown route, a URL the router refuses, a request Node's
 * parser refuses. The token API owns `/auth/tokens` and below (and the
 * admin API, which answers in the same RFC 9457 problems, `/admin/v1`), the
 * operations API `/` and `/operations`, OAuth `/oauth` and below (with or
 * without a tenant prefix) and its metadata paths; every other path (the
 * session API's, JWKS, health, and paths no one serves) answers in the
 * session API's shape.
 */
export function errorDialectFor(url: string): ErrorDialect {
  const path = pathOf(url);
  if (
    path === TOKEN_API_PREFIX ||
    path.startsWith(`${TOKEN_API_PREFIX}/`) ||
    path === ADMIN_API_PREFIX ||
    path.startsWith(`${ADMIN_API_PREFIX}/`)
  ) {
    return PROBLEMS;
  }
  if ((OPERATIONS_API_PATHS as readonly string[]).includes(path)) {
    return OPERATIONS_API;
  }
  if (isOAuthPath(path)) {
    return OAUTH;
  }
  return SESSION_API;
}
