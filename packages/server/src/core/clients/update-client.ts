import { type Actor, auditActor } from "../actor.js";
import { recordAudit } from "../audit.js";
import { type Authority, checkMayGrant } from "../authority.js";
import { echoInput } from "../echo.js";
import { TesseraError } from "../errors.js";
import type { TenantId } from "../ids.js";
import type { ClientPublicKey, ClientRecord } from "../model/index.js";
import type { ClientPatch } from "../ports/index.js";
import { auditedAudiences, parseAudiences, refuseClientIdAudiences } from "./audiences.js";
import { parseTokenEndpointAuthMethod, usesSecret } from "./auth-methods.js";
import { checkMayManageClient } from "./client-authority.js";
import { checkClientName } from "./client-names.js";
import {
  type ClientCtx,
  checkIdAndNameFree,
  checkMaxTtl,
  findClient,
  newClientSecret,
  parsePublicKeys,
} from "./clients.js";
import { checkClientCoherence } from "./coherence.js";
import { refuseFirstPartyChange } from "./first-party.js";
import { parseGrantTypes } from "./grant-types.js";
import { parseScopes } from "./scopes.js";
import { enrolTotp } from "./totp.js";

/** What {@link updateClient} may change; anything left out stays as it is. */
export interface ClientUpdate extends Actor {
  readonly tenantId: TenantId;
  /** The client's id or name. */
  readonly client: string;
  readonly name?: string;
  readonly grantTypes?: readonly string[];
  readonly tokenEndpointAuthMethod?: string;
  readonly scopes?: readonly string[];
  readonly audiences?: readonly string[];
  readonly maxTokenTtlDays?: number;
  readonly addPublicKeys?: readonly string[];
  readonly removePublicKeys?: readonly string[];
  readonly otp?: "enrol" | "remove";
  readonly enabled?: boolean;
  /**
   * A test of the client as read (an `If-Match` that must still hold):
   * when it fails, nothing changes and the answer is `precondition_failed`.
   */
  readonly precondition?: (current: ClientRecord) => boolean;
  /**
   * The caller's reach: it may change only a client holding no scope it
   * lacks, and give only scopes it holds. Absent for the operator's own tools.
   */
  readonly authority?: Authority;
}

/** A changed client, with whatever secret the change made, shown only here. */
export interface UpdatedClient {
  readonly client: ClientRecord;
  /** A new `otpauth://` URI, when OTP was (re-)enrolled. */
  readonly otpauthUri?: string;
  /** A new secret, when the auth method changed to a `client_secret_*` one from one without. */
  readonly clientSecret?: string;
}

async function changedKeys(
  client: ClientRecord,
  input: ClientUpdate,
): Promise<ClientPublicKey[] | undefined> {
  if (input.addPublicKeys === undefined && input.removePublicKeys === undefined) {
    return undefined;
  }
  const removed = new Set(input.removePublicKeys ?? []);
  const unknown = [...removed].filter((kid) => !client.publicKeys.some((k) => k.kid === kid));
  if (unknown.length > 0) {
    throw new TesseraError(
      "not_found",
      `The client has no public key ${echoInput(unknown.join(", "))}`,
    );
  }
  const added = await parsePublicKeys(input.addPublicKeys ?? []);
  return [
    ...new Map(
      [...client.publicKeys.filter((k) => !removed.has(k.kid)), ...added].map((k) => [k.kid, k]),
    ).values(),
  ];
}

/**
 * Changes a client: its name, grant types, auth method, scopes, allowed
 * audiences (replaced as a whole), ceiling, public keys, OTP enrolment, or
 * whether it is enabled. The result must still make sense as a whole
 * ({@link checkClientCoherence}). Moving to a `client_secret_*` auth method
 * from one without a secret makes a secret (returned once); moving away
 * from one drops the secret, which stops working at once. A disabled client
 * cannot step up, its API keys open nothing, and its tokens are refused
 * until it is enabled again.
 *
 * The write applies only if the client is still as it was read: a change
 * made in between is `precondition_failed`, never overwritten.
 */
