import type { CoreContext } from "./context.js";
import type { KeyId, TenantId } from "./ids.js";
import type { SigningAlgorithm } from "./model/index.js";
import { rotateSigningKey, signingKeyRotatesAt } from "./signing-keys.js";

/** The name of the lock a scheduled rotation holds, so that one instance rotates at a time. */
export const KEY_ROTATION_LOCK = "key-rotation";

/** One key the schedule rotated. */
export interface ScheduledRotation {
  readonly tenantId: TenantId;
  readonly algorithm: SigningAlgorithm;
  /** The key that signs from now on. */
  readonly kid: KeyId;
}

/** A tenant whose rotation failed; the others were still rotated. */
export interface FailedRotation {
  readonly tenantId: TenantId;
  readonly error: unknown;
}

/** What {@link rotateDueSigningKeys} did. */
export type KeyRotationOutcome =
  | {
      readonly ran: true;
      readonly rotated: readonly ScheduledRotation[];
      readonly failed: readonly FailedRotation[];
    }
  /** Another instance held the lock: nothing was done. */
  | { readonly ran: false };

/**
 * Rotates every signing key that is due: for each tenant whose
 * `signingKeyRotationDays` is above 0, each algorithm whose active key was
 * activated that many days ago or longer (its `rotatesAt` has come). Each
 * rotation goes through {@link rotateSigningKey}, so it is audited as
 * `signing_key.rotated` with `scheduled: true`.
 *
 * Runs under the store's key rotation lock, so of several instances one
 * rotates at a time (and a key is never rotated twice for one due date);
 * `{ ran: false }` when another holds it. A failure for one tenant is
 * reported in `failed` and does not stop the others.
 *
 * @example
 * const outcome = await rotateDueSigningKeys(ctx);
 * if (outcome.ran) for (const f of outcome.failed) log.warn(f.error);
 */
export async function rotateDueSigningKeys(
  ctx: Pick<CoreContext, "store" | "keyring" | "clock">,
  options: { readonly signal?: AbortSignal } = {},
): Promise<KeyRotationOutcome> {
  const outcome = await ctx.store.maintenance.tryLock(KEY_ROTATION_LOCK, async () => {
    const rotated: ScheduledRotation[] = [];
    const failed: FailedRotation[] = [];
    const tenants = (await ctx.store.tenants.list()).filter(
      (tenant) => tenant.signingKeyRotationDays > 0,
    );
    for (const tenant of tenants) {
      if (options.signal?.aborted === true) {
        break;
      }
      try {
        const now = ctx.clock.now();
        // From the store, not the keyring's cache: a rotation another process
        // made moments ago (`tessera keys rotate`) must not be rotated again.
        const due = (await ctx.store.signingKeys.list(tenant.id)).filter((key) => {
          const rotatesAt = signingKeyRotatesAt(tenant, key);
          return rotatesAt !== null && rotatesAt <= now;
        });
        for (const key of due) {
          const done = await rotateSigningKey(ctx, {
            tenantId: tenant.id,
            algorithm: key.algorithm,
            scheduled: true,
          });
          rotated.push({ tenantId: tenant.id, algorithm: done.algorithm, kid: done.kid });
        }
      } catch (error) {
        failed.push({ tenantId: tenant.id, error });
      }
    }
    return { rotated, failed };
  });
  return outcome.acquired ? { ran: true, ...outcome.result } : { ran: false };
}
