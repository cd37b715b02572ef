import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { JsonObject, RoleRecord } from "../../core/model/index.js";
import { validateRolePermission } from "../../core/role-permission.js";
import { addRole, dropRole, findRole, listRoles, updateRole } from "../../core/roles.js";
import type { AdminRole } from "../../http/admin-api/schemas/roles.js";
import type { AdminUser } from "../../http/admin-api/schemas/users.js";
import {
  type CommonOptions,
  type RemoteCommandContext,
  tenantOf,
  withDeployment,
} from "../context.js";
import { usageError } from "../errors.js";
import { type Lines, table, when } from "../io.js";
import { remoteRole, remoteTenant } from "../remote/lookups.js";

interface PermissionOptions extends CommonOptions {
  /** `--super-user` sets the flag, `--no-super-user` clears it; undefined leaves it. */
  readonly superUser?: boolean;
  readonly permissionJson?: string;
  readonly permissionFile?: string;
}

interface UpdateOptions extends PermissionOptions {
  readonly name?: string;
}

/** A role as the CLI prints it in either mode, with ISO times like every other command. */
interface RoleView {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly permission: JsonObject;
  readonly permissions: readonly string[];
  /** How many users hold the role (`role list` only). */
  readonly users?: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

function view(role: RoleRecord, members?: number): RoleView {
  return {
    id: role.id,
    tenantId: role.tenantId,
    name: role.name,
    permission: role.permission,
    permissions: role.permissions,
    ...(members === undefined ? {} : { users: members }),
    createdAt: when(role.createdAt),
    updatedAt: when(role.updatedAt),
  };
}

/** At most `max` characters of compact JSON, for one table cell. */
function compact(permission: JsonObject, max = 60): string {
  const text = JSON.stringify(permission);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The admin API's role as {@link view} shows a local one. */
function viewRemote(role: AdminRole, members?: number): RoleView {
  return {
    id: role.id,
    tenantId: role.tenant_id,
    name: role.name,
    // The wire type of a free-form object; the server stores and sends it verbatim.
    permission: role.permission as JsonObject,
    permissions: role.permissions,
    ...(members === undefined ? {} : { users: members }),
    createdAt: role.created_at,
    updatedAt: role.updated_at,
  };
}

function describe(role: RoleView): Lines {
  return [
    `role ${role.name} (${role.id})`,
    `  permission   ${JSON.stringify(role.permission)}`,
    `  grants       ${role.permissions.join(", ") || "nothing in Tessera itself"}`,
  ];
}

/**
 * The permission object the options give, or undefined when they give
 * none: `--permission-json` or `--permission-file` (HarperDB's object, whole),
 * with `--super-user` / `--no-super-user` setting its flag on it, or on
 * `base` (the role's current object) when neither is given.
 */
async function permissionOf(
  options: PermissionOptions,
  base: JsonObject | undefined,
): Promise<JsonObject | undefined> {
  if (options.permissionJson !== undefined && options.permissionFile !== undefined) {
    throw usageError("--permission-json and --permission-file both give the object: give one");
  }
  let given: JsonObject | undefined;
  if (options.permissionJson !== undefined) {
    given = parseObject(options.permissionJson, "--permission-json");
  } else if (options.permissionFile !== undefined) {
    const path = options.permissionFile;
    const text = await readFile(path, "utf8").catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      throw usageError(
        code === "ENOENT"
          ? `--permission-file: no such file ${path}`
          : `--permission-file: cannot read ${path} (${code ?? "unknown error"})`,
      );
    });
    given = parseObject(text, "--permission-file");
  }
  if (options.superUser === undefined) {
    return given;
  }
  const { super_user: _, ...rest } = given ?? base ?? {};
  return options.superUser ? { super_user: true, ...rest } : { super_user: false, ...rest };
}

function parseObject(text: string, option: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw usageError(`${option} must be a JSON object (HarperDB's permission object)`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw usageError(`${option} must be a JSON object (HarperDB's permission object)`);
  }
  return parsed as JsonObject;
}

function permissionOptions(command: Command, { clearable = false } = {}): Command {
  command.option("--super-user", "the admin level: every permission (HarperDB's super_user)");
  if (clearable) {
    // After --super-user: defined first, --no-super-user would make the flag true by default.
    command.option("--no-super-user", "clear the super_user flag");
  }
  return command
    .option(
      "--permission-json <json>",
      'HarperDB\'s permission object, e.g. \'{"dev":{"tables":{"dog":{"read":true,"insert":false,"update":false,"delete":false}}}}\'',
    )
    .option("--permission-file <file>", "the permission object, from a JSON file")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON");
}

/** The admin API's path of a role. */
const rolePath = (command: RemoteCommandContext, role: AdminRole) =>
  command.tenantPath(`/roles/${encodeURIComponent(role.id)}`);

