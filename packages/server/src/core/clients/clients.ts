import { type Actor, auditActor } from "../actor.js";
import { recordAudit } from "../audit.js";
import { type Authority, checkMayGrant } from "../authority.js";
import type { CoreContext } from "../context.js";
import { echoInput } from "../echo.js";
import { TesseraError } from "../errors.js";
import { checkIdentifierInput } from "../identifiers.js";
import { type ClientId, newClientId, type TenantId } from "../ids.js";
import type { ClientPublicKey, ClientRecord } from "../model/index.js";
import { generateOpaqueToken, hashSecret } from "../opaque-token.js";
import { getTenant } from "../tenants.js";
import { auditedAudiences, parseAudiences, refuseClientIdAudiences } from "./audiences.js";
import { parseTokenEndpointAuthMethod, usesSecret } from "./auth-methods.js";
import { isClientIdShaped, parseChosenClientId } from "./client-ids.js";
import { checkClientName } from "./client-names.js";
import { checkClientCoherence } from "./coherence.js";
import { API_KEY_CLIENT_GRANTS, parseGrantTypes, TOKEN_API_CLIENT_GRANTS } from "./grant-types.js";
import { parseClientPublicKey } from "./public-keys.js";
import { parseScopes } from "./scopes.js";
import { enrolTotp } from "./totp.js";

/** What the client operations need of the core. */
export type ClientCtx = Pick<CoreContext, "store" | "clock" | "secretBox" | "settings">;

/** Long-term tokens live 30 to 90 days (spec 004); a client's ceiling lies in that range. */
export const LONG_TERM_TTL_DAYS = { min: 30, max: 90, default: 30 } as const;
const SECRET_PREFIX_LENGTH = 12;

/** A new client, with the secrets shown only here. */
export interface NewClient {
  readonly client: ClientRecord;
  /** Its secret; null for a client without one (public, `private_key_jwt`). */
  readonly clientSecret: string | null;
  /** The `otpauth://` URI to enrol an authenticator, when OTP was asked for. */
  readonly otpauthUri?: string;
}

/** What a client is created with; everything but the tenant, name and scopes has a default. */
export interface NewClientInput extends Actor {
  readonly tenantId: TenantId;
  readonly name: string;
  readonly scopes: readonly string[];
  /** An id of the operator's choosing (`ci-bot`); a generated one by default. */
  readonly id?: string;
  /**
   * RFC names of its grants; by default `client_credentials` and
   * `jwt-bearer` (the token API's step-ups), or `password` and
   * `refresh_token` for a public client.
   */
  readonly grantTypes?: readonly string[];
  /** `client_secret_basic` (the default), `client_secret_post`, `private_key_jwt` or `none`. */
  readonly tokenEndpointAuthMethod?: string;
  readonly otp?: boolean;
  readonly publicKeys?: readonly string[];
  readonly maxTokenTtlDays?: number;
  /** Audiences its short-term tokens may have besides the tenant's issuer; none by default. */
  readonly audiences?: readonly string[];
  /** The caller's reach: it may give only scopes it holds. Absent for the operator's own tools. */
  readonly authority?: Authority;
  /** One of Tessera's own clients ({@link ClientRecord.firstParty}): bootstrap's alone to set. */
  readonly firstParty?: boolean;
}

/** Checks a long-term token ceiling. */
export function checkMaxTtl(days: number): void {
  if (!Number.isInteger(days) || days < LONG_TERM_TTL_DAYS.min || days > LONG_TERM_TTL_DAYS.max) {
    throw new TesseraError(
      "invalid_request",
      `The longest token lifetime is a whole number of days from ${LONG_TERM_TTL_DAYS.min} to ${LONG_TERM_TTL_DAYS.max}`,
    );
  }
}

/** A new client secret (`tsr_cs_…`), its hash and the prefix an operator sees. */
export function newClientSecret(): {
  readonly secret: string;
  readonly hash: NonNullable<ClientRecord["secretHash"]>;
  readonly prefix: string;
} {
  const secret = generateOpaqueToken("tsr_cs");
  return { secret, hash: hashSecret(secret), prefix: secret.slice(0, SECRET_PREFIX_LENGTH) };
}

/** Parses PEM or JWK public keys, one per kid (a later key with the same kid wins). */
export async function parsePublicKeys(texts: readonly string[]): Promise<ClientPublicKey[]> {
  const keys = await Promise.all(texts.map(parseClientPublicKey));
  return [...new Map(keys.map((key) => [key.kid, key])).values()];
}

/**
 * Refuses an id or a name that would make "a client's id or name" mean two
 * clients: a chosen id that is another client's id or name, a name that is
 * another client's id. (Names are unique by the store's constraint, ids by
 * its key.) Checking and storing are two steps, so two operators racing
 * could still make such a pair; {@link findClient} then prefers the id.
 *
 * @param input.self the client being renamed, which may keep what it has.
 */
export async function checkIdAndNameFree(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  input: { readonly id?: ClientId; readonly name?: string; readonly self?: ClientId },
): Promise<void> {
  const { id, name, self } = input;
  const [byId, byIdAsName, byNameAsId] = await Promise.all([
    id === undefined ? undefined : ctx.store.clients.get(tenantId, id),
    id === undefined ? undefined : ctx.store.clients.getByName(tenantId, id),
    name === undefined || !isClientIdShaped(name)
      ? undefined
      : ctx.store.clients.get(tenantId, name),
  ]);
  if (byId !== undefined && byId.id !== self) {
    throw new TesseraError(
      "conflict",
      `The tenant already has a client with id ${echoInput(byId.id)}`,
    );
  }
  if (byIdAsName !== undefined && byIdAsName.id !== self) {
    throw new TesseraError(
      "conflict",
      `Client id ${echoInput(byIdAsName.name)} is another client's name`,
    );
  }
  if (byNameAsId !== undefined && byNameAsId.id !== self) {
    throw new TesseraError(
      "conflict",
      `Client name ${echoInput(byNameAsId.id)} is another client's id`,
    );
  }
}

