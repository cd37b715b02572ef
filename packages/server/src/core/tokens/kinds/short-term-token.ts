import type { CoreContext } from "../../context.js";
import { isTokenId, type TenantId } from "../../ids.js";
import type { AutomationTokenRecord } from "../../model/index.js";
import { type DecodedJwt, SHORT_TERM_TYP, SHORT_TERM_USE } from "../identify.js";
import { checkTenantJwt } from "../jwt.js";
import { NOTHING_REVOKED, type TokenFailure } from "../types.js";
import { introspectAutomationToken, verifyAutomationRecord } from "./automation.js";
import {
  type AudienceCheck,
  expectedAudience,
  fail,
  failed,
  jwtOf,
  requiredAudience,
  type TokenKindModule,
} from "./kind.js";
import { revokeAutomationFor } from "./long-term-token.js";

/**
 * Finds a short-term token's row by its `jti` (read before verification
 * only to know whose keys to verify with, so a made-up issuer costs no key
 * lookup), then verifies the JWT with the keys of that row's tenant:
 * signature, algorithm, `typ`, `iss`, `aud`, `exp`, and that the claims
 * match the row.
 */
async function checkShortTermJwt(
  ctx: CoreContext,
  text: string,
  options: {
    readonly tenantId?: TenantId;
    readonly audience: AudienceCheck;
    readonly allowExpired?: boolean;
  },
  decoded: DecodedJwt | undefined,
): Promise<AutomationTokenRecord | TokenFailure> {
  const jwt = jwtOf(text, "short_term_token", decoded);
  const jti = jwt?.claims.jti;
  if (jwt === undefined || !isTokenId(jti, "short_term")) {
    return fail("malformed");
  }
  const record = await ctx.store.automationTokens.get(jti);
  if (record === undefined || record.kind !== "short_term") {
    return fail("unknown", "unknown short-term token");
  }
  if (options.tenantId !== undefined && record.tenantId !== options.tenantId) {
    return fail("wrong_tenant");
  }
  const audience = requiredAudience(ctx, options.audience, record.tenantId);
  const check = await checkTenantJwt(ctx, {
    tenantId: record.tenantId,
    token: text,
    kid: jwt.kid,
    iat: jwt.claims.iat,
    typ: SHORT_TERM_TYP,
    requiredClaims: ["sub", "jti", "exp", "iat", "client_id", "token_use"],
    ...(audience === undefined ? {} : { audience }),
    allowExpired: options.allowExpired === true,
  });
  if (!check.valid) {
    return check;
  }
  if (check.payload.token_use !== SHORT_TERM_USE || check.payload.client_id !== record.clientId) {
    return fail("malformed", "claims do not match the token's record");
  }
  return record;
}

/**
 * The token API's short-term token: a JWT (`typ: automation+jwt`) recorded
 * as a row, so it can be listed and revoked by id, and dying with its
 * long-term parent. Verified for Tessera's own endpoints it must be minted
 * for the tenant's issuer unless another `audience` is expected: tokens
 * minted for other audiences are not for Tessera.
 */
export const shortTermTokenKind: TokenKindModule<"short_term_token"> = {
  kind: "short_term_token",
  async verify(ctx, text, expectations, jwt) {
    const record = await checkShortTermJwt(
      ctx,
      text,
      {
        ...(expectations.tenantId === undefined ? {} : { tenantId: expectations.tenantId }),
        audience: expectedAudience(expectations),
      },
      jwt,
    );
    return failed(record) ? record : verifyAutomationRecord(ctx, record, { recordUse: true });
  },
  async introspect(ctx, text, scope, jwt) {
    const record = await checkShortTermJwt(
      ctx,
      text,
      {
        ...(scope.tenantId === undefined ? {} : { tenantId: scope.tenantId }),
        audience: { anyAudience: true },
      },
      jwt,
    );
    const verified = failed(record)
      ? record
      : await verifyAutomationRecord(ctx, record, { recordUse: false });
    return introspectAutomationToken(ctx, verified, scope);
  },
  async revoke(ctx, text, by, jwt) {
    const record = await checkShortTermJwt(
      ctx,
      text,
      {
        ...(by.tenantId === undefined ? {} : { tenantId: by.tenantId }),
        audience: { anyAudience: true },
        allowExpired: true,
      },
      jwt,
    );
    return failed(record) ? NOTHING_REVOKED : revokeAutomationFor(ctx, record, by);
  },
};