export async function updateClient(ctx: ClientCtx, input: ClientUpdate): Promise<UpdatedClient> {
  const client = await findClient(ctx, input.tenantId, input.client);
  checkPrecondition(client, input.precondition);
  checkMayManageClient(input.authority, client);
  // Every setting but `enabled`, listed by what it is not, so one added later is covered too.
  const {
    tenantId: _tenant,
    client: _client,
    enabled: _enabled,
    precondition: _precondition,
    authority: _authority,
    actorUserId: _actorUser,
    actorClientId: _actorClient,
    ip: _ip,
    ...settings
  } = input;
  if (Object.values(settings).some((value) => value !== undefined)) {
    refuseFirstPartyChange(client, "other settings");
  }
  const scopes = input.scopes === undefined ? undefined : parseScopes(input.scopes);
  checkMayGrant(input.authority, scopes ?? []);
  if (input.name !== undefined) {
    checkClientName(input.name);
  }
  if (input.maxTokenTtlDays !== undefined) {
    checkMaxTtl(input.maxTokenTtlDays);
  }
  const grantTypes = input.grantTypes === undefined ? undefined : parseGrantTypes(input.grantTypes);
  const method =
    input.tokenEndpointAuthMethod === undefined
      ? undefined
      : parseTokenEndpointAuthMethod(input.tokenEndpointAuthMethod);
  const publicKeys = await changedKeys(client, input);
  const methodAfter = method ?? client.tokenEndpointAuthMethod;
  checkClientCoherence({
    grantTypes: grantTypes ?? client.grantTypes,
    tokenEndpointAuthMethod: methodAfter,
    publicKeys: publicKeys ?? client.publicKeys,
    totpSeedSealed:
      input.otp === "enrol" ? "" : input.otp === "remove" ? null : client.totpSeedSealed,
  });
  if (input.name !== undefined && input.name !== client.name) {
    await checkIdAndNameFree(ctx, input.tenantId, { name: input.name, self: client.id });
  }
  const audiences =
    input.audiences === undefined ? undefined : parseAudiences(input.audiences, ctx.settings);
  if (audiences !== undefined) {
    await refuseClientIdAudiences(ctx, input.tenantId, audiences, client.id);
  }
  const secret =
    usesSecret(methodAfter) && client.secretHash === null ? newClientSecret() : undefined;
  const dropSecret = !usesSecret(methodAfter) && client.secretHash !== null;
  const totp =
    input.otp === "enrol"
      ? enrolTotp(ctx.secretBox, { id: client.id, name: input.name ?? client.name })
      : undefined;
  const patch: ClientPatch = {
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(grantTypes === undefined ? {} : { grantTypes }),
    ...(method === undefined ? {} : { tokenEndpointAuthMethod: method }),
    ...(secret === undefined ? {} : { secretHash: secret.hash, secretPrefix: secret.prefix }),
    ...(dropSecret
      ? {
          secretHash: null,
          secretPrefix: null,
          previousSecretHash: null,
          previousSecretExpiresAt: null,
        }
      : {}),
    ...(scopes === undefined ? {} : { scopes }),
    ...(audiences === undefined ? {} : { audiences }),
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
  const updated = await ctx.store.clients.update(input.tenantId, client.id, patch, now, {
    ifUpdatedAt: client.updatedAt,
  });
  if (updated === undefined) {
    throw new TesseraError("not_found", `No client ${echoInput(input.client)}`);
  }
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at: now,
    type: "client.updated",
    ...auditActor(input),
    clientId: client.id,
    detail: {
      clientId: client.id,
      changed: Object.keys(patch).join(" "),
      status: updated.status,
      ...(grantTypes === undefined ? {} : { grantTypes: grantTypes.join(" ") }),
      ...(method === undefined ? {} : { authMethod: method }),
      ...(patch.audiences === undefined ? {} : { audiences: auditedAudiences(patch.audiences) }),
    },
  });
  return {
    client: updated,
    ...(totp === undefined ? {} : { otpauthUri: totp.uri }),
    ...(secret === undefined ? {} : { clientSecret: secret.secret }),
  };
}

