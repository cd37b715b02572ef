import { recordAudit } from "../audit.js";
import { TOKENS_ADMIN } from "../clients/scopes.js";
import type { CoreContext } from "../context.js";
import { echoInput } from "../echo.js";
import { TesseraError } from "../errors.js";
import { checkIdentifierInput } from "../identifiers.js";
import type { TenantId, TokenId } from "../ids.js";
import type { AuditDetail, AutomationTokenRecord } from "../model/index.js";
import type { Actor } from "../users.js";
import type { AutomationCaller } from "./authenticate.js";

/**
 * Revokes `target` and its short-term children (the store's cascade) and
 * records `token.revoked` when this call revoked anything, so a repeat is
 * idempotent and silent.
 */
async function revokeAndRecord(
  ctx: Pick<CoreContext, "store" | "clock">,
  target: AutomationTokenRecord,
  reason: string,
  audit: {
    readonly ip?: string;
    readonly actorUserId?: Actor["actorUserId"];
    readonly detail: AuditDetail;
  },
): Promise<TokenId[]> {
  const now = ctx.clock.now();
  const revoked = await ctx.store.automationTokens.revoke(target.id, now, reason);
  if (revoked.length > 0) {
    await recordAudit(ctx, {
      tenantId: target.tenantId,
      at: now,
      type: "token.revoked",
      ip: audit.ip ?? null,
      actorUserId: audit.actorUserId ?? null,
      detail: {
        tokenId: target.id,
        clientId: target.clientId,
        ...audit.detail,
        tokensRevoked: revoked.length,
      },
    });
  }
  return revoked;
}

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
  checkIdentifierInput(input.tokenId, "A token id");
  const target = await ctx.store.automationTokens.get(input.tokenId as TokenId);
  const visible =
    target !== undefined &&
    target.tenantId === caller.tenant.id &&
    (target.clientId === caller.client.id || caller.scopes.includes(TOKENS_ADMIN));
  if (!visible) {
    throw new TesseraError("not_found", "Token not found");
  }
  return revokeAndRecord(ctx, target, "revoked", {
    ip: input.ip,
    detail: { byClientId: caller.client.id, byTokenId: caller.token.id },
  });
}

/**
 * Revokes any token of the tenant for an operator (the CLI), who holds no
 * token: the same cascade and idempotence as {@link revokeAutomationToken},
 * recorded as `token.revoked` with no client actor and the reason
 * `revoked_by_operator`.
 *
 * @example
 * const revoked = await revokeTokenAsOperator(ctx, { tenantId, tokenId: "lt_…" });
 * // [] when it was already revoked
 */
export async function revokeTokenAsOperator(
  ctx: Pick<CoreContext, "store" | "clock">,
  input: { readonly tenantId: TenantId; readonly tokenId: string } & Actor,
): Promise<TokenId[]> {
  checkIdentifierInput(input.tokenId, "A token id");
  const target = await ctx.store.automationTokens.get(input.tokenId as TokenId);
  if (target === undefined || target.tenantId !== input.tenantId) {
    throw new TesseraError("not_found", `No token ${echoInput(input.tokenId)}`);
  }
  return revokeAndRecord(ctx, target, "revoked_by_operator", {
    actorUserId: input.actorUserId ?? null,
    detail: {},
  });
}
