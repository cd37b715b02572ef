import { type Actor, auditActor } from "./actor.js";
import { recordAudit } from "./audit.js";
import { ensureFirstPartyClients } from "./clients/first-party.js";
import type { CoreContext } from "./context.js";
import { echoInput } from "./echo.js";
import { TesseraError } from "./errors.js";
import { nameProblem } from "./identifiers.js";
import { isTenantId, type TenantId } from "./ids.js";
import { SIGNING_ALGORITHMS } from "./keyring.js";
import type { RefreshPolicy, SigningAlgorithm, TenantRecord } from "./model/index.js";
import type { TenantPatch } from "./ports/index.js";

/** Defaults for a new tenant: the session API's documented lifetimes and behaviour. */
export const TENANT_DEFAULTS = {
  accessTokenTtlSeconds: 3600,
  idTokenTtlSeconds: 3600,
  refreshTokenTtlSeconds: 30 * 24 * 3600,
  refreshPolicy: "none",
  refreshGraceSeconds: 5,
  signingAlgorithm: "ES256",
  operationTokenTtlSeconds: 24 * 3600,
  oauthPasswordGrant: false,
  signingKeyRotationDays: 0,
} as const satisfies Omit<TenantPatch, "displayName">;

/**
 * The operations API signs with RS256 whatever the tenant's own algorithm,
 * as HarperDB does (spec 002), so every tenant keeps RS256 keys too.
 */
export const OPERATIONS_SIGNING_ALGORITHM = "RS256" satisfies SigningAlgorithm;

/** The range of each of a tenant's lifetimes, in seconds. */
export const TENANT_LIMITS = {
  accessTokenTtlSeconds: [60, 24 * 3600],
  idTokenTtlSeconds: [60, 24 * 3600],
  refreshTokenTtlSeconds: [300, 365 * 24 * 3600],
  refreshGraceSeconds: [0, 120],
  operationTokenTtlSeconds: [60, 30 * 24 * 3600],
} as const;

/**
 * The longest scheduled rotation period, in days (ten years); 0, the
 * default, rotates a tenant's signing keys only by hand.
 */
export const MAX_SIGNING_KEY_ROTATION_DAYS = 3650;

const POLICIES: readonly RefreshPolicy[] = ["none", "rotate"];

/**
 * Checks a tenant patch against the allowed ranges; throws `invalid_request`
 * listing each problem.
 *
 * @param nameOf how the caller's wire names each field (the CLI's
 *   `--access-ttl` for `accessTokenTtlSeconds`); the field itself by default.
 */
export function validateTenantPatch(
  patch: TenantPatch,
  nameOf: (field: keyof TenantPatch) => string = (field) => field,
): void {
  const problems: string[] = [];
  for (const [field, [min, max]] of Object.entries(TENANT_LIMITS)) {
    const value = patch[field as keyof typeof TENANT_LIMITS];
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      problems.push(
        `${nameOf(field as keyof typeof TENANT_LIMITS)} must be a whole number from ${min} to ${max}`,
      );
    }
  }
  if (patch.refreshPolicy !== undefined && !POLICIES.includes(patch.refreshPolicy)) {
    problems.push(`${nameOf("refreshPolicy")} must be one of ${POLICIES.join(", ")}`);
  }
  if (patch.oauthPasswordGrant !== undefined && typeof patch.oauthPasswordGrant !== "boolean") {
    problems.push(`${nameOf("oauthPasswordGrant")} must be true or false`);
  }
  const rotationDays = patch.signingKeyRotationDays;
  if (
    rotationDays !== undefined &&
    (!Number.isInteger(rotationDays) ||
      rotationDays < 0 ||
      rotationDays > MAX_SIGNING_KEY_ROTATION_DAYS)
  ) {
    problems.push(
      `${nameOf("signingKeyRotationDays")} must be 0 (rotate only by hand) or a whole number of days from 1 to ${MAX_SIGNING_KEY_ROTATION_DAYS}`,
    );
  }
  if (
    patch.signingAlgorithm !== undefined &&
    !SIGNING_ALGORITHMS.includes(patch.signingAlgorithm)
  ) {
    problems.push(`${nameOf("signingAlgorithm")} must be one of ${SIGNING_ALGORITHMS.join(", ")}`);
  }
  const displayNameProblem =
    patch.displayName === undefined
      ? undefined
      : nameProblem(patch.displayName, nameOf("displayName"), 200);
  if (displayNameProblem !== undefined) {
    problems.push(displayNameProblem);
  }
  if (problems.length > 0) {
    throw new TesseraError("invalid_request", problems.join("; "));
  }
}

