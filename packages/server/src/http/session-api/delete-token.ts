import type { FastifyInstance } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { TesseraError } from "../../core/errors.js";
import { revokeToken } from "../../core/tokens/registry.js";
import { clientOf } from "../client-key.js";
import { noStore } from "../no-store.js";
import { ref } from "../openapi-responses.js";
import { sessionAnswer, sessionErrors, type TokenRequestBody } from "./schemas.js";

const nonEmpty = (value: string | undefined) => (value === "" ? undefined : value);

/**
 * `DELETE /auth/token` (spec 000): ends the session of the previous
 * response's tokens, with any impersonation session born of it, through the
 * token registry: the refresh token if it is one of this client's, else the
 * access token (expired or not, RFC 7009 §2.1). Idempotent: an
 * already-revoked, unknown, or another client's token answers the same
 * success and ends nothing (RFC 7009 §2.2).
 */
export function registerDeleteToken(app: FastifyInstance, ctx: CoreContext): void {
  app.delete<{ Body: TokenRequestBody }>(
    "/auth/token",
    {
      schema: {
        operationId: "revokeSessionToken",
        summary: "End a session",
        description:
          "Ends the session of the previous answer's tokens (its refresh token, else its access token), with every token derived from it. Idempotent: an unknown or already-ended token answers the same.",
        tags: ["session"],
        security: [{ ApiKeyAuth: [] }],
        body: ref("SessionTokenRequest"),
        response: { 200: sessionAnswer("Session ended", "SessionRevoked"), ...sessionErrors() },
      },
    },
    async (request, reply) => {
      const client = clientOf(request);
      const refreshToken = nonEmpty(request.body.session?.refreshToken);
      const accessToken = nonEmpty(request.body.session?.accessToken);
      if (refreshToken === undefined && accessToken === undefined) {
        throw new TesseraError(
          "invalid_request",
          "session.refreshToken or session.accessToken is required",
        );
      }
      const by = {
        tenantId: client.tenant.id,
        clientId: client.clientId,
        reason: "logout",
        ip: request.ip,
      };
      const byRefresh =
        refreshToken === undefined
          ? undefined
          : await revokeToken(ctx, refreshToken, { ...by, kinds: ["refresh_token"] });
      if (byRefresh?.matched !== true && accessToken !== undefined) {
        await revokeToken(ctx, accessToken, { ...by, kinds: ["access_token"] });
      }
      noStore(reply);
      return { status: "success", message: "The session is revoked" };
    },
  );
}
