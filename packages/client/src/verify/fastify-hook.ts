import {
  type AuthenticatedRequest,
  authenticate,
  type BearerAuthOptions,
  type RequestHeaders,
  verifierOf,
} from "./bearer.js";
import type { AccessTokenVerifierOptions } from "./options.js";
import type { AccessTokenVerifier } from "./verify-access-token.js";

/**
 * A fastify request as the hook uses it: its headers are read, `auth` is
 * written.
 *
 * @example
 * const request: FastifyLikeRequest = { headers: { authorization: "Bearer eyJ…" } };
 */
export interface FastifyLikeRequest extends AuthenticatedRequest {
  readonly headers: RequestHeaders;
}

/**
 * A fastify reply as the hook uses it.
 *
 * @example
 * const reply: FastifyLikeReply = fastifyReply;
 */
export interface FastifyLikeReply {
  code(statusCode: number): FastifyLikeReply;
  header(name: string, value: string): FastifyLikeReply;
  send(payload?: unknown): FastifyLikeReply;
}

/**
 * An async fastify hook, for `onRequest` or `preHandler`.
 *
 * @example
 * const hook: FastifyAuthHook = bearerAuthHook({ issuer, audience });
 */
export type FastifyAuthHook = (
  request: FastifyLikeRequest,
  reply: FastifyLikeReply,
) => Promise<FastifyLikeReply | undefined>;

/**
 * A fastify `onRequest`/`preHandler` hook that lets a request through only
 * with a valid Tessera access token in `Authorization: Bearer`, and puts
 * the verified token on `request.auth`. Written against fastify's shapes,
 * so it imports nothing of fastify. It answers as
 * {@link bearerAuthMiddleware} does: 401 with `WWW-Authenticate: Bearer`
 * (`error="invalid_token"` for a bad or expired token), 400 for a malformed
 * header, 403 `insufficient_scope`, 503 when the issuer cannot be reached.
 * Other errors reject, for fastify's error handler.
 *
 * Decorate the request first, so fastify keeps one request shape
 * (`app.decorateRequest("auth", undefined)`), and declare `auth` on
 * `FastifyRequest` for TypeScript.
 *
 * @example
 * import Fastify from "fastify";
 * import { bearerAuthHook, type VerifiedAccessToken } from "@tessera/client";
 *
 * declare module "fastify" {
 *   interface FastifyRequest { auth?: VerifiedAccessToken }
 * }
 *
 * const app = Fastify();
 * app.decorateRequest("auth", undefined);
 * app.addHook("onRequest", bearerAuthHook({
 *   issuer: "https://auth.example.com/tenants/default",
 *   audience: "https://reports.example.com",
 *   requiredScopes: ["reports:read"],
 * }));
 * app.get("/reports", async (request) => ({ for: request.auth?.subject }));
 */
export function bearerAuthHook(
  verifier: AccessTokenVerifier | AccessTokenVerifierOptions,
  options: BearerAuthOptions = {},
): FastifyAuthHook {
  const verify = verifierOf(verifier);
  return async (request, reply) => {
    const outcome = await authenticate(verify, request.headers, options);
    if ("auth" in outcome) {
      request.auth = outcome.auth;
      return undefined;
    }
    reply.code(outcome.denial.status);
    for (const [name, value] of Object.entries(outcome.denial.headers)) {
      reply.header(name, value);
    }
    // An async hook that has replied returns the reply, so fastify stops there.
    return reply.send(outcome.denial.body);
  };
}
