import { decodeJwt } from "jose";
import { LAST_USED_RESOLUTION_MS } from "../api-keys.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { TokenId } from "../ids.js";
import type { AutomationTokenRecord, ClientRecord, TenantRecord } from "../model/index.js";
import { hashSecret, isWellFormedOpaqueToken } from "../opaque-token.js";
import { SHORT_TERM_TYP, SHORT_TERM_USE } from "../tokens/identify.js";
import { tenantIssuer } from "../tokens/issuer.js";
import { verifyTenantJwt } from "../tokens/jwt.js";

export { SHORT_TERM_TYP, SHORT_TERM_USE };

/** A caller proven by a long- or short-term token. */
export interface AutomationCaller {
  readonly tenant: TenantRecord;
  readonly client: ClientRecord;
  readonly token: AutomationTokenRecord;
  /** The token's scopes that its client still holds. */
  readonly scopes: readonly string[];
}

const invalid = (detail: string) => new TesseraError("invalid_token", "Invalid token", { detail });

/** True when `token` can still be used at `now`: not revoked (yet), not expired. */
export function isLive(token: AutomationTokenRecord, now: number): boolean {
  return (token.revokedAt === null || token.revokedAt > now) && token.expiresAt > now;
}

function requireLive(token: AutomationTokenRecord, now: number): void {
  if (token.revokedAt !== null && token.revokedAt <= now) {
    throw new TesseraError("token_revoked", "Token has been revoked");
  }
  if (token.expiresAt <= now) {
    throw new TesseraError("token_expired", "Token has expired");
  }
}

/**
 * Authenticates a caller by a long-term token (opaque, looked up by hash)
 * or a short-term token (a JWT of the tenant, checked against its row and
 * its parent's). Either way the token, its parent and its client must be
 * live at this moment: a revocation is seen at once.
 *
 * @param accept which kinds the endpoint takes.
 */
export async function authenticateAutomationToken(
  ctx: CoreContext,
  input: { readonly token: string; readonly accept: "long_term" | "short_term" | "either" },
): Promise<AutomationCaller> {
  const now = ctx.clock.now();
  const token = isWellFormedOpaqueToken(input.token, "tsr_lt")
    ? await longTermRecord(ctx, input.token)
    : await shortTermRecord(ctx, input.token);
  if (input.accept !== "either" && token.kind !== input.accept) {
    throw invalid(`a ${token.kind} token where a ${input.accept} token is needed`);
  }
  requireLive(token, now);
  if (token.parentId !== null) {
    const parent = await ctx.store.automationTokens.get(token.parentId);
    if (parent === undefined) {
      throw invalid("parent missing");
    }
    requireLive(parent, now);
  }
  const [client, tenant] = await Promise.all([
    ctx.store.clients.get(token.clientId),
    ctx.store.tenants.get(token.tenantId),
  ]);
  if (client === undefined || tenant === undefined || client.tenantId !== tenant.id) {
    throw invalid("client or tenant missing");
  }
  if (client.status !== "active") {
    throw new TesseraError("token_revoked", "The client is disabled", { detail: client.id });
  }
  if (token.lastUsedAt === null || now - token.lastUsedAt > LAST_USED_RESOLUTION_MS) {
    await ctx.store.automationTokens.markUsed(token.id, now);
  }
  // A scope taken from the client is taken from its tokens at once.
  const scopes = token.scopes.filter((scope) => client.scopes.includes(scope));
  return { tenant, client, token, scopes };
}

async function longTermRecord(ctx: CoreContext, token: string): Promise<AutomationTokenRecord> {
  const record = await ctx.store.automationTokens.getByHash(hashSecret(token));
  if (record === undefined) {
    throw invalid("unknown long-term token");
  }
  return record;
}

/**
 * Finds a short-term token's row by its `jti` (read before verification
 * only to know whose keys to verify with), then verifies the JWT with the
 * keys of that row's tenant: signature, algorithm, `typ`, `iss`, `aud` (the
 * tenant itself: tokens minted for other audiences are not for Tessera),
 * `exp`, and that the claims match the row.
 */
async function shortTermRecord(ctx: CoreContext, token: string): Promise<AutomationTokenRecord> {
  let jti: unknown;
  try {
    jti = decodeJwt(token).jti;
  } catch {
    throw invalid("neither a long-term token nor a JWT");
  }
  if (typeof jti !== "string" || !jti.startsWith("st_")) {
    throw invalid("not a short-term token");
  }
  const record = await ctx.store.automationTokens.get(jti as TokenId);
  if (record === undefined || record.kind !== "short_term") {
    throw invalid("unknown short-term token");
  }
  const payload = await verifyTenantJwt(ctx, {
    tenantId: record.tenantId,
    token,
    audience: tenantIssuer(ctx, record.tenantId),
    typ: SHORT_TERM_TYP,
    requiredClaims: ["sub", "jti", "exp", "iat", "client_id", "token_use"],
    allowExpired: false,
  });
  if (payload.token_use !== SHORT_TERM_USE || payload.client_id !== record.clientId) {
    throw invalid("claims do not match the token's record");
  }
  return record;
}
