import { findClient } from "../clients/clients.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { ClientId, TenantId } from "../ids.js";
import type { AutomationTokenRecord } from "../model/index.js";
import type { VerifiedAutomationToken } from "../tokens/types.js";

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
