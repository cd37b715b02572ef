import type { Command } from "commander";
import { echoInput } from "../../core/echo.js";
import { TesseraError } from "../../core/errors.js";
import { checkIdentifierInput } from "../../core/identifiers.js";
import type { ClientId, SessionId, TenantId, UserId } from "../../core/ids.js";
import type { SessionRecord } from "../../core/model/index.js";
import { revokeSession, revokeUserSessions } from "../../core/sessions/manage.js";
import { getUserByUsername } from "../../core/users.js";
import type { AdminSession } from "../../http/admin-api/schemas/sessions.js";
import {
  type CommandContext,
  type CommonOptions,
  type RemoteCommandContext,
  tenantOf,
  withDeployment,
} from "../context.js";
import { usageError, wholeNumber } from "../errors.js";
import { table, when } from "../io.js";
import { remoteUser } from "../remote/lookups.js";
import { firstRemoteItems, remoteSession } from "../remote/session-lookups.js";

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

/** A session as the CLI shows it, in either mode: never a token. */
interface SessionView {
  readonly id: string;
  readonly userId: string;
  readonly username: string | null;
  readonly clientId: string;
  readonly clientName: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastRefreshedAt: string | null;
  readonly revokedAt: string | null;
  readonly revokedReason: string | null;
  readonly impersonatorUserId: string | null;
  readonly parentSessionId: string | null;
}

/** Sessions, and the impersonators' names, which the table shows and `--json` leaves out. */
interface SessionList {
  readonly sessions: readonly SessionView[];
  readonly impersonators: ReadonlyMap<string, string>;
}

function view(s: SessionRecord, names: Names): SessionView {
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

/** The admin API's session as {@link view} shows a local one (its times are already ISO 8601). */
function viewRemote(s: AdminSession): SessionView {
  return {
    id: s.id,
    userId: s.user_id,
    username: s.username,
    clientId: s.client_id,
    clientName: s.client_name,
    createdAt: s.created_at,
    expiresAt: s.expires_at,
    lastRefreshedAt: s.last_refreshed_at,
    revokedAt: s.revoked_at,
    revokedReason: s.revoked_reason,
    impersonatorUserId: s.impersonator_user_id,
    parentSessionId: s.parent_session_id,
  };
}

function limitOf(options: ListOptions): number {
  return wholeNumber("--limit", options.limit ?? "100", { min: 1, max: 10_000 });
}

function checkRevokeTarget(sessionId: string | undefined, user: string | undefined): void {
  if ((sessionId === undefined) === (user === undefined)) {
    throw usageError("give either a session id or --user <username>");
  }
}

/** The tenant's user named `username`, checked as local mode checks it before looking. */
function remoteUserNamed(command: RemoteCommandContext, username: string) {
  checkIdentifierInput(username, "A username");
  return remoteUser(command, username);
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
      withDeployment<SessionList>(options, {
        local: async (command) => {
          const tenantId = await tenantOf(command, options);
          const limit = limitOf(options);
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
          return { sessions: list.map((s) => view(s, names)), impersonators: names.users };
        },
        remote: async (command) => {
          const limit = limitOf(options);
          const user =
            options.user === undefined ? undefined : await remoteUserNamed(command, options.user);
          const list = await firstRemoteItems<AdminSession>(
            command,
            command.tenantPath("/sessions"),
            { user_id: user?.id, include_ended: options.all === true ? true : undefined },
            limit,
          );
          const impersonators = new Map<string, string>();
          for (const s of list) {
            if (s.impersonator_user_id !== null && s.impersonator_username !== null) {
              impersonators.set(s.impersonator_user_id, s.impersonator_username);
            }
          }
          return { sessions: list.map(viewRemote), impersonators };
        },
        // A user or client deleted since shows by its id.
        print: (out, { sessions: list, impersonators }) =>
          out.print(list, () =>
            table(
              ["ID", "USER", "CLIENT", "CREATED", "EXPIRES", "REVOKED", "IMPERSONATOR"],
              list.map((s) => [
                s.id,
                s.username ?? s.userId,
                s.clientName ?? s.clientId,
                s.createdAt,
                s.expiresAt,
                s.revokedAt === null ? "-" : `${s.revokedAt} (${s.revokedReason})`,
                s.impersonatorUserId === null
                  ? "-"
                  : (impersonators.get(s.impersonatorUserId) ?? s.impersonatorUserId),
              ]),
            ),
          ),
      }),
    );
  sessions
    .command("revoke [sessionId]")
    .description("end one session, or with --user every session of a user")
    .option("--user <username>", "end every session of this user")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((sessionId: string | undefined, options: CommonOptions & { user?: string }) =>
      withDeployment<{ revoked: number; line: string }>(options, {
        local: async (command) => {
          const tenantId = await tenantOf(command, options);
          checkRevokeTarget(sessionId, options.user);
          if (options.user !== undefined) {
            const user = await getUserByUsername(command.ctx, tenantId, options.user);
            // The core functions the admin API calls: one revocation, audited the same way.
            const count = await revokeUserSessions(command.ctx, { tenantId, userId: user.id });
            return { revoked: count, line: `ended ${count} session(s) of ${user.username}` };
          }
          checkIdentifierInput(sessionId ?? "", "A session id");
          const session = await command.ctx.store.sessions.get(sessionId as SessionId);
          if (session === undefined || session.tenantId !== tenantId) {
            throw new TesseraError("not_found", `No session ${echoInput(String(sessionId))}`);
          }
          const ended = await revokeSession(command.ctx, { tenantId, sessionId: session.id });
          return {
            revoked: ended,
            line: ended === 0 ? `${session.id} was already ended` : `ended ${ended} session(s)`,
          };
        },
        remote: async (command) => {
          checkRevokeTarget(sessionId, options.user);
          if (options.user !== undefined) {
            const user = await remoteUserNamed(command, options.user);
            const { body } = await command.admin.call<{ revoked: number }>(
              "DELETE",
              command.tenantPath(`/users/${encodeURIComponent(user.id)}/sessions`),
            );
            return {
              revoked: body.revoked,
              line: `ended ${body.revoked} session(s) of ${user.username}`,
            };
          }
          const session = await remoteSession(command, sessionId ?? "");
          const { body } = await command.admin.call<{ revoked: number }>(
            "DELETE",
            command.tenantPath(`/sessions/${encodeURIComponent(session.id)}`),
          );
          const count = body.revoked;
          return {
            revoked: count,
            line: count === 0 ? `${session.id} was already ended` : `ended ${count} session(s)`,
          };
        },
        print: (out, { revoked, line }) => out.print({ revoked }, () => [line]),
      }),
    );
}