/** Parses an operator-supplied tenant id. */
export function parseTenantId(value: string): TenantId {
  if (!isTenantId(value)) {
    throw new TesseraError(
      "invalid_request",
      "A tenant id is 1-63 characters: lowercase letters, digits and '-', starting with a letter or digit",
    );
  }
  return value;
}

/** Creates a tenant and its signing keys. `conflict` if the id is taken. */
export async function createTenant(
  ctx: Pick<CoreContext, "store" | "clock" | "keyring" | "secretBox" | "settings">,
  input: { readonly id: string } & TenantPatch & Actor,
): Promise<TenantRecord> {
  const { id, actorUserId: _u, actorClientId: _c, ip: _ip, ...patch } = input;
  const tenantId = parseTenantId(id);
  validateTenantPatch(patch);
  const now = ctx.clock.now();
  const tenant: TenantRecord = {
    ...TENANT_DEFAULTS,
    displayName: tenantId,
    ...patch,
    id: tenantId,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.tenants.create(tenant);
  await ensureTenantKeys(ctx, tenant);
  await recordAudit(ctx, {
    tenantId,
    at: now,
    type: "tenant.created",
    ...auditActor(input),
  });
  await ensureFirstPartyClients(ctx, tenantId);
  return tenant;
}

/** Makes sure the tenant can sign for every dialect: its own algorithm and the operations API's. */
export async function ensureTenantKeys(
  ctx: Pick<CoreContext, "keyring">,
  tenant: TenantRecord,
): Promise<void> {
  await ctx.keyring.ensureKeys(tenant.id, tenant.signingAlgorithm);
  if (tenant.signingAlgorithm !== OPERATIONS_SIGNING_ALGORITHM) {
    await ctx.keyring.ensureKeys(tenant.id, OPERATIONS_SIGNING_ALGORITHM);
  }
}

/** Loads a tenant or throws `not_found`. */
export async function getTenant(
  ctx: Pick<CoreContext, "store">,
  id: TenantId,
): Promise<TenantRecord> {
  const tenant = await ctx.store.tenants.get(id);
  if (tenant === undefined) {
    throw new TesseraError("not_found", `No tenant ${echoInput(id)}`);
  }
  return tenant;
}

/**
 * Changes a tenant's settings; a new signing algorithm gets its keys at
 * once. With `precondition`, the change applies only to the tenant as the
 * caller read it (`precondition_failed` otherwise, also when another change
 * lands in between).
 */
export async function updateTenant(
  ctx: Pick<CoreContext, "store" | "clock" | "keyring">,
  id: TenantId,
  patch: TenantPatch,
  options: {
    readonly precondition?: (current: TenantRecord) => boolean;
  } & Actor = {},
): Promise<TenantRecord> {
  validateTenantPatch(patch);
  const current = await getTenant(ctx, id);
  if (options.precondition !== undefined && !options.precondition(current)) {
    throw new TesseraError("precondition_failed", "The tenant changed since it was read");
  }
  const now = ctx.clock.now();
  if (patch.signingAlgorithm !== undefined) {
    await ctx.keyring.ensureKeys(id, patch.signingAlgorithm);
  }
  const tenant = await ctx.store.tenants.update(id, patch, now, {
    ...(options.precondition === undefined ? {} : { ifUpdatedAt: current.updatedAt }),
  });
  if (tenant === undefined) {
    throw new TesseraError("not_found", `No tenant ${echoInput(id)}`);
  }
  await recordAudit(ctx, {
    tenantId: id,
    at: now,
    type: "tenant.updated",
    ...auditActor(options),
    detail: Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, String(v)])),
  });
  return tenant;
}
