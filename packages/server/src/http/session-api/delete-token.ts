import type { FastifyInstance } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { TesseraError } from "../../core/errors.js";
import { revokeSessionByToken } from "../../core/sessions/revoke.js";
import { clientOf } from "../client-key.js";
import { noStore } from "../no-store.js";
import {
  errorResponse,
  revokeResponse,
  type TokenRequestBody,
  tokenRequestBody,
} from "./schemas.js";

const nonEmpty = (value: string | undefined) => (value === "" ? undefined : value);

/**
 * `DELETE /auth/token` (spec 000): ends the session of the previous
 * response's tokens, with any impersonation session born of it. Idempotent:
 * an already-revoked or unknown token answers the same success.
 */
export function registerDeleteToken(app: FastifyInstance, ctx: CoreContext): void {
  app.delete<{ Body: TokenRequestBody }>(
    "/auth/token",
    {
      schema: {
        operationId: "revokeSessionToken",
        summary: "End a session",
        tags: ["session"],
        security: [{ ClientKey: [] }],
        body: tokenRequestBody,
        response: { 200: revokeResponse, "4xx": errorResponse, "5xx": errorResponse },
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
      await revokeSessionByToken(ctx, {
        client,
        ip: request.ip,
        ...(refreshToken === undefined ? {} : { refreshToken }),
        ...(accessToken === undefined ? {} : { accessToken }),
      });
      noStore(reply);
      return { status: "success", message: "The session is revoked" };
    },
  );
}