/**
 * Registers a client application. Its secret (and TOTP seed, when asked
 * for) is returned here once; only the secret's SHA-256 and the sealed seed
 * are stored. A public client (`none`) and a `private_key_jwt` one get no
 * secret. Contradicting settings are refused ({@link checkClientCoherence}).
 *
 * @example
 * const { client, clientSecret } = await createClient(ctx, {
 *   tenantId, name: "ci-bot", id: "ci-bot", scopes: ["tokens:write"],
 * });
 */
export async function createClient(ctx: ClientCtx, input: NewClientInput): Promise<NewClient> {
  await getTenant(ctx, input.tenantId);
  checkClientName(input.name);
  const id = input.id === undefined ? newClientId() : parseChosenClientId(input.id);
  const method = parseTokenEndpointAuthMethod(
    input.tokenEndpointAuthMethod ?? "client_secret_basic",
  );
  const grantTypes = parseGrantTypes(
    input.grantTypes ?? (method === "none" ? API_KEY_CLIENT_GRANTS : TOKEN_API_CLIENT_GRANTS),
  );
  const maxTokenTtlDays = input.maxTokenTtlDays ?? LONG_TERM_TTL_DAYS.max;
  checkMaxTtl(maxTokenTtlDays);
  const scopes = parseScopes(input.scopes);
  checkMayGrant(input.authority, scopes);
  const audiences = parseAudiences(input.audiences ?? [], ctx.settings);
  const publicKeys = await parsePublicKeys(input.publicKeys ?? []);
  // Checked before a seed is sealed or a secret made: nothing is generated for a refusal.
  checkClientCoherence({
    grantTypes,
    tokenEndpointAuthMethod: method,
    publicKeys,
    totpSeedSealed: input.otp === true ? "" : null,
  });
  await checkIdAndNameFree(ctx, input.tenantId, {
    ...(input.id === undefined ? {} : { id }),
    name: input.name,
  });
  await refuseClientIdAudiences(ctx, input.tenantId, audiences, id);
  const totp = input.otp === true ? enrolTotp(ctx.secretBox, { id, name: input.name }) : undefined;
  const secret = usesSecret(method) ? newClientSecret() : undefined;
  const now = ctx.clock.now();
  const client: ClientRecord = {
    id,
    tenantId: input.tenantId,
    name: input.name,
    grantTypes,
    tokenEndpointAuthMethod: method,
    secretHash: secret?.hash ?? null,
    secretPrefix: secret?.prefix ?? null,
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    totpSeedSealed: totp?.sealed ?? null,
    publicKeys,
    scopes,
    audiences,
    maxTokenTtlDays,
    status: "active",
    firstParty: input.firstParty === true,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.clients.create(client);
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at: now,
    type: "client.created",
    ...auditActor(input),
    clientId: id,
    detail: {
      clientId: id,
      name: input.name,
      grantTypes: grantTypes.join(" "),
      authMethod: method,
      scopes: scopes.join(" "),
      audiences: auditedAudiences(audiences),
      otp: totp !== undefined,
      publicKeys: publicKeys.length,
    },
  });
  return {
    client,
    clientSecret: secret?.secret ?? null,
    ...(totp === undefined ? {} : { otpauthUri: totp.uri }),
  };
}

/**
 * Loads a client of the tenant by id or name, or throws `not_found`. An id
 * is tried first: ids are what credentials and tokens carry.
 */
export async function findClient(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  idOrName: string,
): Promise<ClientRecord> {
  checkIdentifierInput(idOrName, "A client");
  const byId = isClientIdShaped(idOrName)
    ? await ctx.store.clients.get(tenantId, idOrName)
    : undefined;
  const client = byId ?? (await ctx.store.clients.getByName(tenantId, idOrName));
  if (client === undefined) {
    throw new TesseraError("not_found", `No client ${echoInput(idOrName)}`);
  }
  return client;
}

/** A client and how many live API keys it holds. */
export interface ListedClient {
  readonly client: ClientRecord;
  readonly apiKeys: number;
}

/**
 * A tenant's clients ordered by name (those made for API keys included),
 * each with its number of live (unrevoked) API keys.
 */
export async function listClients(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
): Promise<ListedClient[]> {
  const [clients, keys] = await Promise.all([
    ctx.store.clients.list(tenantId),
    ctx.store.apiKeys.list(tenantId),
  ]);
  const live = new Map<ClientId, number>();
  for (const key of keys) {
    if (key.revokedAt === null) {
      live.set(key.clientId, (live.get(key.clientId) ?? 0) + 1);
    }
  }
  return clients.map((client) => ({ client, apiKeys: live.get(client.id) ?? 0 }));
}

/** One client of the tenant by id or name, with its number of live API keys. */
export async function showClient(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  idOrName: string,
): Promise<ListedClient> {
  const client = await findClient(ctx, tenantId, idOrName);
  const keys = await ctx.store.apiKeys.list(tenantId);
  return {
    client,
    apiKeys: keys.filter((k) => k.clientId === client.id && k.revokedAt === null).length,
  };
}
