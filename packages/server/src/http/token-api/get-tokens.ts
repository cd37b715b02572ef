import type { FastifyInstance } from "fastify";
import { listAutomationTokens } from "../../core/automation-tokens/list.js";
import type { CoreContext } from "../../core/context.js";
import type { AutomationTokenRecord } from "../../core/model/index.js";
import { requireToken } from "../../core/tokens/registry.js";
import { requireBearer } from "../bearer.js";
import { noStore } from "../no-store.js";
import { queryValidatorCompiler } from "../query-validator.js";
import type { RequestRateLimits } from "../rate-limit.js";
import {
  problems,
  type TokenListQuery,
  type TokenSummary,
  tokenApiAnswer,
  tokenListQuery,
} from "./schemas.js";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function render(token: AutomationTokenRecord): TokenSummary {
  return {
    token_id: token.id,
    token_type: token.kind,
    name: token.name,
    prefix: token.prefix,
    scopes: token.scopes,
    audience: token.audience,
    parent_token_id: token.parentId,
    created_at: new Date(token.createdAt).toISOString(),
    last_used_at: iso(token.lastUsedAt),
    expires_at: new Date(token.expiresAt).toISOString(),
    revoked_at: iso(token.revokedAt),
    replaced_by_token_id: token.replacedById,
  };
}

/**
 * `GET /auth/tokens`: the caller's client's tokens, newest first, never a
 * secret. Live ones only unless `include_ended=true`.
 */
export function registerGetTokens(
  app: FastifyInstance,
  ctx: CoreContext,
  limits: RequestRateLimits,
): void {
  app.get<{ Querystring: TokenListQuery }>(
    "/auth/tokens",
    {
      validatorCompiler: queryValidatorCompiler,
      schema: {
        operationId: "listTokens",
        summary: "List the client's tokens",
        tags: ["Auth"],
        security: [{ LongTokenAuth: [] }, { ShortTokenAuth: [] }],
        querystring: tokenListQuery,
        response: { 200: tokenApiAnswer("The tokens", "TokenList"), ...problems(400, 401) },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const caller = await requireToken(ctx, requireBearer(request.headers.authorization), {
        kinds: ["long_term_token", "short_term_token"],
      });
      await limits.countClient(request, reply, caller.client);
      const tokens = await listAutomationTokens(ctx, {
        caller,
        includeEnded: request.query.include_ended === true,
        ...(request.query.limit === undefined ? {} : { limit: request.query.limit }),
      });
      return { tokens: tokens.map(render) };
    },
  );
}
