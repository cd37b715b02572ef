import { type Actor, auditActor } from "./actor.js";
import { recordAudit } from "./audit.js";
import type { CoreContext } from "./context.js";
import { TesseraError } from "./errors.js";
import type { KeyId, TenantId } from "./ids.js";
import { SIGNING_ALGORITHMS } from "./keyring.js";
import type { EpochMs, SigningAlgorithm, SigningKeyRecord, TenantRecord } from "./model/index.js";
import { getTenant } from "./tenants.js";

const DAY_MS = 86_400_000;

/** A signing key with when the key rotation schedule will retire it. */
export type ListedSigningKey = SigningKeyRecord & {
  /**
   * When the schedule rotates this key: the active key's activation plus the
   * tenant's `signingKeyRotationDays`; null for a key that is not active, or
   * when the tenant rotates only by hand.
   */
  readonly rotatesAt: EpochMs | null;
};

/**
 * When the key rotation schedule rotates `key` out (see
 * {@link ListedSigningKey.rotatesAt}); null if it never will by itself.
 */
export function signingKeyRotatesAt(
  tenant: Pick<TenantRecord, "signingKeyRotationDays">,
  key: Pick<SigningKeyRecord, "status" | "activatedAt">,
): EpochMs | null {
  if (key.status !== "active" || key.activatedAt === null || tenant.signingKeyRotationDays <= 0) {
    return null;
  }
  return key.activatedAt + tenant.signingKeyRotationDays * DAY_MS;
}

/**
 * A tenant's signing keys (public parts only matter to callers), each with
 * when the schedule rotates it; `not_found` for an unknown tenant.
 */
export async function listSigningKeys(
  ctx: Pick<CoreContext, "store" | "keyring">,
  tenantId: TenantId,
): Promise<ListedSigningKey[]> {
  const tenant = await getTenant(ctx, tenantId);
  const keys = await ctx.keyring.list(tenantId);
  return keys.map((key) => ({ ...key, rotatesAt: signingKeyRotatesAt(tenant, key) }));
}

/**
 * Rotates a tenant's signing keys for `algorithm` (the tenant's own by
 * default): the published next key starts signing, the active one is
 * retired (it stays in the JWKS until what it signed has expired), and a
 * new next key is published. Audited with the actor, and with
 * `scheduled: true` when the key rotation schedule did it.
 *
 * @returns the algorithm and the kid that now signs.
 */
export async function rotateSigningKey(
  ctx: Pick<CoreContext, "store" | "keyring" | "clock">,
  input: {
    readonly tenantId: TenantId;
    readonly algorithm?: string;
    /** The key rotation schedule rotates, not an operator. */
    readonly scheduled?: boolean;
  } & Actor,
): Promise<{ readonly algorithm: SigningAlgorithm; readonly kid: KeyId }> {
  const tenant = await getTenant(ctx, input.tenantId);
  const algorithm = (input.algorithm ?? tenant.signingAlgorithm) as SigningAlgorithm;
  if (!SIGNING_ALGORITHMS.includes(algorithm)) {
    throw new TesseraError(
      "invalid_request",
      `The algorithm must be one of ${SIGNING_ALGORITHMS.join(", ")}`,
    );
  }
  const kid = await ctx.keyring.rotate(tenant.id, algorithm);
  await recordAudit(ctx, {
    tenantId: tenant.id,
    at: ctx.clock.now(),
    type: "signing_key.rotated",
    ...auditActor(input),
    detail: { kid, algorithm, ...(input.scheduled === true ? { scheduled: true } : {}) },
  });
  return { algorithm, kid };
}
