import { recordAudit } from "../audit.js";
import type { CoreContext } from "../context.js";
import { echoInput } from "../echo.js";
import { TesseraError } from "../errors.js";
import { checkIdentifierInput } from "../identifiers.js";
import { type ClientId, newClientId, type TenantId } from "../ids.js";
import type { ClientPublicKey, ClientRecord } from "../model/index.js";
import { generateOpaqueToken, hashSecret } from "../opaque-token.js";
import type { ClientPatch } from "../ports/index.js";
import { getTenant } from "../tenants.js";
import type { Actor } from "../users.js";
import { auditedAudiences, parseAudiences } from "./audiences.js";
import { parseClientPublicKey } from "./public-keys.js";
import { parseScopes } from "./scopes.js";
import { enrolTotp } from "./totp.js";

type Ctx = Pick<CoreContext, "store" | "clock" | "secretBox" | "settings">;

/** Long-term tokens live 30 to 90 days (spec 004); a client's ceiling lies in that range. */
export const LONG_TERM_TTL_DAYS = { min: 30, max: 90, default: 30 } as const;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SECRET_PREFIX_LENGTH = 12;
const CLIENT_ID_SHAPE = /^[a-z0-9]{26}$/;

/** A new client, with the secrets shown only here. */
export interface NewClient {
  readonly client: ClientRecord;
  readonly clientSecret: string;
  /** The `otpauth://` URI to enrol an authenticator, when OTP was asked for. */
  readonly otpauthUri?: string;
}

function checkName(name: string): void {
  // A name shaped like a client id would shadow that client in the CLI.
  if (!NAME_PATTERN.test(name) || CLIENT_ID_SHAPE.test(name)) {
    throw new TesseraError(
      "invalid_request",
      "A client name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit, and not shaped like a client id",
    );
  }
}

function checkMaxTtl(days: number): void {
  if (!Number.isInteger(days) || days < LONG_TERM_TTL_DAYS.min || days > LONG_TERM_TTL_DAYS.max) {
    throw new TesseraError(
      "invalid_request",
      `The longest token lifetime is a whole number of days from ${LONG_TERM_TTL_DAYS.min} to ${LONG_TERM_TTL_DAYS.max}`,
    );
  }
}

function newSecret(): {
  readonly secret: string;
  readonly hash: ClientRecord["secretHash"];
  readonly prefix: string;
} {
  const secret = generateOpaqueToken("tsr_cs");
  return { secret, hash: hashSecret(secret), prefix: secret.slice(0, SECRET_PREFIX_LENGTH) };
}

async function parseKeys(texts: readonly string[]): Promise<ClientPublicKey[]> {
  const keys = await Promise.all(texts.map(parseClientPublicKey));
  return [...new Map(keys.map((key) => [key.kid, key])).values()];
}

/**
 * Registers a client application of the token API. Its secret (and TOTP
 * seed, when asked for) is returned here once; only the secret's SHA-256 and
 * the sealed seed are stored.
 */
export async function createClient(
  ctx: Ctx,
  input: {
    readonly tenantId: TenantId;
    readonly name: string;
    readonly scopes: readonly string[];
    readonly otp?: boolean;
    readonly publicKeys?: readonly string[];
    readonly maxTokenTtlDays?: number;
    /** Audiences its short-term tokens may have besides the tenant's issuer; none by default. */
    readonly audiences?: readonly string[];
  } & Actor,
): Promise<NewClient> {
  await getTenant(ctx, input.tenantId);
  checkName(input.name);
  const maxTokenTtlDays = input.maxTokenTtlDays ?? LONG_TERM_TTL_DAYS.max;
  checkMaxTtl(maxTokenTtlDays);
  const scopes = parseScopes(input.scopes);
  const audiences = parseAudiences(input.audiences ?? [], ctx.settings);
  const publicKeys = await parseKeys(input.publicKeys ?? []);
  const id = newClientId();
  const totp = input.otp === true ? enrolTotp(ctx.secretBox, { id, name: input.name }) : undefined;
  const { secret, hash, prefix } = newSecret();
  const now = ctx.clock.now();
  const client: ClientRecord = {
    id,
    tenantId: input.tenantId,
    name: input.name,
    secretHash: hash,
    secretPrefix: prefix,
    totpSeedSealed: totp?.sealed ?? null,
    publicKeys,
    scopes,
    audiences,
    maxTokenTtlDays,
    status: "active",
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.clients.create(client);
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at: now,
    type: "client.created",
    actorUserId: input.actorUserId ?? null,
    detail: {
      clientId: id,
      name: input.name,
      scopes: scopes.join(" "),
      audiences: auditedAudiences(audiences),
      otp: totp !== undefined,
      publicKeys: publicKeys.length,
    },
  });
  return {
    client,
    clientSecret: secret,
    ...(totp === undefined ? {} : { otpauthUri: totp.uri }),
  };
}

