import {
  type AuthenticatedRequest,
  authenticate,
  type BearerAuthOptions,
  type BearerDenial,
  type RequestHeaders,
  verifierOf,
} from "./bearer.js";
import type { AccessTokenVerifierOptions } from "./options.js";
import type { AccessTokenVerifier } from "./verify-access-token.js";

/**
 * The request as Express, Connect and Node's `http` hand it over: only its
 * headers are read, and `auth` is written.
 *
 * @example
 * const request: ConnectRequest = { headers: { authorization: "Bearer eyJ…" } };
 */
export interface ConnectRequest extends AuthenticatedRequest {
  readonly headers: RequestHeaders;
}

/**
 * The response as Express, Connect and Node's `http.ServerResponse` have it.
 *
 * @example
 * const response: ConnectResponse = httpServerResponse;
 */
export interface ConnectResponse {
  statusCode: number;
  readonly headersSent?: boolean;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/**
 * An Express/Connect middleware, `(req, res, next)`.
 *
 * @example
 * const middleware: ConnectMiddleware = bearerAuthMiddleware({ issuer, audience });
 */
export type ConnectMiddleware = (
  request: ConnectRequest,
  response: ConnectResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Express/Connect middleware that lets a request through only with a valid
 * Tessera access token in `Authorization: Bearer`, and puts the verified
 * token on `req.auth`. Written against the shapes both frameworks (and
 * Node's own `http` server) share, so it imports neither.
 *
 * It answers itself, with a JSON body and RFC 6750's `WWW-Authenticate`:
 * 401 without a token (a bare `Bearer` challenge) or with a token that is
 * invalid or expired (`error="invalid_token"`), 400 for a malformed
 * Authorization header, 403 `insufficient_scope` with the required scopes,
 * and 503 when the issuer's keys or metadata cannot be fetched, which says
 * nothing of the token. Any other error goes to `next(error)`.
 *
 * Pass a verifier to share its caches and options between routes, each with
 * its own `requiredScopes`.
 *
 * @example
 * import express from "express";
 * import { bearerAuthMiddleware, createAccessTokenVerifier } from "@tessera/client";
 *
 * const verifier = createAccessTokenVerifier({
 *   issuer: "https://auth.example.com/tenants/default",
 *   audience: "https://reports.example.com",
 * });
 * const app = express();
 * app.get("/reports", bearerAuthMiddleware(verifier, { requiredScopes: ["reports:read"] }), (req, res) => {
 *   res.json({ for: req.auth?.subject });
 * });
 */
export function bearerAuthMiddleware(
  verifier: AccessTokenVerifier | AccessTokenVerifierOptions,
  options: BearerAuthOptions = {},
): ConnectMiddleware {
  const verify = verifierOf(verifier);
  return (request, response, next) => {
    authenticate(verify, request.headers, options).then(
      (outcome) => {
        if ("auth" in outcome) {
          request.auth = outcome.auth;
          next();
        } else {
          send(response, outcome.denial);
        }
      },
      (error: unknown) => next(error),
    );
  };
}

function send(response: ConnectResponse, denial: BearerDenial): void {
  if (response.headersSent === true) {
    return;
  }
  response.statusCode = denial.status;
  for (const [name, value] of Object.entries(denial.headers)) {
    response.setHeader(name, value);
  }
  response.end(JSON.stringify(denial.body));
}
