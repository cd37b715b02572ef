import type { Command } from "commander";
import { TesseraError } from "../../core/errors.js";
import type { TenantId } from "../../core/ids.js";
import { purgeExpired } from "../../core/maintenance.js";
import type { AdminPurgeResult } from "../../http/admin-api/schemas/signing-keys.js";
import { type CommonOptions, withDeployment } from "../context.js";
import { usageError } from "../errors.js";
import { when } from "../io.js";

const DAY_MS = 86_400_000;

interface PurgeOptions extends CommonOptions {
  readonly retentionDays?: string;
}

/** What a purge deleted and kept, as the CLI shows it in either mode. */
interface PurgeView {
  readonly sessions: number;
  readonly refreshTokens: number;
  readonly automationTokens: number;
  readonly oneTimeClaims: number;
  readonly endedBefore: string;
  readonly retentionDays: number;
}

/** `--retention-days` as a number of days, or `fallback` when it is not given. */
function retentionOf(options: PurgeOptions, fallback: number): number;
function retentionOf(options: PurgeOptions, fallback?: number): number | undefined;
function retentionOf(options: PurgeOptions, fallback?: number): number | undefined {
  const days = options.retentionDays === undefined ? fallback : Number(options.retentionDays);
  if (days !== undefined && (!Number.isInteger(days) || days < 0 || days > 3650)) {
    throw usageError("--retention-days must be a whole number from 0 to 3650");
  }
  return days;
}

/** Said when a purge is already running, in either mode. */
const ALREADY_RUNNING = "another purge is running (a server instance's); try again when it ends";

/** `tessera purge`: what `serve` does every `TESSERA_PURGE_INTERVAL_SECONDS`, now. */
export function registerPurgeCommand(program: Command): void {
  program
    .command("purge")
    .description(
      "delete sessions (with their refresh tokens) and automation tokens that ended more than the retention ago, and expired one-time claims",
    )
    .option(
      "--retention-days <n>",
      "keep what ended within this many days, 0 to 3650 (default: TESSERA_PURGE_RETENTION_DAYS, 7)",
    )
    .option("--json", "print JSON")
    .action((options: PurgeOptions) =>
      withDeployment(options, {
        local: async (command): Promise<PurgeView> => {
          const retentionDays = retentionOf(options, command.config.purge.retentionDays);
          const outcome = await purgeExpired(command.ctx, {
            retentionMs: retentionDays * DAY_MS,
            tenantId: command.config.defaultTenant as TenantId,
          });
          if (!outcome.ran) {
            throw new Error(ALREADY_RUNNING);
          }
          return { ...outcome.counts, endedBefore: when(outcome.endedBefore), retentionDays };
        },
        remote: async (command): Promise<PurgeView> => {
          // Not given: the server's own TESSERA_PURGE_RETENTION_DAYS, which it reports back.
          const days = retentionOf(options);
          const purged = await command.admin
            .call<AdminPurgeResult>("POST", "/maintenance/purge", {
              body: days === undefined ? {} : { retention_days: days },
            })
            .catch((error: unknown) => {
              throw error instanceof TesseraError && error.code === "conflict"
                ? new Error(ALREADY_RUNNING)
                : error;
            });
          const result = purged.body;
          return {
            sessions: result.sessions,
            refreshTokens: result.refresh_tokens,
            automationTokens: result.automation_tokens,
            oneTimeClaims: result.one_time_claims,
            endedBefore: result.ended_before,
            retentionDays: result.retention_days,
          };
        },
        print: (out, purged) =>
          out.print(purged, () => [
            `purged ${purged.sessions} session(s) with ${purged.refreshTokens} refresh token(s), ` +
              `${purged.automationTokens} automation token(s) and ${purged.oneTimeClaims} expired one-time claim(s); ` +
              `kept everything that ended after ${purged.endedBefore}`,
          ]),
      }),
    );
}
