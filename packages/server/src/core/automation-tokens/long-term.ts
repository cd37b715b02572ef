import { recordAudit } from "../audit.js";
import { LONG_TERM_TTL_DAYS } from "../clients/clients.js";
import { narrowScopes } from "../clients/scopes.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import { checkIdentifierInput, checkName } from "../identifiers.js";
import { newTokenId, type TokenId } from "../ids.js";
import type { AutomationTokenRecord, ClientRecord, TenantRecord } from "../model/index.js";
import { generateOpaqueToken, hashSecret } from "../opaque-token.js";
import { isLive } from "../tokens/kinds/automation.js";
import type { StepUpMethod } from "./step-up.js";

/**
 * How long a rotated long-term token keeps working beside its successor, so a
 * fleet can roll over. It equals the longest short-term lifetime, so every
 * short-term token made from the old one has expired (its own `exp`, which
 * other verifiers check) by the time the old one ends.
 */
export const ROTATION_OVERLAP_SECONDS = 900;
const DAY_MS = 24 * 3600 * 1000;
const MAX_NAME_LENGTH = 100;
const PREFIX_LENGTH = 12;

/** A new long-term token: its record, and the token itself, shown only here. */
export interface IssuedLongTermToken {
  readonly record: AutomationTokenRecord;
  readonly token: string;
}

/**
 * Issues a long-term token (`tsr_lt_…`, 256 random bits and a checksum,
 * stored as its SHA-256) to a client that has just stepped up.
 *
 * - `ttlDays`: 30 to 90, default 30, and never past the client's ceiling
 *   (a longer request is cut to the ceiling).
 * - `scopes`: at most what `grantedScopes` allows: the client's scopes, or
 *   for a short-term token the scopes it holds; all of them by default.
 * - `rotateTokenId`: the client's live long-term token to replace. The new
 *   token is issued and the old one ends {@link ROTATION_OVERLAP_SECONDS}
 *   later; rotating one token twice is a conflict.
 */
export async function issueLongTermToken(
  ctx: CoreContext,
  input: {
    readonly tenant: TenantRecord;
    readonly client: ClientRecord;
    readonly method: StepUpMethod;
    readonly grantedScopes: readonly string[];
    readonly scopes?: readonly string[];
    readonly ttlDays?: number;
    readonly name?: string;
    readonly rotateTokenId?: string;
    readonly ip: string;
  },
): Promise<IssuedLongTermToken> {
  const { tenant, client } = input;
  const ttlDays = input.ttlDays ?? LONG_TERM_TTL_DAYS.default;
  if (
    !Number.isInteger(ttlDays) ||
    ttlDays < LONG_TERM_TTL_DAYS.min ||
    ttlDays > LONG_TERM_TTL_DAYS.max
  ) {
    throw new TesseraError(
      "invalid_request",
      `ttl_days must be a whole number from ${LONG_TERM_TTL_DAYS.min} to ${LONG_TERM_TTL_DAYS.max}`,
    );
  }
  const name = input.name ?? "";
  if (name !== "") {
    checkName(name, "name", MAX_NAME_LENGTH);
  }
  if (input.rotateTokenId !== undefined) {
    checkIdentifierInput(input.rotateTokenId, "rotate_token_id");
  }
  const allowed = input.grantedScopes.filter((scope) => client.scopes.includes(scope));
  const scopes = narrowScopes(allowed, input.scopes);
  const now = ctx.clock.now();
  const token = generateOpaqueToken("tsr_lt");
  const record: AutomationTokenRecord = {
    id: newTokenId("long_term"),
    tenantId: tenant.id,
    clientId: client.id,
    kind: "long_term",
    name,
    hash: hashSecret(token),
    prefix: token.slice(0, PREFIX_LENGTH),
    scopes,
    audience: null,
    parentId: null,
    createdAt: now,
    expiresAt: now + Math.min(ttlDays, client.maxTokenTtlDays) * DAY_MS,
    lastUsedAt: null,
    revokedAt: null,
    revokedReason: null,
    replacedById: null,
  };
  const audit = {
    tenantId: tenant.id,
    at: now,
    ip: input.ip,
    clientId: client.id,
    detail: {
      clientId: client.id,
      tokenId: record.id,
      method: input.method,
      scopes: scopes.join(" "),
      expiresAt: new Date(record.expiresAt).toISOString(),
    },
  };
  if (input.rotateTokenId === undefined) {
    await ctx.store.automationTokens.create(record);
    await recordAudit(ctx, { ...audit, type: "token.issued" });
    return { record, token };
  }
  const old = await ctx.store.automationTokens.get(input.rotateTokenId as TokenId);
  if (
    old === undefined ||
    old.clientId !== client.id ||
    old.kind !== "long_term" ||
    !isLive(old, now)
  ) {
    throw new TesseraError("not_found", "No live long-term token of this client has that id");
  }
  const result = await ctx.store.automationTokens.rotate({
    oldId: old.id,
    successor: record,
    endsAt: now + ROTATION_OVERLAP_SECONDS * 1000,
    at: now,
  });
  if (!result.rotated) {
    throw new TesseraError("conflict", "That token has already been rotated");
  }
  await recordAudit(ctx, {
    ...audit,
    type: "token.rotated",
    detail: { ...audit.detail, replacedTokenId: old.id },
  });
  return { record, token };
}
