import type { Command } from "commander";
import { echoInput } from "../../core/echo.js";
import { TesseraError } from "../../core/errors.js";
import { checkIdentifierInput } from "../../core/identifiers.js";
import type { ClientId, SessionId, TenantId, UserId } from "../../core/ids.js";
import type { SessionRecord } from "../../core/model/index.js";
import { endSession, endUserSessions } from "../../core/sessions/revoke.js";
import { getUserByUsername } from "../../core/users.js";
import { type CommandContext, type CommonOptions, tenantOf, withCore } from "../context.js";
import { usageError } from "../errors.js";
import { table, when } from "../io.js";

interface ListOptions extends CommonOptions {
  readonly user?: string;
  readonly all?: boolean;
  readonly limit?: string;
}

/** The names sessions refer to by id: users (and impersonators) and clients. */
interface Names {
  readonly users: ReadonlyMap<string, string>;
  readonly clients: ReadonlyMap<string, string>;
}

/** Looks up the name of every user and client `sessions` name, each once. */
async function namesOf(
  ctx: CommandContext["ctx"],
  tenantId: TenantId,
  sessions: readonly SessionRecord[],
): Promise<Names> {
  const userIds = new Set<UserId>(
    sessions.flatMap((s) =>
      s.impersonatorUserId === null ? [s.userId] : [s.userId, s.impersonatorUserId],
    ),
  );
  const clientIds = new Set<ClientId>(sessions.map((s) => s.clientId));
  const users = new Map<string, string>();
  const clients = new Map<string, string>();
  await Promise.all([
    ...[...userIds].map(async (id) => {
      const found = await ctx.store.users.getById(tenantId, id);
      if (found !== undefined) {
        users.set(id, found.username);
      }
    }),
    ...[...clientIds].map(async (id) => {
      const found = await ctx.store.clients.get(tenantId, id);
      if (found !== undefined) {
        clients.set(id, found.name);
      }
    }),
  ]);
  return { users, clients };
}

function view(s: SessionRecord, names: Names) {
  return {
    id: s.id,
    userId: s.userId,
    username: names.users.get(s.userId) ?? null,
    clientId: s.clientId,
    clientName: names.clients.get(s.clientId) ?? null,
    createdAt: when(s.createdAt),
    expiresAt: when(s.expiresAt),
    lastRefreshedAt: s.lastRefreshedAt === null ? null : when(s.lastRefreshedAt),
    revokedAt: s.revokedAt === null ? null : when(s.revokedAt),
    revokedReason: s.revokedReason,
    impersonatorUserId: s.impersonatorUserId,
    parentSessionId: s.parentSessionId,
  };
}

/** `tessera sessions list|revoke`. */
export function registerSessionCommands(program: Command): void {
  const sessions = program.command("sessions").description("inspect and end sessions");
  sessions
    .command("list")
    .description("list live sessions, newest first")
    .option("--user <username>", "only this user's")
    .option("--all", "include revoked and expired sessions")
    .option("--limit <n>", "at most this many", "100")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: ListOptions) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        const limit = Number(options.limit ?? "100");
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
          throw usageError("--limit must be a whole number from 1 to 10000");
        }
        const userId =
          options.user === undefined
            ? undefined
            : (await getUserByUsername(command.ctx, tenantId, options.user)).id;
        const list = await command.ctx.store.sessions.list(tenantId, {
          ...(userId === undefined ? {} : { userId }),
          includeEnded: options.all === true,
          now: command.ctx.clock.now(),
          limit,
        });
        const names = await namesOf(command.ctx, tenantId, list);
        // A user or client deleted since shows by its id.
        const user = (id: string) => names.users.get(id) ?? id;
        command.out.print(
          list.map((s) => view(s, names)),
          () =>
            table(
              ["ID", "USER", "CLIENT", "CREATED", "EXPIRES", "REVOKED", "IMPERSONATOR"],
              list.map((s) => [
                s.id,
                user(s.userId),
                names.clients.get(s.clientId) ?? s.clientId,
                when(s.createdAt),
                when(s.expiresAt),
                s.revokedAt === null ? "-" : `${when(s.revokedAt)} (${s.revokedReason})`,
                s.impersonatorUserId === null ? "-" : user(s.impersonatorUserId),
              ]),
            ),
        );
      }),
    );
  sessions
    .command("revoke [sessionId]")
    .description("end one session, or with --user every session of a user")
    .option("--user <username>", "end every session of this user")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((sessionId: string | undefined, options: CommonOptions & { user?: string }) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        if ((sessionId === undefined) === (options.user === undefined)) {
          throw usageError("give either a session id or --user <username>");
        }
        if (options.user !== undefined) {
          const user = await getUserByUsername(command.ctx, tenantId, options.user);
          const count = await endUserSessions(command.ctx, {
            tenantId,
            userId: user.id,
            reason: "revoked_by_operator",
          });
          command.out.print({ revoked: count }, () => [
            `ended ${count} session(s) of ${user.username}`,
          ]);
          return;
        }
        checkIdentifierInput(sessionId ?? "", "A session id");
        const session = await command.ctx.store.sessions.get(sessionId as SessionId);
        if (session === undefined || session.tenantId !== tenantId) {
          throw new TesseraError("not_found", `No session ${echoInput(String(sessionId))}`);
        }
        const ended = await endSession(command.ctx, {
          tenantId,
          sessionId: session.id,
          reason: "revoked_by_operator",
          subjectUserId: session.userId,
        });
        command.out.print({ revoked: ended.length }, () => [
          ended.length === 0
            ? `${session.id} was already ended`
            : `ended ${ended.length} session(s)`,
        ]);
      }),
    );
}
