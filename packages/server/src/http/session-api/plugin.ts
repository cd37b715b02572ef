import type { FastifyInstance } from "fastify";
import { PASSWORD } from "../../core/clients/grant-types.js";
import type { CoreContext } from "../../core/context.js";
import { clientKeyHook } from "../client-key.js";
import { registerDeleteToken } from "./delete-token.js";
import { sessionApiErrorHandler } from "./errors.js";
import { registerImpersonate } from "./impersonate.js";
import { registerPostToken } from "./post-token.js";

/**
 * The session API (spec 000, 001, 003). Every route requires `X-API-Key`
 * of an active client allowed the `password` grant (the API exists to log
 * users in by password; a key of any other client answers as an unknown key
 * does); every error is `{status: "error", message}`.
 */
export async function sessionApi(
  app: FastifyInstance,
  options: { ctx: CoreContext },
): Promise<void> {
  const { ctx } = options;
  app.setErrorHandler(sessionApiErrorHandler);

  app.addHook("preValidation", clientKeyHook(ctx, { grant: PASSWORD }));
  // A request without a body (an empty one included: body-parsers.ts) is
  // an empty object: a login by `Authorization: Basic` needs nothing more,
  // and the other routes then name the field they miss.
  app.addHook("preValidation", async (request) => {
    if (request.body === undefined || request.body === null) {
      request.body = {};
    }
  });
  registerPostToken(app, ctx);
  registerDeleteToken(app, ctx);
  registerImpersonate(app, ctx);
}
