import type { FastifyInstance } from "fastify";
import type { CoreContext } from "../../core/context.js";
import type { RequestRateLimits } from "../rate-limit.js";
import { oauthErrorHandler } from "./errors.js";
import { registerIntrospect } from "./introspect.js";
import { registerMetadata } from "./metadata.js";
import { registerRevoke } from "./revoke.js";
import { registerToken } from "./token.js";

/**
 * The OAuth 2.0 dialect, per tenant: RFC 8414 and OpenID Connect
 * discovery, the token endpoint (RFC 6749 §3.2) with its grants (one
 * core function each: client credentials, refresh, token exchange,
 * jwt-bearer, password), introspection (RFC 7662, RFC 9701 signed answers
 * on request) and revocation (RFC 7009) of
 * every kind of token through the token registry. Every error is `{error, error_description}`
 * (RFC 6749 §5.2); the endpoints share their request budgets with the
 * token API (`limits`).
 *
 * Bodies are read here as raw bytes whatever their type, and the token
 * route parses the form itself (form.ts): a JSON body or another media type
 * is then an `invalid_request` in OAuth's words, not the framework's 415.
 * Route schemas describe the wire for the OpenAPI document; the routes
 * check their input themselves, so schemas validate nothing here.
 */
export async function oauthDialect(
  app: FastifyInstance,
  options: {
    readonly ctx: CoreContext;
    readonly defaultTenant: string;
    readonly limits: RequestRateLimits;
  },
): Promise<void> {
  const { ctx, defaultTenant, limits } = options;
  app.setErrorHandler(oauthErrorHandler);

  app.setValidatorCompiler(() => () => true);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => {
    done(null, body);
  });
  registerMetadata(app, ctx, defaultTenant);
  registerToken(app, ctx, { defaultTenant, limits });
  registerIntrospect(app, ctx, { defaultTenant, limits });
  registerRevoke(app, ctx, { defaultTenant, limits });
}