/** The longest overlap a secret rotation may give the old secret: 30 days. */
export const MAX_SECRET_OVERLAP_SECONDS = 30 * 86_400;

/** Refuses a client that fails the caller's test of it as read. */
function checkPrecondition(
  client: ClientRecord,
  precondition: ((current: ClientRecord) => boolean) | undefined,
): void {
  if (precondition !== undefined && !precondition(client)) {
    throw new TesseraError("precondition_failed", "The client changed since it was read");
  }
}

/** A rotated secret, shown only here, and until when the old one still works. */
export interface RotatedSecret {
  readonly client: ClientRecord;
  readonly clientSecret: string;
  /** When the replaced secret stops working; null when it stopped at once. */
  readonly previousSecretExpiresAt: number | null;
}

/**
 * Replaces a client's secret; the new one is shown once. Without
 * `overlapSeconds` (or with 0) the old one stops working at once; with it,
 * the old one keeps working beside the new one for that long (at most
 * {@link MAX_SECRET_OVERLAP_SECONDS}), so every deployment of the client
 * can move to the new secret first. Only one old secret is kept: rotating
 * again during an overlap ends the older one at once. A client without a
 * secret (public, `private_key_jwt`) gets one only by changing its auth
 * method.
 *
 * @example
 * const { clientSecret } = await rotateClientSecret(ctx, {
 *   tenantId, client: "ci-bot", overlapSeconds: 3600,
 * });
 */
export async function rotateClientSecret(
  ctx: ClientCtx,
  input: {
    readonly tenantId: TenantId;
    readonly client: string;
    readonly overlapSeconds?: number;
    readonly precondition?: (current: ClientRecord) => boolean;
    /** The caller's reach: it may rotate only a client holding no scope it lacks. */
    readonly authority?: Authority;
  } & Actor,
): Promise<RotatedSecret> {
  const overlapSeconds = input.overlapSeconds ?? 0;
  if (
    !Number.isInteger(overlapSeconds) ||
    overlapSeconds < 0 ||
    overlapSeconds > MAX_SECRET_OVERLAP_SECONDS
  ) {
    throw new TesseraError(
      "invalid_request",
      `The overlap is a whole number of seconds from 0 to ${MAX_SECRET_OVERLAP_SECONDS}`,
    );
  }
  const client = await findClient(ctx, input.tenantId, input.client);
  refuseFirstPartyChange(client, "a secret");
  checkPrecondition(client, input.precondition);
  checkMayManageClient(input.authority, client);
  if (!usesSecret(client.tokenEndpointAuthMethod) || client.secretHash === null) {
    throw new TesseraError(
      "invalid_request",
      `Client ${echoInput(client.name)} has no secret: its auth method is ${client.tokenEndpointAuthMethod}; change it to client_secret_basic or client_secret_post to give it one`,
    );
  }
  const { secret, hash, prefix } = newClientSecret();
  const now = ctx.clock.now();
  const previousSecretExpiresAt = overlapSeconds === 0 ? null : now + overlapSeconds * 1000;
  const updated = await ctx.store.clients.update(
    input.tenantId,
    client.id,
    {
      secretHash: hash,
      secretPrefix: prefix,
      previousSecretHash: previousSecretExpiresAt === null ? null : client.secretHash,
      previousSecretExpiresAt,
    },
    now,
    { ifUpdatedAt: client.updatedAt },
  );
  if (updated === undefined) {
    throw new TesseraError("not_found", `No client ${echoInput(input.client)}`);
  }
  await recordAudit(ctx, {
    tenantId: input.tenantId,
    at: now,
    type: "client.secret_rotated",
    ...auditActor(input),
    clientId: client.id,
    detail: { clientId: client.id, overlapSeconds },
  });
  return { client: updated, clientSecret: secret, previousSecretExpiresAt };
}
