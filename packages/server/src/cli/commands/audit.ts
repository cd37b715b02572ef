import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { exportAuditEvents } from "../../core/audit-search.js";
import { isIdentifierInput } from "../../core/identifiers.js";
import type { ClientId, TenantId } from "../../core/ids.js";
import type { AuditEventRecord } from "../../core/model/index.js";
import { type CommandContext, type CommonOptions, tenantOf, withCore } from "../context.js";
import { when } from "../io.js";

function format(e: AuditEventRecord): string {
  const detail = Object.entries(e.detail)
    // The client is shown once, from its column.
    .filter(([k, v]) => !(k === "clientId" && v === e.clientId))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
  const who = [
    e.actorUserId === null ? "" : `actor=${e.actorUserId}`,
    e.actorClientId === null
      ? ""
      : `${e.actorUserId === null ? "actor" : "via"}=${e.actorClientId}`,
    e.subjectUserId === null ? "" : `user=${e.subjectUserId}`,
    e.clientId === null ? "" : `client=${e.clientId}`,
    e.sessionId === null ? "" : `session=${e.sessionId}`,
    e.ip === null ? "" : `ip=${e.ip}`,
  ]
    .filter((s) => s !== "")
    .join(" ");
  return `${when(e.at)} #${e.id} ${e.type} ${who} ${detail}`.trimEnd();
}

interface SearchOptions extends CommonOptions {
  readonly type?: string;
  readonly user?: string;
  readonly client?: string;
  readonly session?: string;
  readonly ip?: string;
  readonly since?: string;
  readonly until?: string;
  readonly limit?: string;
  readonly all?: boolean;
}

/** A username's id, or the value itself (the id of a user, deleted ones included). */
async function userIdOf(command: CommandContext, tenantId: TenantId, value: string) {
  const user = isIdentifierInput(value)
    ? await command.ctx.store.users.getByUsername(tenantId, value)
    : undefined;
  return user?.id ?? value;
}

/** A client name's id, or the value itself (the id of a client, or one a failed login claimed). */
async function clientIdOf(command: CommandContext, tenantId: TenantId, value: string) {
  const client = isIdentifierInput(value)
    ? ((await command.ctx.store.clients.get(tenantId, value as ClientId)) ??
      (await command.ctx.store.clients.getByName(tenantId, value)))
    : undefined;
  return client?.id ?? value;
}

/** `tessera audit tail|search`. */
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
  audit
    .command("search")
    .description("print the audit events matching every filter given, newest first")
    .option("--type <type>", "an event type (user.created), or a prefix (user.) for all of them")
    .option("--user <username|id>", "events a user made or that are about them")
    .option("--client <name|id>", "events a client made or that are about it")
    .option("--session <id>", "events of one session")
    .option("--ip <address>", "events from one IP address")
    .option("--since <time>", "from this time on: 2026-01-31, 2026-01-31T12:00:00Z or epoch ms")
    .option("--until <time>", "before this time (same forms as --since)")
    .option("-n, --limit <n>", "print at most this many events", "100")
    .option("--all", "print every matching event")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print one JSON object per line (NDJSON)")
    .action((options: SearchOptions) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        const limit = Number(options.limit ?? "100");
        if (!Number.isSafeInteger(limit) || limit < 1) {
          throw new Error("--limit must be a whole number from 1");
        }
        const events = await exportAuditEvents(command.ctx, tenantId, {
          ...(options.type === undefined ? {} : { type: options.type }),
          ...(options.user === undefined
            ? {}
            : { userId: await userIdOf(command, tenantId, options.user) }),
          ...(options.client === undefined
            ? {}
            : { clientId: await clientIdOf(command, tenantId, options.client) }),
          ...(options.session === undefined ? {} : { sessionId: options.session }),
          ...(options.ip === undefined ? {} : { ip: options.ip }),
          ...(options.since === undefined ? {} : { from: options.since }),
          ...(options.until === undefined ? {} : { to: options.until }),
        });
        let printed = 0;
        for await (const e of events) {
          command.out.record(e, () => format(e));
          printed++;
          if (options.all !== true && printed >= limit) {
            break;
          }
        }
      }),
    );
}
