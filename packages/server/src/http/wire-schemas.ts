import type { FastifyInstance } from "fastify";
import { ADMIN_API_SCHEMAS } from "./admin-api/schemas/index.js";
import { OAUTH_SCHEMAS } from "./oauth/schemas.js";
import { SESSION_API_SCHEMAS } from "./session-api/schemas.js";
import { TOKEN_API_SCHEMAS } from "./token-api/schemas.js";
import { jwkSetResponse } from "./well-known.js";

/**
 * Adds every named wire schema to the app's root, so each route refers to
 * them by `$id` (`LongTokenRequest#`) and `/openapi.json` lists them once,
 * as components under those names. One root also makes an `$id` used twice
 * fail at start rather than shadow another.
 */
export function registerWireSchemas(app: FastifyInstance): void {
  for (const schema of [
    ...TOKEN_API_SCHEMAS,
    ...SESSION_API_SCHEMAS,
    ...OAUTH_SCHEMAS,
    jwkSetResponse,
    ...ADMIN_API_SCHEMAS,
  ]) {
    app.addSchema(schema);
  }
}
