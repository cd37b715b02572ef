import { recordAudit } from "../audit.js";
import { TOKENS_ADMIN } from "../clients/scopes.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { TokenId } from "../ids.js";
import type { AutomationCaller } from "./authenticate.js";

/**
 * Revokes a long- or short-term token by id, for a caller holding a token of
 * the same client (or `tokens:admin`, for any client of the tenant).
 * Revoking a long-term token revokes every short-term token derived from it.
 *
 * Idempotent: a token already revoked is not an error. An id that does not
 * exist and one the caller may not see get the same `not_found`, so ids
 * cannot be probed.
 *
 * @returns the ids this call revoked (empty when it already was).
 */
export async function revokeAutomationToken(
  ctx: CoreContext,
  input: { readonly caller: AutomationCaller; readonly tokenId: string; readonly ip: string },
): Promise<TokenId[]> {
  const { caller } = input;
  const target = await ctx.store.automationTokens.get(input.tokenId as TokenId);
  const visible =
    target !== undefined &&
    target.tenantId === caller.tenant.id &&
    (target.clientId === caller.client.id || caller.scopes.includes(TOKENS_ADMIN));
  if (!visible) {
    throw new TesseraError("not_found", "Token not found");
  }
  const now = ctx.clock.now();
  const revoked = await ctx.store.automationTokens.revoke(target.id, now, "revoked");
  if (revoked.length > 0) {
    await recordAudit(ctx, {
      tenantId: caller.tenant.id,
      at: now,
      type: "token.revoked",
      ip: input.ip,
      detail: {
        tokenId: target.id,
        clientId: target.clientId,
        byClientId: caller.client.id,
        byTokenId: caller.token.id,
        tokensRevoked: revoked.length,
      },
    });
  }
  return revoked;
}
