import type { FastifyInstance } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { clientKeyHook } from "../client-key.js";
import { registerDeleteToken } from "./delete-token.js";
import { sessionApiErrorHandler } from "./errors.js";
import { registerImpersonate } from "./impersonate.js";
import { registerPostToken } from "./post-token.js";

/**
 * The session API (spec 000, 001, 003). Every route requires `X-API-Key`;
 * every error is `{status: "error", message}`.
 */
export async function sessionApi(
  app: FastifyInstance,
  options: { ctx: CoreContext },
): Promise<void> {
  const { ctx } = options;
  app.setErrorHandler(sessionApiErrorHandler);
  app.addHook("preValidation", clientKeyHook(ctx));
  registerPostToken(app, ctx);
  registerDeleteToken(app, ctx);
  registerImpersonate(app, ctx);
}
