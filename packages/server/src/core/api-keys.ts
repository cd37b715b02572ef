import { recordAudit } from "./audit.js";
import type { CoreContext } from "./context.js";
import { echoInput } from "./echo.js";
import { TesseraError } from "./errors.js";
import { checkName } from "./identifiers.js";
import { type ApiKeyId, type ClientId, newApiKeyId, newClientId, type TenantId } from "./ids.js";
import type { ApiKeyRecord, TenantRecord } from "./model/index.js";
import { generateOpaqueToken, hashSecret, isWellFormedOpaqueToken } from "./opaque-token.js";
import { getTenant } from "./tenants.js";

/** The caller an `X-API-Key` identifies: a client application of one tenant. */
export interface AuthenticatedClient {
  readonly tenant: TenantRecord;
  readonly apiKey: ApiKeyRecord;
  readonly clientId: ClientId;
}

/** How stale a credential's `last_used_at` may get before a use refreshes it. */
export const LAST_USED_RESOLUTION_MS = 60_000;
const CLIENT_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Creates an API key for a client application of the tenant. The key itself
 * is returned here once; only its SHA-256 is stored.
 */
export async function createApiKey(
  ctx: Pick<CoreContext, "store" | "clock">,
  input: { readonly tenantId: TenantId; readonly name?: string; readonly clientId?: string },
): Promise<{ readonly record: ApiKeyRecord; readonly key: string }> {
  await getTenant(ctx, input.tenantId);
  if (input.clientId !== undefined && !CLIENT_ID_PATTERN.test(input.clientId)) {
    throw new TesseraError(
      "invalid_request",
      "A client id is 1-128 letters, digits, '.', '_' or '-'",
    );
  }
  const name = input.name ?? "";
  if (name !== "") {
    checkName(name, "An API key name", 200);
  }
  const key = generateOpaqueToken("tsr_ak");
  const now = ctx.clock.now();
  const record: ApiKeyRecord = {
    id: newApiKeyId(),
    tenantId: input.tenantId,
    clientId: (input.clientId ?? newClientId()) as ClientId,
    name,
    keyHash: hashSecret(key),
    keyPrefix: key.slice(0, 12),
    createdAt: now,
    lastUsedAt: null,
    revokedAt: null,
  };
  await ctx.store.apiKeys.create(record);
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at: now,
    type: "api_key.created",
    detail: { apiKeyId: record.id, clientId: record.clientId },
  });
  return { record, key };
}

/**
 * Resolves an `X-API-Key` value to its client. Unknown, malformed and revoked
 * keys get the same answer.
 */
export async function authenticateApiKey(
  ctx: Pick<CoreContext, "store" | "clock">,
  presented: string | undefined,
): Promise<AuthenticatedClient> {
  const refuse = () => new TesseraError("invalid_api_key", "Missing or invalid API key");
  if (presented === undefined || !isWellFormedOpaqueToken(presented, "tsr_ak")) {
    throw refuse();
  }
  const apiKey = await ctx.store.apiKeys.getByHash(hashSecret(presented));
  if (apiKey === undefined || apiKey.revokedAt !== null) {
    throw refuse();
  }
  const tenant = await ctx.store.tenants.get(apiKey.tenantId);
  if (tenant === undefined) {
    throw refuse();
  }
  const now = ctx.clock.now();
  if (apiKey.lastUsedAt === null || now - apiKey.lastUsedAt > LAST_USED_RESOLUTION_MS) {
    await ctx.store.apiKeys.markUsed(apiKey.id, now);
  }
  return { tenant, apiKey, clientId: apiKey.clientId };
}

/** Revokes a key. Idempotent; `not_found` only if the tenant never had it. */
export async function revokeApiKey(
  ctx: Pick<CoreContext, "store" | "clock">,
  tenantId: TenantId,
  id: ApiKeyId,
): Promise<{ readonly revoked: boolean }> {
  const known = (await ctx.store.apiKeys.list(tenantId)).some((k) => k.id === id);
  if (!known) {
    throw new TesseraError("not_found", `No API key ${echoInput(id)}`);
  }
  const now = ctx.clock.now();
  const revoked = await ctx.store.apiKeys.revoke(tenantId, id, now);
  if (revoked) {
    await recordAudit(ctx, {
      tenantId,
      at: now,
      type: "api_key.revoked",
      detail: { apiKeyId: id },
    });
  }
  return { revoked };
}
