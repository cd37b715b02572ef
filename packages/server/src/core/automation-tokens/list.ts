import { findClient } from "../clients/clients.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { ClientId, TenantId, TokenId } from "../ids.js";
import type { AutomationTokenRecord } from "../model/index.js";
import { getTenant } from "../tenants.js";
import type { VerifiedAutomationToken } from "../tokens/types.js";

/** The most tokens one list or page holds. */
export const MAX_TOKEN_LIST = 500;

interface ListFilter {
  readonly includeEnded?: boolean;
  readonly limit?: number;
}

async function listForClient(
  ctx: Pick<CoreContext, "store" | "clock">,
  tenantId: TenantId,
  clientId: ClientId,
  filter: ListFilter,
): Promise<AutomationTokenRecord[]> {
  const limit = filter.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TOKEN_LIST) {
    throw new TesseraError("invalid_request", `limit must be from 1 to ${MAX_TOKEN_LIST}`);
  }
  return ctx.store.automationTokens.listForClient(tenantId, clientId, {
    includeEnded: filter.includeEnded === true,
    now: ctx.clock.now(),
    limit,
  });
}

/** The caller's client's tokens, newest first: live ones, or all with `includeEnded`. */
export async function listAutomationTokens(
  ctx: Pick<CoreContext, "store" | "clock">,
  input: { readonly caller: VerifiedAutomationToken } & ListFilter,
): Promise<AutomationTokenRecord[]> {
  return listForClient(ctx, input.caller.tenant.id, input.caller.client.id, input);
}

/**
 * A client's tokens for an operator (the CLI), by the client's name or id,
 * newest first: live ones, or all with `includeEnded`. `not_found` for a
 * client the tenant does not have.
 *
 * @example
 * const tokens = await listClientTokens(ctx, { tenantId, client: "deploy-bot", includeEnded: true });
 */
export async function listClientTokens(
  ctx: Pick<CoreContext, "store" | "clock">,
  input: { readonly tenantId: TenantId; readonly client: string } & ListFilter,
): Promise<AutomationTokenRecord[]> {
  const client = await findClient(ctx, input.tenantId, input.client);
  return listForClient(ctx, input.tenantId, client.id, input);
}

/** Where a page of tokens starts: after this token. */
export interface TokenPosition {
  readonly createdAt: number;
  readonly id: TokenId;
}

/**
 * A page of a tenant's long- and short-term tokens for an operator (the
 * admin API), newest first: of every client, or of `client` (an id or
 * name; `not_found` when the tenant has no such client); live ones, or
 * all with `includeEnded`; after `after`, at most `limit`.
 *
 * @example
 * const { tokens, next } = await pageAutomationTokens(ctx, { tenantId, client: "deploy-bot", limit: 50 });
 */
export async function pageAutomationTokens(
  ctx: Pick<CoreContext, "store" | "clock">,
  input: {
    readonly tenantId: TenantId;
    readonly client?: string;
    readonly after?: TokenPosition;
  } & ListFilter,
): Promise<{
  readonly tokens: readonly AutomationTokenRecord[];
  readonly next: TokenPosition | undefined;
}> {
  const limit = input.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TOKEN_LIST) {
    throw new TesseraError("invalid_request", `limit must be from 1 to ${MAX_TOKEN_LIST}`);
  }
  await getTenant(ctx, input.tenantId);
  const client =
    input.client === undefined ? undefined : await findClient(ctx, input.tenantId, input.client);
  // One more than asked tells whether another page follows.
  const found = await ctx.store.automationTokens.page(input.tenantId, {
    ...(client === undefined ? {} : { clientId: client.id }),
    includeEnded: input.includeEnded === true,
    now: ctx.clock.now(),
    ...(input.after === undefined ? {} : { after: input.after }),
    limit: limit + 1,
  });
  const tokens = found.slice(0, limit);
  const last = tokens.at(-1);
  return {
    tokens,
    next:
      found.length > limit && last !== undefined
        ? { createdAt: last.createdAt, id: last.id }
        : undefined,
  };
}
