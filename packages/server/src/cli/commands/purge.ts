import type { Command } from "commander";
import type { TenantId } from "../../core/ids.js";
import { purgeExpired } from "../../core/maintenance.js";
import { type CommonOptions, withCore } from "../context.js";
import { usageError } from "../errors.js";
import { when } from "../io.js";

const DAY_MS = 86_400_000;

interface PurgeOptions extends CommonOptions {
  readonly retentionDays?: string;
}

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
      withCore(options, async (command) => {
        const retentionDays =
          options.retentionDays === undefined
            ? command.config.purge.retentionDays
            : Number(options.retentionDays);
        if (!Number.isInteger(retentionDays) || retentionDays < 0 || retentionDays > 3650) {
          throw usageError("--retention-days must be a whole number from 0 to 3650");
        }
        const outcome = await purgeExpired(command.ctx, {
          retentionMs: retentionDays * DAY_MS,
          tenantId: command.config.defaultTenant as TenantId,
        });
        if (!outcome.ran) {
          throw new Error("another purge is running (a server instance's); try again when it ends");
        }
        const { counts, endedBefore } = outcome;
        command.out.print({ ...counts, endedBefore: when(endedBefore), retentionDays }, () => [
          `purged ${counts.sessions} session(s) with ${counts.refreshTokens} refresh token(s), ` +
            `${counts.automationTokens} automation token(s) and ${counts.oneTimeClaims} expired one-time claim(s); ` +
            `kept everything that ended after ${when(endedBefore)}`,
        ]);
      }),
    );
}
