import type { FastifyInstance } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { problemErrorHandler } from "../problems.js";
import type { RequestRateLimits } from "../rate-limit.js";
import { registerGetTokens } from "./get-tokens.js";
import { registerPostLong } from "./post-long.js";
import { registerPostRevoke } from "./post-revoke.js";
import { registerPostShort } from "./post-short.js";

/**
 * The token API for automation (spec 004): long-term tokens, short-term
 * tokens, revocation and listing. Every error is an RFC 9457 problem; every
 * answer carries `RateLimit-*` headers, from the budgets it shares with
 * OAuth's token endpoints (`limits`).
 */
export async function tokenApi(
  app: FastifyInstance,
  options: { readonly ctx: CoreContext; readonly limits: RequestRateLimits },
): Promise<void> {
  const { ctx, limits } = options;
  app.setErrorHandler(problemErrorHandler);
  app.addHook("onRequest", async (request, reply) => {
    await limits.countIp(request, reply);
  });
  // Bodies are optional on the token API (a revoke has none; a Bearer
  // step-up may send none): no body (an empty one included, whatever its
  // Content-Type: see body-parsers.ts) validates as an empty object.
  app.addHook("preValidation", async (request) => {
    if (request.body === undefined || request.body === null) {
      request.body = {};
    }
  });
  registerPostLong(app, ctx, limits);
  registerPostShort(app, ctx, limits);
  registerPostRevoke(app, ctx, limits);
  registerGetTokens(app, ctx, limits);
}
