import { type Actor, auditActor } from "./actor.js";
import { recordAudit } from "./audit.js";
import type { CoreContext } from "./context.js";
import { TesseraError } from "./errors.js";
import type { TenantId } from "./ids.js";
import type { EpochMs } from "./model/index.js";

/** The name of the lock a purge holds, so that one instance purges at a time. */
export const PURGE_LOCK = "purge";

/** How many rows of each kind a purge deleted. */
export interface PurgeCounts {
  readonly sessions: number;
  readonly refreshTokens: number;
  readonly automationTokens: number;
  readonly oneTimeClaims: number;
}

/** What {@link purgeExpired} did. */
export type PurgeOutcome =
  | {
      readonly ran: true;
      readonly counts: PurgeCounts;
      /** Sessions and automation tokens that ended before this time were deleted. */
      readonly endedBefore: EpochMs;
    }
  /** Another purge held the lock (another instance, or `tessera purge`): nothing was done. */
  | { readonly ran: false };

/**
 * Deletes what can no longer be used, keeping a window for investigations:
 * sessions (with their refresh tokens) and automation tokens that ended
 * (expired or were revoked) more than `retentionMs` before the clock's now,
 * and one-time claims already expired (an expired claim holds nothing).
 * Audit events are kept; they are the record.
 *
 * Runs only under the store's purge lock, so of several instances one purges
 * at a time; `{ ran: false }` when another holds it. Deletes in bounded
 * batches (`MaintenanceStore` in `core/ports/maintenance-store.ts`), and records one `maintenance.purged`
 * audit event with the counts in `tenantId`'s trail when it deleted anything.
 *
 * A purged session's refresh token is refused as unknown, as it was refused
 * as ended before: nothing a client can still use is ever deleted.
 *
 * @example
 * const outcome = await purgeExpired(ctx, { retentionMs: 7 * 86_400_000, tenantId });
 * if (outcome.ran) console.log(outcome.counts.sessions);
 */
export async function purgeExpired(
  ctx: Pick<CoreContext, "store" | "clock">,
  input: {
    readonly retentionMs: number;
    /** The tenant whose audit trail records the purge (the server's default tenant). */
    readonly tenantId: TenantId;
    /** Aborting stops the purge between batches; what was deleted is still counted and audited. */
    readonly signal?: AbortSignal;
    readonly batchSize?: number;
  } & Actor,
): Promise<PurgeOutcome> {
  if (!Number.isSafeInteger(input.retentionMs) || input.retentionMs < 0) {
    throw new TesseraError("invalid_request", "The retention must be a whole, non-negative time");
  }
  const now = ctx.clock.now();
  const endedBefore = now - input.retentionMs;
  const options = {
    ...(input.signal === undefined ? {} : { signal: input.signal }),
    ...(input.batchSize === undefined ? {} : { batchSize: input.batchSize }),
  };
  const outcome = await ctx.store.maintenance.tryLock(
    PURGE_LOCK,
    async (locked): Promise<PurgeCounts> => {
      const ended = await locked.purgeEndedSessions(endedBefore, options);
      const automationTokens = await locked.purgeEndedAutomationTokens(endedBefore, options);
      const oneTimeClaims = await locked.purgeExpiredClaims(now, options);
      return { ...ended, automationTokens, oneTimeClaims };
    },
  );
  if (!outcome.acquired) {
    return { ran: false };
  }
  const counts = outcome.result;
  // After the lock is released: the audit append needs a connection of its own.
  if (Object.values(counts).some((count) => count > 0)) {
    await recordAudit(ctx, {
      tenantId: input.tenantId,
      at: now,
      type: "maintenance.purged",
      ...auditActor(input),
      detail: { ...counts, endedBefore, retentionMs: input.retentionMs },
    });
  }
  return { ran: true, counts, endedBefore };
}
