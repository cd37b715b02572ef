import { type Actor, auditActor } from "../../actor.js";
import { LAST_USED_RESOLUTION_MS } from "../../api-keys.js";
import { recordAudit } from "../../audit.js";
import type { CoreContext } from "../../context.js";
import type { TokenId } from "../../ids.js";
import type { AuditDetail, AutomationTokenRecord } from "../../model/index.js";
import { tenantIssuer } from "../issuer.js";
import type {
  ActiveIntrospection,
  Introspection,
  TokenFailure,
  TokenScope,
  VerifiedAutomationToken,
} from "../types.js";
import { fail, INACTIVE, inScope } from "./kind.js";

/** True when `token` can still be used at `now`: not revoked (yet), not expired. */
export function isLive(token: AutomationTokenRecord, now: number): boolean {
  return (token.revokedAt === null || token.revokedAt > now) && token.expiresAt > now;
}

/** Why `token` cannot be used at `now`, or undefined when it can. */
function notLive(token: AutomationTokenRecord, now: number): TokenFailure | undefined {
  if (token.revokedAt !== null && token.revokedAt <= now) {
    return fail("revoked");
  }
  return token.expiresAt <= now ? fail("expired") : undefined;
}

/**
 * A long- or short-term token's record, judged: the token, its parent and
 * its client must be live at this moment, so a revocation is seen at once.
 * With `recordUse`, its `last_used_at` is refreshed (at most once a minute).
 */
export async function verifyAutomationRecord(
  ctx: Pick<CoreContext, "store" | "clock">,
  record: AutomationTokenRecord,
  options: { readonly recordUse: boolean },
): Promise<VerifiedAutomationToken | TokenFailure> {
  const now = ctx.clock.now();
  const ended = notLive(record, now);
  if (ended !== undefined) {
    return ended;
  }
  if (record.parentId !== null) {
    const parent = await ctx.store.automationTokens.get(record.parentId);
    if (parent === undefined) {
      return fail("malformed", "parent missing");
    }
    const parentEnded = notLive(parent, now);
    if (parentEnded !== undefined) {
      return parentEnded;
    }
  }
  const [client, tenant] = await Promise.all([
    ctx.store.clients.get(record.tenantId, record.clientId),
    ctx.store.tenants.get(record.tenantId),
  ]);
  if (client === undefined || tenant === undefined || client.tenantId !== tenant.id) {
    return fail("malformed", "client or tenant missing");
  }
  if (client.status !== "active") {
    return fail("client_disabled", client.id);
  }
  if (
    options.recordUse &&
    (record.lastUsedAt === null || now - record.lastUsedAt > LAST_USED_RESOLUTION_MS)
  ) {
    await ctx.store.automationTokens.markUsed(record.id, now);
  }
  return {
    valid: true,
    kind: record.kind === "long_term" ? "long_term_token" : "short_term_token",
    tenantId: tenant.id,
    subject: client.id,
    clientId: client.id,
    issuedAt: record.createdAt,
    expiresAt: Math.min(record.expiresAt, record.revokedAt ?? Number.POSITIVE_INFINITY),
    tenant,
    client,
    token: record,
    // A scope taken from the client is taken from its tokens at once.
    scopes: record.scopes.filter((scope) => client.scopes.includes(scope)),
    audience: record.audience === null ? [] : [record.audience],
  };
}

/** Introspection of a verified long- or short-term token, if in `scope`. */
export function introspectAutomationToken(
  ctx: Pick<CoreContext, "settings">,
  verified: VerifiedAutomationToken | TokenFailure,
  scope: TokenScope,
): Introspection {
  if (!verified.valid || !inScope(scope, verified.kind, verified)) {
    return INACTIVE;
  }
  const description: ActiveIntrospection = {
    active: true,
    kind: verified.kind,
    tenantId: verified.tenantId,
    subject: verified.subject,
    clientId: verified.clientId,
    scopes: verified.scopes,
    audience: verified.audience,
    ...(verified.token.parentId === null ? {} : { parentId: verified.token.parentId }),
    issuedAt: verified.issuedAt,
    expiresAt: verified.expiresAt,
    jti: verified.token.id,
    issuer: tenantIssuer(ctx, verified.tenantId),
  };
  return description;
}

/**
 * Revokes `target` and its short-term children (the store's cascade) and
 * records `token.revoked` when this call revoked anything, so a repeat is
 * idempotent and silent.
 *
 * @returns the ids this call revoked.
 */
export async function revokeAutomationRecord(
  ctx: Pick<CoreContext, "store" | "clock">,
  target: AutomationTokenRecord,
  reason: string,
  audit: Actor & { readonly detail: AuditDetail },
): Promise<TokenId[]> {
  const now = ctx.clock.now();
  const revoked = await ctx.store.automationTokens.revoke(target.id, now, reason);
  if (revoked.length > 0) {
    await recordAudit(ctx, {
      tenantId: target.tenantId,
      at: now,
      type: "token.revoked",
      ...auditActor(audit),
      clientId: target.clientId,
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
