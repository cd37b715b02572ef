import type { FastifyInstance } from "fastify";
import { pageAutomationTokens } from "../../core/automation-tokens/list.js";
import { checkMayManageClient } from "../../core/clients/client-authority.js";
import type { CoreContext } from "../../core/context.js";
import { isIdentifierInput } from "../../core/identifiers.js";
import type { TenantId, TokenId } from "../../core/ids.js";
import type { AutomationTokenRecord } from "../../core/model/index.js";
import { revokeTokenAsOperator } from "../../core/tokens/revoke-by-id.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { actorOf, adminCallerOf } from "./plugin-state.js";
import type {
  AdminAutomationToken,
  AdminAutomationTokenQuery,
  AdminRevokedAutomationTokens,
} from "./schemas/automation-tokens.js";
import { adminAutomationTokenQuery } from "./schemas/automation-tokens.js";
import {
  adminAnswer,
  adminProblems,
  iso,
  isoOrNull,
  READ,
  resourceParams,
  TAGS,
  tenantParams,
  WRITE,
} from "./schemas/common.js";

/** A token as the admin API shows it: never the token, its hash or its JWT. */
export function renderAutomationToken(token: AutomationTokenRecord): AdminAutomationToken {
  return {
    id: token.id,
    client_id: token.clientId,
    type: token.kind,
    name: token.name,
    prefix: token.prefix,
    scopes: [...token.scopes],
    audience: token.audience,
    parent_id: token.parentId,
    created_at: iso(token.createdAt),
    last_used_at: isoOrNull(token.lastUsedAt),
    expires_at: iso(token.expiresAt),
    revoked_at: isoOrNull(token.revokedAt),
    revoked_reason: token.revokedReason,
    replaced_by_id: token.replacedById,
  };
}

/** `/tenants/{tenant}/automation-tokens`: the token API's long- and short-term tokens; list, revoke. */
export function registerAutomationTokenRoutes(app: FastifyInstance, ctx: CoreContext): void {
  app.get<{ Params: { tenant: string }; Querystring: AdminAutomationTokenQuery }>(
    "/tenants/:tenant/automation-tokens",
    {
      schema: {
        operationId: "adminListAutomationTokens",
        summary: "List the token API's long- and short-term tokens, newest first, a page at a time",
        tags: TAGS,
        security: READ,
        params: tenantParams,
        querystring: adminAutomationTokenQuery,
        response: {
          200: adminAnswer("A page of tokens", "AdminAutomationTokenPage"),
          ...adminProblems(404),
        },
      },
    },
    async (request) => {
      const { cursor, limit = 50, client_id, include_ended } = request.query;
      const after = decodeCursor(cursor, (p) =>
        typeof p.c === "number" &&
        Number.isSafeInteger(p.c) &&
        typeof p.i === "string" &&
        isIdentifierInput(p.i)
          ? { createdAt: p.c, id: p.i as TokenId }
          : undefined,
      );
      const page = await pageAutomationTokens(ctx, {
        tenantId: request.params.tenant as TenantId,
        limit,
        includeEnded: include_ended === true,
        ...(client_id === undefined ? {} : { client: client_id }),
        ...(after === undefined ? {} : { after }),
      });
      return {
        items: page.tokens.map(renderAutomationToken),
        next:
          page.next === undefined
            ? null
            : encodeCursor({ c: page.next.createdAt, i: page.next.id }),
      };
    },
  );

  app.delete<{ Params: { tenant: string; id: string } }>(
    "/tenants/:tenant/automation-tokens/:id",
    {
      schema: {
        operationId: "adminRevokeAutomationToken",
        summary:
          "Revoke a token at once, and a long-term token's short-term tokens with it (revoking one already revoked succeeds)",
        description:
          "404 only for an id the tenant never had. Unlike other deletes it answers 200 with what it revoked, as revoking a user's sessions answers how many ended: a long-term token takes its short-term tokens with it.",
        tags: TAGS,
        security: WRITE,
        params: resourceParams,
        response: {
          200: adminAnswer("The token is revoked", "AdminRevokedAutomationTokens"),
          ...adminProblems(404),
        },
      },
    },
    async (request): Promise<AdminRevokedAutomationTokens> => {
      const { tenant, id } = request.params;
      const target = await ctx.store.automationTokens.get(id as TokenId);
      if (target !== undefined && target.tenantId === tenant) {
        // A caller that is not an admin revokes only tokens of clients it holds as much as.
        const client = await ctx.store.clients.get(target.tenantId, target.clientId);
        checkMayManageClient(adminCallerOf(request).authority, client ?? { scopes: [] });
      }
      const revoked = await revokeTokenAsOperator(ctx, {
        tenantId: tenant as TenantId,
        tokenId: id,
        ...actorOf(request),
      });
      return { revoked_token_ids: revoked };
    },
  );
}
