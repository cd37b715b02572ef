import type { CoreContext } from "./context.js";
import { TesseraError } from "./errors.js";
import { checkIdentifierInput } from "./identifiers.js";
import type { TenantId } from "./ids.js";
import type { UserRecord } from "./model/index.js";
import { getTenant } from "./tenants.js";

/** The most users one page holds. */
export const MAX_USER_PAGE = 1000;

/** One page of users, and where the next one starts. */
export interface UserPage {
  readonly users: readonly UserRecord[];
  /** The username to pass as `after` for the next page; undefined on the last page. */
  readonly nextAfter: string | undefined;
}

/**
 * A page of a tenant's users ordered by username: those after `after`,
 * with `search` only those whose username contains it (ignoring case).
 * `not_found` for an unknown tenant.
 */
export async function pageUsers(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  options: { readonly search?: string; readonly after?: string; readonly limit: number },
): Promise<UserPage> {
  if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > MAX_USER_PAGE) {
    throw new TesseraError("invalid_request", `limit must be from 1 to ${MAX_USER_PAGE}`);
  }
  if (options.search !== undefined) {
    checkIdentifierInput(options.search, "A search");
  }
  await getTenant(ctx, tenantId);
  // One more than asked tells whether another page follows.
  const found = await ctx.store.users.page(tenantId, { ...options, limit: options.limit + 1 });
  const users = found.slice(0, options.limit);
  return {
    users,
    nextAfter: found.length > options.limit ? users.at(-1)?.username : undefined,
  };
}
