import type { Command } from "commander";
import { echoInput } from "../../core/echo.js";
import { TesseraError } from "../../core/errors.js";
import { checkIdentifierInput } from "../../core/identifiers.js";
import type { SessionId } from "../../core/ids.js";
import type { SessionRecord } from "../../core/model/index.js";
import { endSession, endUserSessions } from "../../core/sessions/revoke.js";
import { getUserByUsername } from "../../core/users.js";
import { type CommonOptions, tenantOf, withCore } from "../context.js";
import { table, when } from "../io.js";

interface ListOptions extends CommonOptions {
  readonly user?: string;
  readonly all?: boolean;
  readonly limit?: string;
}

function view(s: SessionRecord) {
  return {
    id: s.id,
    userId: s.userId,
    clientId: s.clientId,
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
          throw new Error("--limit must be a whole number from 1 to 10000");
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
        command.out.print(list.map(view), () =>
          table(
            ["ID", "USER ID", "CLIENT", "CREATED", "EXPIRES", "REVOKED", "IMPERSONATOR"],
            list.map((s) => [
              s.id,
              s.userId,
              s.clientId,
              when(s.createdAt),
              when(s.expiresAt),
              s.revokedAt === null ? "-" : `${when(s.revokedAt)} (${s.revokedReason})`,
              s.impersonatorUserId ?? "-",
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
          throw new Error("give either a session id or --user <username>");
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
