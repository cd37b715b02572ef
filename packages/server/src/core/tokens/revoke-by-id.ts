import { type Actor, auditActor } from "../actor.js";
import { TOKENS_ADMIN } from "../clients/scopes.js";
import type { CoreContext } from "../context.js";
import { echoInput } from "../echo.js";
import { TesseraError } from "../errors.js";
import { checkIdentifierInput } from "../identifiers.js";
import type { TenantId, TokenId } from "../ids.js";
import { revokeAutomationRecord } from "./kinds/automation.js";
import type { VerifiedAutomationToken } from "./types.js";

/**
 * Revokes a long- or short-term token by id (the token API's
 * `POST /auth/tokens/{id}/revoke`), for a caller holding a token of the
 * same client (or `tokens:admin`, for any client of the tenant), with the
 * cascade of its kind: revoking a long-term token revokes every short-term
 * token derived from it (see `revokeToken` for revoking by the token itself).
 *
 * Idempotent: a token already revoked is not an error. An id that does not
 * exist and one the caller may not see get the same `not_found`, so ids
 * cannot be probed.
 *
 * @returns the ids this call revoked (empty when it already was).
 */
export async function revokeAutomationToken(
  ctx: CoreContext,
  input: {
    readonly caller: VerifiedAutomationToken;
    readonly tokenId: string;
    readonly ip: string;
  },
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
  return revokeAutomationRecord(ctx, target, "revoked", {
    ip: input.ip,
    actorClientId: caller.client.id,
    detail: { byTokenId: caller.token.id },
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
  return revokeAutomationRecord(ctx, target, "revoked_by_operator", {
    ...auditActor(input),
    detail: {},
  });
}
