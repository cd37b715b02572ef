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
import { type CommonOptions, tenantOf, withCore } from "../context.js";
import { table, when } from "../io.js";
import { confirm, readNewSecret } from "../prompt.js";

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

/** A user as the CLI shows it: never the password hash. */
function view(user: UserRecord) {
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

const line = (user: UserRecord) =>
  `${user.username} (${user.id}) ${user.status}; permissions: ${effective(user).join(", ") || "none"}`;

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
    .action((username: string, options: AddOptions) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        const password = await readNewSecret(
          options.passwordStdin === true,
          `Password for ${username}: `,
        );
        const permissions = [
          ...(options.permission ?? []),
          ...(options.admin === true ? [ADMIN, IMPERSONATE] : []),
        ];
        const role =
          options.role === undefined
            ? undefined
            : await findRole(command.ctx, tenantId, options.role);
        const created = await addUser(command.ctx, {
          tenantId,
          username,
          password,
          permissions,
          ...(role === undefined ? {} : { roleId: role.id }),
        });
        command.out.print(view(created), () => [`added ${line(created)}`]);
      }),
    );
  user
    .command("list")
    .description("list users")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: CommonOptions) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        const users = await command.ctx.store.users.list(tenantId);
        const roles = new Map((await listRoles(command.ctx, tenantId)).map((r) => [r.id, r.name]));
        command.out.print(users.map(view), () =>
          table(
            ["USERNAME", "ID", "STATUS", "ROLE", "PERMISSIONS", "CREATED"],
            users.map((u) => [
              u.username,
              u.id,
              u.status,
              u.roleId === null ? "-" : (roles.get(u.roleId) ?? u.roleId),
              effective(u).join(",") || "-",
              when(u.createdAt),
            ]),
          ),
        );
      }),
    );
  user
    .command("remove <username>")
    .description("delete a user and end every session of theirs (asks first, unless --yes)")
    .option("-y, --yes", "do not ask for confirmation")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((username: string, options: CommonOptions & { readonly yes?: boolean }) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        // Looked up first, so an unknown user fails before anyone is asked.
        const target = await getUserByUsername(command.ctx, tenantId, username);
        await confirm(`Remove user ${target.username} and end every session of theirs?`, {
          yes: options.yes === true,
          refusal: `user ${target.username} was not removed`,
        });
        const removed = await deleteUser(command.ctx, { tenantId, username });
        command.out.print({ ...view(removed), removed: true }, () => [
          `removed user ${removed.username} (${removed.id}); their sessions are ended`,
        ]);
      }),
    );
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
        withCore(options, async (command) => {
          const tenantId = await tenantOf(command, options);
          const updated = await setUserEnabled(command.ctx, { tenantId, username, enabled });
          command.out.print(view(updated), () => [`${name}d ${line(updated)}`]);
        }),
      );
  }
  user
    .command("set-password <username>")
    .description("set a new password and end every session of the user")
    .option("--password-stdin", "read the password from stdin")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((username: string, options: PasswordOptions) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        const password = await readNewSecret(
          options.passwordStdin === true,
          `New password for ${username}: `,
        );
        const updated = await setUserPassword(command.ctx, { tenantId, username, password });
        command.out.print(view(updated), () => [
          `password changed for ${updated.username}; sessions ended`,
        ]);
      }),
    );
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
        withCore(options, async (command) => {
          const tenantId = await tenantOf(command, options);
          const updated = await changeUserPermission(command.ctx, {
            tenantId,
            username,
            permission,
            grant,
          });
          command.out.print(view(updated), () => [line(updated)]);
        }),
      );
  }
  user
    .command("set-role <username> [role]")
    .description("give a user a role, or with no role take it away")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((username: string, roleName: string | undefined, options: CommonOptions) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        const role =
          roleName === undefined ? undefined : await findRole(command.ctx, tenantId, roleName);
        const updated = await setUserRole(command.ctx, {
          tenantId,
          username,
          roleId: role?.id ?? null,
        });
        command.out.print(view(updated), () => [line(updated)]);
      }),
    );
}
