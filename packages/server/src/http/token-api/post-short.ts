import type { FastifyInstance } from "fastify";
import { issueShortTermToken } from "../../core/automation-tokens/short-term.js";
import type { CoreContext } from "../../core/context.js";
import { requireToken } from "../../core/tokens/registry.js";
import { requireBearer } from "../bearer.js";
import { noStore } from "../no-store.js";
import { documented } from "../openapi.js";
import { ref } from "../openapi-responses.js";
import type { RequestRateLimits } from "../rate-limit.js";
import {
  problems,
  type ShortTokenRequest,
  type ShortTokenResponse,
  tokenApiAnswer,
} from "./schemas.js";

/**
 * `POST /auth/tokens/short` (spec 004): exchanges the long-term token in
 * `Authorization: Bearer` for a short-term JWT. The body is optional.
 */
export function registerPostShort(
  app: FastifyInstance,
  ctx: CoreContext,
  limits: RequestRateLimits,
): void {
  app.post<{ Body: ShortTokenRequest | undefined }>(
    "/auth/tokens/short",
    {
      schema: documented({
        operationId: "issueShortTermToken",
        summary: "Issue a short-term access token",
        description:
          "Exchanges the long-term token in `Authorization: Bearer` for a short-lived JWT (at most 15 minutes). The body is optional.",
        tags: ["Auth"],
        security: [{ LongTokenAuth: [] }],
        body: ref("ShortTokenRequest"),
        optionalBody: true,
        response: {
          201: tokenApiAnswer("Short-term token issued", "ShortTokenResponse"),
          ...problems(400, 401, 403),
        },
      }),
    },
    async (request, reply): Promise<ShortTokenResponse> => {
      noStore(reply);
      const body = request.body ?? {};
      const caller = await requireToken(ctx, requireBearer(request.headers.authorization), {
        kinds: ["long_term_token"],
      });
      await limits.countClient(request, reply, caller.client);
      const issued = await issueShortTermToken(ctx, {
        caller,
        ...(body.scopes === undefined ? {} : { scopes: body.scopes }),
        ...(body.audience === undefined ? {} : { audience: body.audience }),
        ...(body.ttl_seconds === undefined ? {} : { ttlSeconds: body.ttl_seconds }),
      });
      reply.status(201);
      return {
        access_token: issued.accessToken,
        token_type: "Bearer",
        expires_in: issued.expiresIn,
        token_id: issued.record.id,
        scope: issued.record.scopes.join(" "),
      };
    },
  );
}
