import type { CoreContext } from "../../context.js";
import type { AutomationTokenRecord } from "../../model/index.js";
import { hashSecret, isWellFormedOpaqueToken } from "../../opaque-token.js";
import { NOTHING_REVOKED, type Revoker, revokerActor, type TokenExpectations } from "../types.js";
import {
  introspectAutomationToken,
  revokeAutomationRecord,
  verifyAutomationRecord,
} from "./automation.js";
import { fail, inScope, revoked, type TokenKindModule } from "./kind.js";

/** The record of an opaque long-term token (`tsr_lt_…`, looked up by its SHA-256), in any state. */
async function findLongTermToken(
  ctx: Pick<CoreContext, "store">,
  text: string,
): Promise<AutomationTokenRecord | undefined> {
  if (!isWellFormedOpaqueToken(text, "tsr_lt")) {
    return undefined;
  }
  const record = await ctx.store.automationTokens.getByHash(hashSecret(text));
  return record?.kind === "long_term" ? record : undefined;
}

async function verifyLongTermToken(
  ctx: CoreContext,
  text: string,
  expectations: Pick<TokenExpectations, "tenantId" | "audience">,
  recordUse: boolean,
) {
  const record = await findLongTermToken(ctx, text);
  if (record === undefined) {
    return fail("unknown", "unknown long-term token");
  }
  if (expectations.tenantId !== undefined && record.tenantId !== expectations.tenantId) {
    return fail("wrong_tenant");
  }
  // A long-term token is for Tessera's token API only: it names no audience a caller could expect.
  if (expectations.audience !== undefined && record.audience !== expectations.audience) {
    return fail("wrong_audience");
  }
  return verifyAutomationRecord(ctx, record, { recordUse });
}

/** Revokes a long- or short-term token's record for `by`, if it may. */
export async function revokeAutomationFor(
  ctx: Pick<CoreContext, "store" | "clock">,
  record: AutomationTokenRecord,
  by: Revoker,
) {
  const kind = record.kind === "long_term" ? "long_term_token" : "short_term_token";
  if (!inScope(by, kind, record)) {
    return NOTHING_REVOKED;
  }
  const tokensEnded = await revokeAutomationRecord(ctx, record, by.reason, {
    ...revokerActor(by),
    detail: {},
  });
  return revoked({ tokensEnded });
}

/**
 * The token API's long-term token: opaque, stored as its SHA-256, owned by
 * a client. Revoking it revokes every short-term token made from it.
 */
export const longTermTokenKind: TokenKindModule<"long_term_token"> = {
  kind: "long_term_token",
  verify: (ctx, text, expectations) => verifyLongTermToken(ctx, text, expectations, true),
  introspect: async (ctx, text, scope) =>
    introspectAutomationToken(ctx, await verifyLongTermToken(ctx, text, scope, false), scope),
  async revoke(ctx, text, by) {
    const record = await findLongTermToken(ctx, text);
    if (record === undefined || (by.tenantId !== undefined && record.tenantId !== by.tenantId)) {
      return NOTHING_REVOKED;
    }
    return revokeAutomationFor(ctx, record, by);
  },
};
