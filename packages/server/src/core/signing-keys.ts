import { type Actor, auditActor } from "./actor.js";
import { recordAudit } from "./audit.js";
import type { CoreContext } from "./context.js";
import { TesseraError } from "./errors.js";
import type { KeyId, TenantId } from "./ids.js";
import { SIGNING_ALGORITHMS } from "./keyring.js";
import type { SigningAlgorithm, SigningKeyRecord } from "./model/index.js";
import { getTenant } from "./tenants.js";

/** A tenant's signing keys (public parts only matter to callers), `not_found` for an unknown tenant. */
export async function listSigningKeys(
  ctx: Pick<CoreContext, "store" | "keyring">,
  tenantId: TenantId,
): Promise<SigningKeyRecord[]> {
  await getTenant(ctx, tenantId);
  return ctx.keyring.list(tenantId);
}

/**
 * Rotates a tenant's signing keys for `algorithm` (the tenant's own by
 * default): the published next key starts signing, the active one is
 * retired (it stays in the JWKS until what it signed has expired), and a
 * new next key is published. Audited with the actor.
 *
 * @returns the algorithm and the kid that now signs.
 */
export async function rotateSigningKey(
  ctx: Pick<CoreContext, "store" | "keyring" | "clock">,
  input: {
    readonly tenantId: TenantId;
    readonly algorithm?: string;
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
    detail: { kid, algorithm },
  });
  return { algorithm, kid };
}
