import type { FastifyInstance } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { TesseraError } from "../../core/errors.js";
import { loginWithPassword } from "../../core/sessions/login.js";
import { refreshSession } from "../../core/sessions/refresh.js";
import { clientOf, inClientKeyWords } from "../client-key.js";
import { noStore } from "../no-store.js";
import { documented } from "../openapi.js";
import { ref } from "../openapi-responses.js";
import { renderSession, sessionAnswer, sessionErrors, type TokenRequestBody } from "./schemas.js";

/** Reads `Authorization: Basic` credentials (spec 001 lists BasicAuth as a scheme). */
function basicCredentials(
  header: string | undefined,
): { username: string; password: string } | undefined {
  const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match?.[1] === undefined) {
    return undefined;
  }
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0
    ? undefined
    : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * `POST /auth/token` (spec 001): a new session from `{username, password}`,
 * or refreshed tokens from the previous response (or just
 * `{session: {refreshToken}}`).
 */
export function registerPostToken(app: FastifyInstance, ctx: CoreContext): void {
  app.post<{ Body: TokenRequestBody }>(
    "/auth/token",
    {
      schema: documented({
        operationId: "createToken",
        summary: "Start a session (username and password) or refresh one",
        description:
          "With `username` and `password` (in the body, or as `Authorization: Basic`), starts a session; with the previous answer (or just `{session: {refreshToken}}`), refreshes it. The ID token is `session.authorization`; the access token, sent as the `AccessToken` header, expires after an hour.",
        tags: ["session"],
        security: [{ ApiKeyAuth: [] }, { ApiKeyAuth: [], BasicAuth: [] }],
        body: ref("SessionTokenRequest"),
        optionalBody: true,
        response: {
          200: sessionAnswer("The session's tokens", "SessionTokenResponse"),
          ...sessionErrors(403, 422),
        },
      }),
    },
    async (request, reply) => {
      const client = clientOf(request);
      const body = request.body;
      const refreshToken = body.session?.refreshToken;
      noStore(reply);
      if (refreshToken !== undefined && refreshToken !== "") {
        const tokens = await refreshSession(ctx, { client, refreshToken, ip: request.ip }).catch(
          (error: unknown) => {
            throw inClientKeyWords(error);
          },
        );
        return renderSession(ctx.settings.publicUrl, tokens);
      }
      const credentials =
        body.username !== undefined && body.username !== "" && body.password !== undefined
          ? { username: body.username, password: body.password }
          : basicCredentials(request.headers.authorization);
      if (credentials === undefined || credentials.password === "") {
        throw new TesseraError(
          "invalid_request",
          "username and password, or session.refreshToken, are required",
        );
      }
      const tokens = await loginWithPassword(ctx, { client, ...credentials, ip: request.ip });
      return renderSession(ctx.settings.publicUrl, tokens);
    },
  );
}
