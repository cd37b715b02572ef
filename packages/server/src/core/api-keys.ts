import { type Actor, auditActor } from "./actor.js";
import { recordAudit } from "./audit.js";
import type { Authority } from "./authority.js";
import { checkMayManageClient } from "./clients/client-authority.js";
import { deriveClientName } from "./clients/client-names.js";
import { createClient, findClient } from "./clients/clients.js";
import { refuseFirstPartyChange } from "./clients/first-party.js";
import { API_KEY_CLIENT_GRANTS, type GrantType } from "./clients/grant-types.js";
import type { CoreContext } from "./context.js";
import { echoInput } from "./echo.js";
import { TesseraError } from "./errors.js";
import { checkIdentifierInput, checkName } from "./identifiers.js";
import { type ApiKeyId, type ClientId, newApiKeyId, type TenantId } from "./ids.js";
import type { ApiKeyRecord, ClientRecord, TenantRecord } from "./model/index.js";
import { generateOpaqueToken, hashSecret, isWellFormedOpaqueToken } from "./opaque-token.js";
import { getTenant } from "./tenants.js";

/** The caller an `X-API-Key` identifies: a client application of one tenant. */
export interface AuthenticatedClient {
  readonly tenant: TenantRecord;
  readonly apiKey: ApiKeyRecord;
  readonly client: ClientRecord;
  readonly clientId: ClientId;
}

/** How stale a credential's `last_used_at` may get before a use refreshes it. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** A new API key, shown only here, and the client it belongs to. */
export interface NewApiKey {
  readonly record: ApiKeyRecord;
  readonly key: string;
  readonly client: ClientRecord;
  /** True when the client was made for this key (no existing client was named). */
  readonly clientCreated: boolean;
}

/**
 * Creates an API key (`X-API-Key`, spec 000/001) for a client of the tenant.
 * The key itself is returned here once; only its SHA-256 is stored.
 *
 * - With `client` (an id or a name), the key belongs to that client, which
 *   must exist (`not_found` otherwise).
 * - Without, a client is made for it: public (auth method `none`, no
 *   secret) with the `password` and `refresh_token` grants, named after
 *   the key's `name` ("web app" -> `web-app`) or `app`, with `-2`, `-3`,
 *   … when the name is taken.
 */
export async function createApiKey(
  ctx: Pick<CoreContext, "store" | "clock" | "secretBox" | "settings">,
  input: {
    readonly tenantId: TenantId;
    readonly name?: string;
    /** An existing client's id or name. */
    readonly client?: string;
    /** The caller's reach: it may give keys only to a client holding no scope it lacks. */
    readonly authority?: Authority;
  } & Actor,
): Promise<NewApiKey> {
  await getTenant(ctx, input.tenantId);
  const name = input.name ?? "";
  if (name !== "") {
    checkName(name, "An API key name", 200);
  }
  const { client, created } =
    input.client === undefined
      ? { client: await clientForNewKey(ctx, input.tenantId, name, input), created: true }
      : { client: await findClient(ctx, input.tenantId, input.client), created: false };
  checkMayManageClient(input.authority, client);
  refuseFirstPartyChange(client, "API keys");
  const key = generateOpaqueToken("tsr_ak");
  const now = ctx.clock.now();
  const record: ApiKeyRecord = {
    id: newApiKeyId(),
    tenantId: input.tenantId,
    clientId: client.id,
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
    ...auditActor(input),
    clientId: record.clientId,
    detail: { apiKeyId: record.id, clientId: record.clientId },
  });
  return { record, key, client, clientCreated: created };
}

/** A new public client for a new key, named after the key when it has a usable name. */
async function clientForNewKey(
  ctx: Pick<CoreContext, "store" | "clock" | "secretBox" | "settings">,
  tenantId: TenantId,
  keyName: string,
  actor: Actor,
): Promise<ClientRecord> {
  const existing = await ctx.store.clients.list(tenantId);
  const taken = new Set(existing.flatMap((c) => [c.name, c.id]));
  const clientName = deriveClientName(keyName, (candidate) => taken.has(candidate), "app");
  const { client } = await createClient(ctx, {
    tenantId,
    name: clientName,
    scopes: [],
    grantTypes: API_KEY_CLIENT_GRANTS,
    tokenEndpointAuthMethod: "none",
    ...auditActor(actor),
  });
  return client;
}

/** The one answer for every refused `X-API-Key`. */
const refuse = (detail: string) =>
  new TesseraError("invalid_api_key", "Missing or invalid API key", { detail });

/**
 * Resolves an `X-API-Key` value to its client. Unknown, malformed and
 * revoked keys, keys whose client is disabled, and (when `grant` is given)
 * keys whose client may not use that grant all get the same answer: to the
 * caller the key opens nothing, whatever the reason (which goes to the log
 * as the error's detail).
 *
 * @param options.grant the grant the endpoint serves (the session API's login: `password`).
 */