/** `tessera role add|list|update|remove`: named permission objects users hold (`user set-role`). */
export function registerRoleCommands(program: Command): void {
  const role = program
    .command("role")
    .description("manage roles: HarperDB's permission objects, held by users");
  permissionOptions(
    role
      .command("add <name>")
      .description("add a role (no permission given: one that grants nothing)"),
  ).action((name: string, options: PermissionOptions) =>
    withDeployment(options, {
      local: async (command) => {
        const tenantId = await tenantOf(command, options);
        const permission = (await permissionOf(options, undefined)) ?? {};
        validateRolePermission(permission);
        return view(await addRole(command.ctx, { tenantId, name, permission }));
      },
      remote: async (command) => {
        // The tenant first, as locally: an unknown one fails before the options are read.
        await remoteTenant(command);
        const permission = (await permissionOf(options, undefined)) ?? {};
        // HarperDB's shape, which the CLI checks in both modes (the admin API checks only the core's rules).
        validateRolePermission(permission);
        const created = await command.admin.call<AdminRole>("POST", command.tenantPath("/roles"), {
          body: { name, permission },
        });
        return viewRemote(created.body);
      },
      print: (out, created) => out.print(created, () => describe(created)),
    }),
  );
  role
    .command("list")
    .description("list roles, with how many users hold each")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: CommonOptions) =>
      withDeployment(options, {
        local: async (command) => {
          const tenantId = await tenantOf(command, options);
          const roles = await listRoles(command.ctx, tenantId);
          const members = await Promise.all(
            roles.map((r) => command.ctx.store.roles.countMembers(tenantId, r.id)),
          );
          return roles.map((r, i) => view(r, members[i]));
        },
        remote: async (command) => {
          // The admin API's role holds no member count: it is counted from the users' role_id.
          const [roles, users] = await Promise.all([
            command.admin.all<AdminRole>(command.tenantPath("/roles")),
            command.admin.all<AdminUser>(command.tenantPath("/users")),
          ]);
          const members = new Map<string, number>();
          for (const user of users) {
            if (user.role_id !== null) {
              members.set(user.role_id, (members.get(user.role_id) ?? 0) + 1);
            }
          }
          return roles.map((r) => viewRemote(r, members.get(r.id) ?? 0));
        },
        print: (out, roles) =>
          out.print(roles, () =>
            table(
              ["NAME", "ID", "USERS", "GRANTS", "PERMISSION"],
              roles.map((r) => [
                r.name,
                r.id,
                String(r.users ?? 0),
                r.permissions.join(",") || "-",
                compact(r.permission),
              ]),
            ),
          ),
      }),
    );
  permissionOptions(
    role
      .command("update <role>")
      .description("rename a role or change its permission object (its users' at once)")
      .option("--name <name>", "a new name"),
    { clearable: true },
  ).action((nameOrId: string, options: UpdateOptions) => {
    /** The permission object to set, if any; a usage error when nothing would change. */
    const changeOf = async (current: JsonObject) => {
      const permission = await permissionOf(options, current);
      if (permission !== undefined) {
        validateRolePermission(permission);
      }
      if (permission === undefined && options.name === undefined) {
        throw usageError(
          "nothing to change: give --name, --super-user, --no-super-user, --permission-json or --permission-file",
        );
      }
      return permission;
    };
    return withDeployment(options, {
      local: async (command) => {
        const tenantId = await tenantOf(command, options);
        const current = await findRole(command.ctx, tenantId, nameOrId);
        const permission = await changeOf(current.permission);
        const updated = await updateRole(command.ctx, {
          tenantId,
          id: current.id,
          ...(options.name === undefined ? {} : { name: options.name }),
          ...(permission === undefined ? {} : { permission }),
        });
        return view(updated);
      },
      remote: async (command) => {
        const path = rolePath(command, await remoteRole(command, nameOrId));
        // Read with its ETag: --super-user edits the object as read, and a change made meanwhile fails.
        const current = await command.admin.get<AdminRole>(path);
        const permission = await changeOf(current.body.permission as JsonObject);
        const updated = await command.admin.call<AdminRole>("PATCH", path, {
          body: {
            ...(options.name === undefined ? {} : { name: options.name }),
            ...(permission === undefined ? {} : { permission }),
          },
          ...(current.etag === undefined ? {} : { ifMatch: current.etag }),
        });
        return viewRemote(updated.body);
      },
      print: (out, updated) => out.print(updated, () => describe(updated)),
    });
  });
  role
    .command("remove <role>")
    .description("delete a role no user holds")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((nameOrId: string, options: CommonOptions) =>
      withDeployment(options, {
        local: async (command) => {
          const tenantId = await tenantOf(command, options);
          const current = await findRole(command.ctx, tenantId, nameOrId);
          return view(await dropRole(command.ctx, { tenantId, id: current.id }));
        },
        remote: async (command) => {
          const current = await remoteRole(command, nameOrId);
          await command.admin.call("DELETE", rolePath(command, current));
          return viewRemote(current);
        },
        print: (out, removed) =>
          out.print({ ...removed, removed: true }, () => [
            `removed role ${removed.name} (${removed.id})`,
          ]),
      }),
    );
}
