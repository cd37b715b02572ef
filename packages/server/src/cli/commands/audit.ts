import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import type { AuditEventRecord } from "../../core/model/index.js";
import { type CommonOptions, tenantOf, withCore } from "../context.js";
import { when } from "../io.js";

function format(e: AuditEventRecord): string {
  const detail = Object.entries(e.detail)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
  const who = [
    e.actorUserId === null ? "" : `actor=${e.actorUserId}`,
    e.subjectUserId === null ? "" : `user=${e.subjectUserId}`,
    e.sessionId === null ? "" : `session=${e.sessionId}`,
    e.ip === null ? "" : `ip=${e.ip}`,
  ]
    .filter((s) => s !== "")
    .join(" ");
  return `${when(e.at)} #${e.id} ${e.type} ${who} ${detail}`.trimEnd();
}

/** `tessera audit tail`. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command("audit").description("read the audit trail");
  audit
    .command("tail")
    .description("print the latest audit events; --follow keeps printing new ones")
    .option("-n, --lines <n>", "how many of the latest events", "20")
    .option("-f, --follow", "wait for new events (Ctrl-C to stop)")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print one JSON object per line")
    .action((options: CommonOptions & { lines?: string; follow?: boolean }) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        const limit = Number(options.lines ?? "20");
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
          throw new Error("--lines must be a whole number from 1 to 10000");
        }
        const show = (events: AuditEventRecord[]) => {
          for (const e of events) {
            command.out.record(e, () => format(e));
          }
        };
        let events = await command.ctx.store.audit.list(tenantId, { limit });
        show(events);
        let lastId = events.at(-1)?.id ?? 0;
        while (options.follow === true) {
          await sleep(1000);
          events = await command.ctx.store.audit.list(tenantId, { afterId: lastId, limit: 1000 });
          show(events);
          lastId = events.at(-1)?.id ?? lastId;
        }
      }),
    );
}
