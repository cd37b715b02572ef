import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import { checkIdentifierInput } from "../identifiers.js";
import type { TenantId } from "../ids.js";
import type { ClientRecord } from "../model/index.js";
import { getTenant } from "../tenants.js";

/** The most clients one page holds. */
export const MAX_CLIENT_PAGE = 1000;

/** One page of clients, and where the next one starts. */
export interface ClientPage {
  readonly clients: readonly ClientRecord[];
  /** The name to pass as `after` for the next page; undefined on the last page. */
  readonly nextAfter: string | undefined;
}

/**
 * A page of a tenant's clients (those made for API keys included) ordered
 * by name: those after `after`, at most `limit`. `not_found` for an
 * unknown tenant.
 *
 * @example
 * const first = await pageClients(ctx, tenantId, { limit: 50 });
 * const second = await pageClients(ctx, tenantId, { limit: 50, after: first.nextAfter });
 */
export async function pageClients(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  options: { readonly after?: string; readonly limit: number },
): Promise<ClientPage> {
  if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > MAX_CLIENT_PAGE) {
    throw new TesseraError("invalid_request", `limit must be from 1 to ${MAX_CLIENT_PAGE}`);
  }
  if (options.after !== undefined) {
    checkIdentifierInput(options.after, "A page position");
  }
  await getTenant(ctx, tenantId);
  // One more than asked tells whether another page follows.
  const found = await ctx.store.clients.page(tenantId, {
    ...(options.after === undefined ? {} : { after: options.after }),
    limit: options.limit + 1,
  });
  const clients = found.slice(0, options.limit);
  return {
    clients,
    nextAfter: found.length > options.limit ? clients.at(-1)?.name : undefined,
  };
}
