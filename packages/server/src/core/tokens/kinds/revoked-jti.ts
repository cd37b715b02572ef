import { auditActor } from "../../actor.js";
import { recordAudit } from "../../audit.js";
import type { CoreContext } from "../../context.js";
import type { ClientId, TenantId } from "../../ids.js";
import { type RevocationResult, type Revoker, revokerActor, type TokenKind } from "../types.js";
import { revoked } from "./kind.js";

/**
 * The one-time claim that marks a stateless access token's `jti` revoked
 * (a client access token, a delegated access token), until its `exp`.
 */
export function revokedJtiKey(tenantId: TenantId, jti: string): string {
  return `revoked-jti:${tenantId}:${jti}`;
}

/** True when the token `jti` of `tenantId` was revoked. */
export function isJtiRevoked(
  ctx: Pick<CoreContext, "store" | "clock">,
  tenantId: TenantId,
  jti: string,
): Promise<boolean> {
  return ctx.store.oneTimeClaims.isClaimed(revokedJtiKey(tenantId, jti), ctx.clock.now());
}

/**
 * Revokes a token stored nowhere by its `jti`: records the `jti` as
 * revoked until the token's `exp` (past the verification leeway, so no
 * verifier here still takes it), once, with an audit event the first time.
 * A token already past its `exp` and the leeway needs nothing: its `exp`
 * refuses it everywhere.
 */
export async function revokeByJti(
  ctx: Pick<CoreContext, "store" | "clock" | "settings">,
  token: {
    readonly kind: TokenKind;
    readonly tenantId: TenantId;
    readonly jti: string;
    /** `exp`, in seconds. */
    readonly exp: number;
    readonly clientId: string;
  },
  by: Revoker,
): Promise<RevocationResult> {
  const now = ctx.clock.now();
  const heldUntil = (token.exp + ctx.settings.clockToleranceSeconds) * 1000 + 1000;
  if (heldUntil <= now) {
    return revoked({});
  }
  const first = await ctx.store.oneTimeClaims.claim(
    revokedJtiKey(token.tenantId, token.jti),
    heldUntil,
    now,
  );
  if (!first) {
    return revoked({});
  }
  await recordAudit(ctx, {
    tenantId: token.tenantId,
    at: now,
    type: "token.revoked",
    ...auditActor(revokerActor(by)),
    clientId: token.clientId as ClientId,
    detail: { jti: token.jti, clientId: token.clientId, kind: token.kind },
  });
  return revoked({ jtisRevoked: [token.jti] });
}
