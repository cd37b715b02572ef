import type { FastifyInstance } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { tokenApiErrorHandler } from "./errors.js";
import { registerGetTokens } from "./get-tokens.js";
import { registerPostLong } from "./post-long.js";
import { registerPostRevoke } from "./post-revoke.js";
import { registerPostShort } from "./post-short.js";
import { type TokenApiRateLimitSettings, TokenApiRateLimits } from "./rate-limit.js";
import { problemSchema } from "./schemas.js";

/**
 * The token API for automation (spec 004): long-term tokens, short-term
 * tokens, revocation and listing. Every error is an RFC 9457 problem; every
 * answer carries `RateLimit-*` headers.
 */
export async function tokenApi(
  app: FastifyInstance,
  options: { readonly ctx: CoreContext; readonly rateLimits: TokenApiRateLimitSettings },
): Promise<void> {
  const { ctx } = options;
  const limits = new TokenApiRateLimits(ctx.cache, options.rateLimits);
  app.setErrorHandler(tokenApiErrorHandler);
  app.addSchema(problemSchema);
  app.decorateRequest("tokenApiLimit", null);
  // Generated clients often send `Content-Type: application/json` with no
  // body on a revoke or a Bearer step-up: an empty JSON body means none here.
  // Anything else goes to Fastify's own parser, poisoning checks included.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "") {
      done(null, undefined);
      return;
    }
    // The default parser answers through `done`; its return value carries nothing.
    void parseJson(request, body.toString(), done);
  });
  app.addHook("onRequest", async (request, reply) => {
    await limits.countIp(request, reply);
  });
  // Bodies are optional on the token API (a revoke has none; a Bearer
  // step-up may send none): no body validates as an empty object.
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
