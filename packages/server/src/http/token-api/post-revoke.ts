import type { FastifyInstance } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { requireToken } from "../../core/tokens/registry.js";
import { revokeAutomationToken } from "../../core/tokens/revoke-by-id.js";
import { requireBearer } from "../bearer.js";
import type { RequestRateLimits } from "../rate-limit.js";
import { problems, tokenApiNoContent, tokenIdParams } from "./schemas.js";

/**
 * `POST /auth/tokens/{tokenId}/revoke` (spec 004): 204 whether the token was
 * live or already revoked; 404 for an id that does not exist or is not the
 * caller's to see.
 */
export function registerPostRevoke(
  app: FastifyInstance,
  ctx: CoreContext,
  limits: RequestRateLimits,
): void {
  app.post<{ Params: { tokenId: string } }>(
    "/auth/tokens/:tokenId/revoke",
    {
      schema: {
        operationId: "revokeToken",
        summary: "Revoke a token",
        description:
          "Revokes a long- or short-term token of the caller's client by its `tokenId`; revoking a long-term token ends the short-term tokens issued from it. Idempotent.",
        tags: ["Auth"],
        security: [{ LongTokenAuth: [] }, { ShortTokenAuth: [] }],
        params: tokenIdParams,
        response: { 204: tokenApiNoContent("Revoked (idempotent)"), ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const caller = await requireToken(ctx, requireBearer(request.headers.authorization), {
        kinds: ["long_term_token", "short_term_token"],
      });
      await limits.countClient(request, reply, caller.client);
      await revokeAutomationToken(ctx, { caller, tokenId: request.params.tokenId, ip: request.ip });
      return reply.status(204).send();
    },
  );
}