/** Loads a client of the tenant by name or id, or throws `not_found`. */
export async function findClient(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  nameOrId: string,
): Promise<ClientRecord> {
  checkIdentifierInput(nameOrId, "A client");
  const byName = await ctx.store.clients.getByName(tenantId, nameOrId);
  const client = byName ?? (await ctx.store.clients.get(nameOrId as ClientId));
  if (client === undefined || client.tenantId !== tenantId) {
    throw new TesseraError("not_found", `No client ${echoInput(nameOrId)}`);
  }
  return client;
}

/** A tenant's clients ordered by name. */
export async function listClients(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
): Promise<ClientRecord[]> {
  return ctx.store.clients.list(tenantId);
}

/**
 * Changes a client: its scopes, allowed audiences (replaced as a whole),
 * ceiling, name, public keys, OTP enrolment, or whether it is enabled. A disabled client cannot step up and its tokens
 * are refused until it is enabled again. Returns a new `otpauth://` URI when
 * OTP is (re-)enrolled.
 */
export async function updateClient(
  ctx: Ctx,
  input: {
    readonly tenantId: TenantId;
    readonly client: string;
    readonly name?: string;
    readonly scopes?: readonly string[];
    readonly audiences?: readonly string[];
    readonly maxTokenTtlDays?: number;
    readonly addPublicKeys?: readonly string[];
    readonly removePublicKeys?: readonly string[];
    readonly otp?: "enrol" | "remove";
    readonly enabled?: boolean;
  } & Actor,
): Promise<{ readonly client: ClientRecord; readonly otpauthUri?: string }> {
  const client = await findClient(ctx, input.tenantId, input.client);
  if (input.name !== undefined) {
    checkName(input.name);
  }
  if (input.maxTokenTtlDays !== undefined) {
    checkMaxTtl(input.maxTokenTtlDays);
  }
  let publicKeys: ClientPublicKey[] | undefined;
  if (input.addPublicKeys !== undefined || input.removePublicKeys !== undefined) {
    const removed = new Set(input.removePublicKeys ?? []);
    const unknown = [...removed].filter((kid) => !client.publicKeys.some((k) => k.kid === kid));
    if (unknown.length > 0) {
      throw new TesseraError(
        "not_found",
        `The client has no public key ${echoInput(unknown.join(", "))}`,
      );
    }
    const added = await parseKeys(input.addPublicKeys ?? []);
    publicKeys = [
      ...new Map(
        [...client.publicKeys.filter((k) => !removed.has(k.kid)), ...added].map((k) => [k.kid, k]),
      ).values(),
    ];
  }
  const totp =
    input.otp === "enrol"
      ? enrolTotp(ctx.secretBox, { id: client.id, name: input.name ?? client.name })
      : undefined;
  const patch: ClientPatch = {
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(input.scopes === undefined ? {} : { scopes: parseScopes(input.scopes) }),
    ...(input.audiences === undefined
      ? {}
      : { audiences: parseAudiences(input.audiences, ctx.settings) }),
    ...(input.maxTokenTtlDays === undefined ? {} : { maxTokenTtlDays: input.maxTokenTtlDays }),
    ...(publicKeys === undefined ? {} : { publicKeys }),
    ...(totp === undefined ? {} : { totpSeedSealed: totp.sealed }),
    ...(input.otp === "remove" ? { totpSeedSealed: null } : {}),
    ...(input.enabled === undefined ? {} : { status: input.enabled ? "active" : "disabled" }),
  };
  if (Object.keys(patch).length === 0) {
    throw new TesseraError("invalid_request", "Nothing to change");
  }
  const now = ctx.clock.now();
  const updated = await ctx.store.clients.update(input.tenantId, client.id, patch, now);
  if (updated === undefined) {
    throw new TesseraError("not_found", `No client ${echoInput(input.client)}`);
  }
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at: now,
    type: "client.updated",
    actorUserId: input.actorUserId ?? null,
    detail: {
      clientId: client.id,
      changed: Object.keys(patch).join(" "),
      status: updated.status,
      ...(patch.audiences === undefined ? {} : { audiences: auditedAudiences(patch.audiences) }),
    },
  });
  return { client: updated, ...(totp === undefined ? {} : { otpauthUri: totp.uri }) };
}

/** Replaces a client's secret; the old one stops working at once. The new one is shown once. */
export async function rotateClientSecret(
  ctx: Ctx,
  input: { readonly tenantId: TenantId; readonly client: string } & Actor,
): Promise<{ readonly client: ClientRecord; readonly clientSecret: string }> {
  const client = await findClient(ctx, input.tenantId, input.client);
  const { secret, hash, prefix } = newSecret();
  const now = ctx.clock.now();
  const updated = await ctx.store.clients.update(
    input.tenantId,
    client.id,
    { secretHash: hash, secretPrefix: prefix },
    now,
  );
  if (updated === undefined) {
    throw new TesseraError("not_found", `No client ${echoInput(input.client)}`);
  }
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at: now,
    type: "client.secret_rotated",
    actorUserId: input.actorUserId ?? null,
    detail: { clientId: client.id },
  });
  return { client: updated, clientSecret: secret };
}
