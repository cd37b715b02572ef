import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { exportAuditEvents } from "../../core/audit-search.js";
import { isIdentifierInput } from "../../core/identifiers.js";
import type { ClientId, TenantId } from "../../core/ids.js";
import type { AuditDetail } from "../../core/model/index.js";
import type { AdminAuditEvent } from "../../http/admin-api/schemas/audit.js";
import {
  type CommandContext,
  type CommonOptions,
  type RemoteCommandContext,
  tenantOf,
  withDeployment,
} from "../context.js";
import { wholeNumber } from "../errors.js";
import { type Output, when } from "../io.js";
import { firstRemoteItems, remoteClientIdOf, remoteUserIdOf } from "../remote/session-lookups.js";

/** An audit event as the CLI shows it, in either mode: the core's record, times in epoch ms. */
interface AuditEventView {
  readonly id: number;
  readonly tenantId: string;
  readonly at: number;
  readonly type: string;
  readonly actorUserId: string | null;
  readonly actorClientId: string | null;
  readonly subjectUserId: string | null;
  readonly clientId: string | null;
  readonly sessionId: string | null;
  readonly ip: string | null;
  readonly detail: AuditDetail;
}

/** The admin API's event as local mode prints the core's record (same fields, same order). */
function viewRemote(e: AdminAuditEvent): AuditEventView {
  return {
    id: e.id,
    tenantId: e.tenant_id,
    at: Date.parse(e.at),
    type: e.type,
    actorUserId: e.actor_user_id,
    actorClientId: e.actor_client_id,
    subjectUserId: e.subject_user_id,
    clientId: e.client_id,
    sessionId: e.session_id,
    ip: e.ip,
    detail: e.detail,
  };
}

function format(e: AuditEventView): string {
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

/** Prints events, oldest first as given, one line (or JSON object) each. */
function show(out: Output, events: readonly AuditEventView[]): void {
  for (const e of events) {
    out.record(e, () => format(e));
  }
}

/**
 * The audit commands print each event as it is read, in either mode (a
 * followed tail never ends, and an export may be long), through
 * {@link show}: so there is nothing left to print at the end.
 */
const printed = () => undefined;

interface TailOptions extends CommonOptions {
  readonly lines?: string;
  readonly follow?: boolean;
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

/** How long a followed tail waits before asking for new events again. */
const FOLLOW_INTERVAL_MS = 1000;

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

function linesOf(options: TailOptions): number {
  return wholeNumber("--lines", options.lines ?? "20", { min: 1, max: 10_000 });
}

function searchLimitOf(options: SearchOptions): number {
  return wholeNumber("--limit", options.limit ?? "100", { min: 1 });
}

/** `audit tail` locally: the latest events, then (with --follow) every new one, by id. */
async function tailLocal(command: CommandContext, options: TailOptions): Promise<void> {
  const tenantId = await tenantOf(command, options);
  const limit = linesOf(options);
  let events = await command.ctx.store.audit.list(tenantId, { limit });
  show(command.out, events);
  let lastId = events.at(-1)?.id ?? 0;
  while (options.follow === true) {
    await sleep(FOLLOW_INTERVAL_MS);
    events = await command.ctx.store.audit.list(tenantId, { afterId: lastId, limit: 1000 });
    show(command.out, events);
    lastId = events.at(-1)?.id ?? lastId;
  }
}

/**
 * `audit tail` through the admin API, whose search pages go newest first
 * by id: the latest `--lines`, reversed; then, with --follow, polling at
 * the same interval as local mode for every event newer than the last
 * printed, all of them however many came meanwhile.
 */
async function tailRemote(command: RemoteCommandContext, options: TailOptions): Promise<void> {
  const limit = linesOf(options);
  const path = command.tenantPath("/audit-events");
  const latest = await firstRemoteItems<AdminAuditEvent>(command, path, {}, limit);
  show(command.out, latest.map(viewRemote).reverse());
  let lastId = latest[0]?.id ?? 0;
  while (options.follow === true) {
    await sleep(FOLLOW_INTERVAL_MS);
    const after = lastId;
    const fresh = await firstRemoteItems<AdminAuditEvent>(
      command,
      path,
      {},
      Number.POSITIVE_INFINITY,
      (e) => e.id > after,
    );
    show(command.out, fresh.map(viewRemote).reverse());
    lastId = fresh[0]?.id ?? lastId;
  }
}

/** The lines of an NDJSON body, as they arrive. */
async function* ndjsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    yield* lines.filter((line) => line !== "");
  }
  pending += decoder.decode();
  if (pending !== "") {
    yield pending;
  }
}

/**
 * `audit search` through the admin API: its search a page at a time up
 * to --limit, or with --all its NDJSON export, read as it streams.
 */
async function searchRemote(command: RemoteCommandContext, options: SearchOptions): Promise<void> {
  const limit = searchLimitOf(options);
  const query = {
    type: options.type,
    user_id: options.user === undefined ? undefined : await remoteUserIdOf(command, options.user),
    client_id:
      options.client === undefined ? undefined : await remoteClientIdOf(command, options.client),
    session_id: options.session,
    ip: options.ip,
    from: options.since,
    to: options.until,
  };
  if (options.all !== true) {
    const events = await firstRemoteItems<AdminAuditEvent>(
      command,
      command.tenantPath("/audit-events"),
      query,
      limit,
    );
    show(command.out, events.map(viewRemote));
    return;
  }
  const response = await command.admin.stream(command.tenantPath("/audit-events/export"), {
    query,
  });
  if (response.body === null) {
    return;
  }
  for await (const line of ndjsonLines(response.body)) {
    show(command.out, [viewRemote(JSON.parse(line) as AdminAuditEvent)]);
  }
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
    .action((options: TailOptions) =>
      withDeployment(options, {
        local: (command) => tailLocal(command, options),
        remote: (command) => tailRemote(command, options),
        print: printed,
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
      withDeployment(options, {
        local: async (command) => {
          const tenantId = await tenantOf(command, options);
          const limit = searchLimitOf(options);
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
          let count = 0;
          for await (const e of events) {
            show(command.out, [e]);
            count++;
            if (options.all !== true && count >= limit) {
              break;
            }
          }
        },
        remote: (command) => searchRemote(command, options),
        print: printed,
      }),
    );
}
