import type { Command } from "commander";
import type { UserRecord } from "../../core/model/index.js";
import { ADMIN, grantedPermissions, IMPERSONATE } from "../../core/permissions.js";
import { findRole, listRoles } from "../../core/roles.js";
import {
  addUser,
  changeUserPermission,
  deleteUser,
  getUserByUsername,
  setUserEnabled,
  setUserPassword,
  setUserRole,
} from "../../core/users.js";
import type { AdminRole } from "../../http/admin-api/schemas/roles.js";
import type { AdminUser } from "../../http/admin-api/schemas/users.js";
import {
  type CommonOptions,
  type RemoteCommandContext,
  tenantOf,
  withDeployment,
} from "../context.js";
import { table, when } from "../io.js";
import { confirm, readNewSecret } from "../prompt.js";
import { remoteRole, remoteUser } from "../remote/lookups.js";

interface PasswordOptions extends CommonOptions {
  readonly passwordStdin?: boolean;
}

interface AddOptions extends PasswordOptions {
  readonly permission?: string[];
  readonly admin?: boolean;
  readonly role?: string;
}

/** Every permission the user has, direct or through its role. */
const effective = (user: UserRecord) => [...grantedPermissions(user)].sort();

/** A user as the CLI shows it, in either mode: never the password hash. */
interface UserView {
  readonly id: string;
  readonly tenantId: string;
  readonly username: string;
  readonly status: string;
  readonly roleId: string | null;
  /** Every permission the user has, direct or through its role. */
  readonly permissions: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

function view(user: UserRecord): UserView {
  return {
    id: user.id,
    tenantId: user.tenantId,
    username: user.username,
    status: user.status,
    roleId: user.roleId,
    permissions: effective(user),
    createdAt: new Date(user.createdAt).toISOString(),
    updatedAt: new Date(user.updatedAt).toISOString(),
  };
}

/** The admin API's user as {@link view} shows a local one. */
function viewRemote(user: AdminUser): UserView {
  return {
    id: user.id,
    tenantId: user.tenant_id,
    username: user.username,
    status: user.status,
    roleId: user.role_id,
    permissions: user.effective_permissions,
    createdAt: user.created_at,
    updatedAt: user.updated_at,
  };
}

const line = (user: UserView) =>
  `${user.username} (${user.id}) ${user.status}; permissions: ${user.permissions.join(", ") || "none"}`;

/** `PATCH` of a user found by username, with its `ETag` as `If-Match`: a change made meanwhile fails. */
async function patchRemote(
  command: RemoteCommandContext,
  username: string,
  change: (user: AdminUser) => Record<string, unknown>,
): Promise<UserView> {
  const found = await remoteUser(command, username);
  const path = command.tenantPath(`/users/${encodeURIComponent(found.id)}`);
  const current = await command.admin.get<AdminUser>(path);
  const updated = await command.admin.call<AdminUser>("PATCH", path, {
    body: change(current.body),
    ...(current.etag === undefined ? {} : { ifMatch: current.etag }),
  });
  return viewRemote(updated.body);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `tessera user add|list|remove|disable|enable|set-password|grant|revoke|set-role`. */
export function registerUserCommands(program: Command): void {
  const user = program.command("user").description("manage users");
  user
    .command("add <username>")
    .description("add a user; the password comes from --password-stdin or a prompt")
    .option("--password-stdin", "read the password from stdin")
    .option("--permission <name>", "grant a permission (repeatable)", collect)
    .option("--admin", `grant ${ADMIN} and ${IMPERSONATE}`)
    .option("--role <name>", "give the user a role (the operations API's roles)")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action(async (username: string, options: AddOptions) => {
      const permissions = [
        ...(options.permission ?? []),
        ...(options.admin === true ? [ADMIN, IMPERSONATE] : []),
      ];
      const password = () =>
        readNewSecret(options.passwordStdin === true, `Password for ${username}: `);
      await withDeployment(options, {
        local: async (command) => {
          const tenantId = await tenantOf(command, options);
          const secret = await password();
          const role =
            options.role === undefined
              ? undefined
              : await findRole(command.ctx, tenantId, options.role);
          return view(
            await addUser(command.ctx, {
              tenantId,
              username,
              password: secret,
              permissions,
              ...(role === undefined ? {} : { roleId: role.id }),
            }),
          );
        },
        remote: async (command) => {
          const secret = await password();
          const role =
            options.role === undefined ? undefined : await remoteRole(command, options.role);
          const created = await command.admin.call<AdminUser>(
            "POST",
            command.tenantPath("/users"),
            {
              body: {
                username,
                password: secret,
                permissions,
                ...(role === undefined ? {} : { role_id: role.id }),
              },
            },
          );
          return viewRemote(created.body);
        },
        print: (out, created) => out.print(created, () => [`added ${line(created)}`]),
      });
    });
  user
    .command("list")
    .description("list users")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: CommonOptions) =>
      withDeployment(options, {
        local: async (command) => {
          const tenantId = await tenantOf(command, options);
          const users = await command.ctx.store.users.list(tenantId);
          const roles = await listRoles(command.ctx, tenantId);
          return { users: users.map(view), roles: new Map(roles.map((r) => [r.id, r.name])) };
        },
        remote: async (command) => {
          const [users, roles] = await Promise.all([
            command.admin.all<AdminUser>(command.tenantPath("/users")),
            command.admin.all<AdminRole>(command.tenantPath("/roles")),
          ]);
          return { users: users.map(viewRemote), roles: new Map(roles.map((r) => [r.id, r.name])) };
        },
        print: (out, { users, roles }) =>
          out.print(users, () =>
            table(
              ["USERNAME", "ID", "STATUS", "ROLE", "PERMISSIONS", "CREATED"],
              users.map((u) => [
                u.username,
                u.id,
                u.status,
                u.roleId === null ? "-" : (roles.get(u.roleId) ?? u.roleId),
                u.permissions.join(",") || "-",
                when(Date.parse(u.createdAt)),
              ]),
            ),
          ),
      }),
    );
  user
    .command("remove <username>")
    .description("delete a user and end every session of theirs (asks first, unless --yes)")
    .option("-y, --yes", "do not ask for confirmation")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((username: string, options: CommonOptions & { readonly yes?: boolean }) => {
      // Asked after the user is found, so an unknown user fails before anyone is asked.
      const ask = (target: string) =>
        confirm(`Remove user ${target} and end every session of theirs?`, {
          yes: options.yes === true,
          refusal: `user ${target} was not removed`,
        });
      return withDeployment(options, {
        local: async (command) => {
          const tenantId = await tenantOf(command, options);
          const target = await getUserByUsername(command.ctx, tenantId, username);
          await ask(target.username);
          return view(await deleteUser(command.ctx, { tenantId, username }));
        },
        remote: async (command) => {
          const target = await remoteUser(command, username);
          await ask(target.username);
          await command.admin.call(
            "DELETE",
            command.tenantPath(`/users/${encodeURIComponent(target.id)}`),
          );
          return viewRemote(target);
        },
        print: (out, removed) =>
          out.print({ ...removed, removed: true }, () => [
            `removed user ${removed.username} (${removed.id}); their sessions are ended`,
          ]),
      });
    });
  for (const [name, enabled] of [
    ["disable", false],
    ["enable", true],
  ] as const) {
    user
      .command(`${name} <username>`)
      .description(
        enabled ? "let a disabled user log in again" : "refuse logins and end every session",
      )
      .option("--tenant <id>", "tenant (default: the default tenant)")
      .option("--json", "print JSON")
      .action((username: string, options: CommonOptions) =>
        withDeployment(options, {
          local: async (command) => {
            const tenantId = await tenantOf(command, options);
            return view(await setUserEnabled(command.ctx, { tenantId, username, enabled }));
          },
          remote: (command) => patchRemote(command, username, () => ({ enabled })),
          print: (out, updated) => out.print(updated, () => [`${name}d ${line(updated)}`]),
        }),
      );
  }
  user
    .command("set-password <username>")
    .description("set a new password and end every session of the user")
    .option("--password-stdin", "read the password from stdin")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((username: string, options: PasswordOptions) => {
      const password = () =>
        readNewSecret(options.passwordStdin === true, `New password for ${username}: `);
      return withDeployment(options, {
        local: async (command) => {
          const tenantId = await tenantOf(command, options);
          const secret = await password();
          return view(await setUserPassword(command.ctx, { tenantId, username, password: secret }));
        },
        remote: async (command) => {
          const target = await remoteUser(command, username);
          const secret = await password();
          const path = command.tenantPath(`/users/${encodeURIComponent(target.id)}`);
          await command.admin.call("PUT", `${path}/password`, { body: { password: secret } });
          return viewRemote((await command.admin.get<AdminUser>(path)).body);
        },
        print: (out, updated) =>
          out.print(updated, () => [`password changed for ${updated.username}; sessions ended`]),
      });
    });
  for (const [name, grant] of [
    ["grant", true],
    ["revoke", false],
  ] as const) {
    user
      .command(`${name} <username> <permission>`)
      .description(`${name} a permission (${ADMIN}, ${IMPERSONATE}, or your own)`)
      .option("--tenant <id>", "tenant (default: the default tenant)")
      .option("--json", "print JSON")
      .action((username: string, permission: string, options: CommonOptions) =>
        withDeployment(options, {
          local: async (command) => {
            const tenantId = await tenantOf(command, options);
            return view(
              await changeUserPermission(command.ctx, { tenantId, username, permission, grant }),
            );
          },
          remote: (command) =>
            patchRemote(command, username, (current) => {
              const next = new Set(current.permissions);
              if (grant) {
                next.add(permission);
              } else {
                next.delete(permission);
              }
              return { permissions: [...next].sort() };
            }),
          print: (out, updated) => out.print(updated, () => [line(updated)]),
        }),
      );
  }
  user
    .command("set-role <username> [role]")
    .description("give a user a role, or with no role take it away")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((username: string, roleName: string | undefined, options: CommonOptions) =>
      withDeployment(options, {
        local: async (command) => {
          const tenantId = await tenantOf(command, options);
          const role =
            roleName === undefined ? undefined : await findRole(command.ctx, tenantId, roleName);
          return view(
            await setUserRole(command.ctx, { tenantId, username, roleId: role?.id ?? null }),
          );
        },
        remote: async (command) => {
          const role = roleName === undefined ? undefined : await remoteRole(command, roleName);
          return patchRemote(command, username, () => ({ role_id: role?.id ?? null }));
        },
        print: (out, updated) => out.print(updated, () => [line(updated)]),
      }),
    );
}
