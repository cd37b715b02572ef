import { MAX_AUDIENCE_LENGTH, requireAllowedAudience } from "../clients/audiences.js";
import { narrowScopes } from "../clients/scopes.js";
import { epochSeconds } from "../clock.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import { checkName } from "../identifiers.js";
import { newTokenId } from "../ids.js";
import { signJwt } from "../jws.js";
import type { AutomationTokenRecord } from "../model/index.js";
import { SHORT_TERM_TYP, SHORT_TERM_USE } from "../tokens/identify.js";
import { tenantIssuer } from "../tokens/issuer.js";
import { isLive } from "../tokens/kinds/automation.js";
import type { VerifiedAutomationToken } from "../tokens/types.js";

/** Short-term tokens live at most 15 minutes (spec 004). */
export const MAX_SHORT_TERM_TTL_SECONDS = 900;
const MIN_SHORT_TERM_TTL_SECONDS = 60;

/** A new short-term token and what the response reports of it. */
export interface IssuedShortTermToken {
  readonly record: AutomationTokenRecord;
  readonly accessToken: string;
  readonly expiresIn: number;
}

/**
 * Exchanges a long-term token for a short-term JWT (`typ: automation+jwt`,
 * `token_use: "automation"`; see {@link SHORT_TERM_TYP}), signed with the
 * tenant's key.
 * It carries `client_id`, `scope`, and its parent's id
 * (`parent_token_id`); it is recorded as a row so it can be listed and
 * revoked by id, and it dies with its parent.
 *
 * Narrowing only: `scopes` within the long-term token's, `ttlSeconds` from
 * 60 to 900 (default 900) and never past the parent's end. `audience`
 * defaults to the tenant's issuer, which is the audience Tessera's own
 * endpoints accept; any other must be one the operator allowed the client
 * (`invalid_target` otherwise).
 */
export async function issueShortTermToken(
  ctx: CoreContext,
  input: {
    /** The caller, proven by its long-term token (`requireToken` with `long_term_token`). */
    readonly caller: VerifiedAutomationToken;
    readonly scopes?: readonly string[];
    readonly audience?: string;
    readonly ttlSeconds?: number;
  },
): Promise<IssuedShortTermToken> {
  const ttl = input.ttlSeconds ?? MAX_SHORT_TERM_TTL_SECONDS;
  if (
    !Number.isInteger(ttl) ||
    ttl < MIN_SHORT_TERM_TTL_SECONDS ||
    ttl > MAX_SHORT_TERM_TTL_SECONDS
  ) {
    throw new TesseraError(
      "invalid_request",
      `ttl_seconds must be a whole number from ${MIN_SHORT_TERM_TTL_SECONDS} to ${MAX_SHORT_TERM_TTL_SECONDS}`,
    );
  }
  if (input.audience !== undefined) {
    checkName(input.audience, "audience", MAX_AUDIENCE_LENGTH);
  }
  const { tenant, client, token: parent } = input.caller;
  if (parent.kind !== "long_term") {
    throw new TesseraError("invalid_token", "Invalid token", {
      detail: "only a long-term token is exchanged",
    });
  }
  const scopes = narrowScopes(input.caller.scopes, input.scopes);
  const now = ctx.clock.now();
  const parentEnd = Math.min(parent.expiresAt, parent.revokedAt ?? Number.POSITIVE_INFINITY);
  const exp = Math.min(epochSeconds(now) + ttl, epochSeconds(parentEnd));
  const issuer = tenantIssuer(ctx, tenant.id);
  const audience = input.audience ?? issuer;
  requireAllowedAudience(client, { issuer, publicUrl: ctx.settings.publicUrl }, audience);
  const record: AutomationTokenRecord = {
    id: newTokenId("short_term"),
    tenantId: tenant.id,
    clientId: client.id,
    kind: "short_term",
    name: "",
    hash: null,
    prefix: null,
    scopes,
    audience,
    parentId: parent.id,
    createdAt: now,
    expiresAt: exp * 1000,
    lastUsedAt: null,
    revokedAt: null,
    revokedReason: null,
    replacedById: null,
  };
  const key = await ctx.keyring.signingKey(tenant.id, tenant.signingAlgorithm);
  const accessToken = await signJwt(key, SHORT_TERM_TYP, {
    token_use: SHORT_TERM_USE,
    client_id: client.id,
    scope: scopes.join(" "),
    parent_token_id: parent.id,
    iss: issuer,
    sub: client.id,
    aud: audience,
    iat: epochSeconds(now),
    exp,
    jti: record.id,
  });
  await ctx.store.automationTokens.create(record);
  // A revocation of the parent between our check and our insert would miss
  // this row; look again, and if the parent has ended, end the child too
  // before anyone sees it.
  const after = await ctx.store.automationTokens.get(parent.id);
  if (after === undefined || !isLive(after, now)) {
    await ctx.store.automationTokens.revoke(record.id, now, "parent_revoked");
    throw new TesseraError("token_revoked", "Token has been revoked");
  }
  return { record, accessToken, expiresIn: exp - epochSeconds(now) };
}