export async function authenticateApiKey(
  ctx: Pick<CoreContext, "store" | "clock">,
  presented: string | undefined,
  options: { readonly grant?: GrantType } = {},
): Promise<AuthenticatedClient> {
  if (presented === undefined || !isWellFormedOpaqueToken(presented, "tsr_ak")) {
    throw refuse("malformed key");
  }
  const apiKey = await ctx.store.apiKeys.getByHash(hashSecret(presented));
  if (apiKey === undefined || apiKey.revokedAt !== null) {
    throw refuse(apiKey === undefined ? "unknown key" : "revoked key");
  }
  const [tenant, client] = await Promise.all([
    ctx.store.tenants.get(apiKey.tenantId),
    ctx.store.clients.get(apiKey.tenantId, apiKey.clientId),
  ]);
  if (tenant === undefined || client === undefined) {
    throw refuse("tenant or client missing");
  }
  if (client.status !== "active") {
    throw refuse(`client ${client.id} is disabled`);
  }
  if (options.grant !== undefined) {
    requireApiKeyGrant(client, options.grant);
  }
  const now = ctx.clock.now();
  if (apiKey.lastUsedAt === null || now - apiKey.lastUsedAt > LAST_USED_RESOLUTION_MS) {
    await ctx.store.apiKeys.markUsed(apiKey.id, now);
  }
  return { tenant, apiKey, client, clientId: apiKey.clientId };
}

/**
 * Refuses, as an unknown key is refused, a key whose client may not use
 * `grant` (its login needs `password`, its refresh `refresh_token`).
 */
export function requireApiKeyGrant(client: ClientRecord, grant: GrantType): void {
  if (!client.grantTypes.includes(grant)) {
    throw refuse(`client ${client.id} lacks the ${grant} grant`);
  }
}

/** The tenant's API key with this id (never the key itself: only its hash is kept), or `not_found`. */
export async function getApiKey(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  id: string,
): Promise<ApiKeyRecord> {
  checkIdentifierInput(id, "An API key id");
  const key = await ctx.store.apiKeys.get(tenantId, id as ApiKeyId);
  if (key === undefined) {
    throw new TesseraError("not_found", `No API key ${echoInput(id)}`);
  }
  return key;
}

/** The most API keys one page holds. */
export const MAX_API_KEY_PAGE = 1000;

/** Where a page of API keys starts: after this key. */
export interface ApiKeyPosition {
  readonly createdAt: number;
  readonly id: ApiKeyId;
}

/**
 * A page of a tenant's API keys, revoked ones included, oldest first: of
 * every client, or of `client` (an id or name; `not_found` when the tenant
 * has no such client), after `after`, at most `limit`.
 */
export async function pageApiKeys(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  options: { readonly client?: string; readonly after?: ApiKeyPosition; readonly limit: number },
): Promise<{ readonly keys: readonly ApiKeyRecord[]; readonly next: ApiKeyPosition | undefined }> {
  if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > MAX_API_KEY_PAGE) {
    throw new TesseraError("invalid_request", `limit must be from 1 to ${MAX_API_KEY_PAGE}`);
  }
  await getTenant(ctx, tenantId);
  const client =
    options.client === undefined ? undefined : await findClient(ctx, tenantId, options.client);
  // One more than asked tells whether another page follows.
  const found = await ctx.store.apiKeys.page(tenantId, {
    ...(client === undefined ? {} : { clientId: client.id }),
    ...(options.after === undefined ? {} : { after: options.after }),
    limit: options.limit + 1,
  });
  const keys = found.slice(0, options.limit);
  const last = keys.at(-1);
  return {
    keys,
    next:
      found.length > options.limit && last !== undefined
        ? { createdAt: last.createdAt, id: last.id }
        : undefined,
  };
}

/**
 * Revokes a key, audited with `actor`. Idempotent; `not_found` only if the
 * tenant never had it. With `authority`, only a key of a client holding no
 * scope the caller lacks (`forbidden` otherwise).
 */
export async function revokeApiKey(
  ctx: Pick<CoreContext, "store" | "clock">,
  tenantId: TenantId,
  id: ApiKeyId,
  actor: Actor & { readonly authority?: Authority } = {},
): Promise<{ readonly revoked: boolean }> {
  const known = await getApiKey(ctx, tenantId, id);
  if (actor.authority !== undefined) {
    const client = await ctx.store.clients.get(tenantId, known.clientId);
    checkMayManageClient(actor.authority, client ?? { scopes: [] });
  }
  const now = ctx.clock.now();
  const revoked = await ctx.store.apiKeys.revoke(tenantId, id, now);
  if (revoked) {
    await recordAudit(ctx, {
      tenantId,
      at: now,
      type: "api_key.revoked",
      ...auditActor(actor),
      clientId: known.clientId,
      detail: { apiKeyId: id },
    });
  }
  return { revoked };
}
