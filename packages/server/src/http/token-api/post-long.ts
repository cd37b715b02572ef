import type { FastifyInstance } from "fastify";
import { issueLongTermToken } from "../../core/automation-tokens/long-term.js";
import { proveClientForLongTermToken } from "../../core/automation-tokens/prove-client.js";
import type { CoreContext } from "../../core/context.js";
import { bearerToken } from "../bearer.js";
import { clientKeyHook, clientOf } from "../client-key.js";
import { noStore } from "../no-store.js";
import { ref } from "../openapi-responses.js";
import type { RequestRateLimits } from "../rate-limit.js";
import {
  type LongTokenRequest,
  type LongTokenResponse,
  problems,
  tokenApiAnswer,
} from "./schemas.js";

/**
 * `POST /auth/tokens/long` (spec 004): a long-term token for a client that
 * steps up with exactly one mechanism, under the tenant's client key.
 */
export function registerPostLong(
  app: FastifyInstance,
  ctx: CoreContext,
  limits: RequestRateLimits,
): void {
  app.post<{ Body: LongTokenRequest }>(
    "/auth/tokens/long",
    {
      preValidation: clientKeyHook(ctx),
      schema: {
        operationId: "issueLongTermToken",
        summary: "Issue or rotate a long-term token",
        description:
          "Issues a long-term token (30-90 days) for automation or server-to-server use, or rotates one (`rotate_token_id`), after step-up authentication with exactly one mechanism. The token is shown only in this answer.",
        tags: ["Auth"],
        security: [{ ClientKey: [] }, { ClientKey: [], ShortTokenAuth: [] }],
        body: ref("LongTokenRequest"),
        response: {
          201: tokenApiAnswer("Long-term token issued", "LongTokenResponse", {
            "X-Token-Id": {
              type: "string",
              description: "Server-generated identifier for revocation and audit",
            },
          }),
          ...problems(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply): Promise<LongTokenResponse> => {
      noStore(reply);
      const { tenant } = clientOf(request);
      const body = request.body ?? {};
      const bearer = bearerToken(request.headers.authorization);
      const proven = await proveClientForLongTermToken(ctx, {
        tenant,
        ip: request.ip,
        offer: {
          ...(body.grant_type === undefined ? {} : { grantType: body.grant_type }),
          ...(body.client_id === undefined ? {} : { clientId: body.client_id }),
          ...(body.client_secret === undefined ? {} : { clientSecret: body.client_secret }),
          ...(body.otp_code === undefined ? {} : { otpCode: body.otp_code }),
          ...(body.assertion === undefined ? {} : { assertion: body.assertion }),
          ...(bearer === undefined ? {} : { bearer }),
        },
      });
      // Counted once proven, so nobody can spend a client's budget by naming it.
      await limits.countClient(request, reply, proven.client);
      const issued = await issueLongTermToken(ctx, {
        tenant,
        ...proven,
        ip: request.ip,
        ...(body.scopes === undefined ? {} : { scopes: body.scopes }),
        ...(body.ttl_days === undefined ? {} : { ttlDays: body.ttl_days }),
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.rotate_token_id === undefined ? {} : { rotateTokenId: body.rotate_token_id }),
      });
      reply.status(201).header("x-token-id", issued.record.id);
      return {
        token_id: issued.record.id,
        token: issued.token,
        token_type: "long_term",
        scopes: issued.record.scopes,
        expires_at: new Date(issued.record.expiresAt).toISOString(),
      };
    },
  );
}
