import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { JsonObject, RoleRecord } from "../../core/model/index.js";
import { validateRolePermission } from "../../core/role-permission.js";
import { addRole, dropRole, findRole, listRoles, updateRole } from "../../core/roles.js";
import { type CommonOptions, tenantOf, withCore } from "../context.js";
import { usageError } from "../errors.js";
import { type Lines, table, when } from "../io.js";

interface PermissionOptions extends CommonOptions {
  /** `--super-user` sets the flag, `--no-super-user` clears it; undefined leaves it. */
  readonly superUser?: boolean;
  readonly permissionJson?: string;
  readonly permissionFile?: string;
}

interface UpdateOptions extends PermissionOptions {
  readonly name?: string;
}

/** A role as the CLI prints it, with ISO times like every other command. */
function view(role: RoleRecord, members?: number) {
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

function describe(role: RoleRecord): Lines {
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
    withCore(options, async (command) => {
      const tenantId = await tenantOf(command, options);
      const permission = (await permissionOf(options, undefined)) ?? {};
      validateRolePermission(permission);
      const created = await addRole(command.ctx, { tenantId, name, permission });
      command.out.print(view(created), () => describe(created));
    }),
  );
  role
    .command("list")
    .description("list roles, with how many users hold each")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: CommonOptions) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        const roles = await listRoles(command.ctx, tenantId);
        const members = await Promise.all(
          roles.map((r) => command.ctx.store.roles.countMembers(tenantId, r.id)),
        );
        command.out.print(
          roles.map((r, i) => view(r, members[i])),
          () =>
            table(
              ["NAME", "ID", "USERS", "GRANTS", "PERMISSION"],
              roles.map((r, i) => [
                r.name,
                r.id,
                String(members[i] ?? 0),
                r.permissions.join(",") || "-",
                compact(r.permission),
              ]),
            ),
        );
      }),
    );
  permissionOptions(
    role
      .command("update <role>")
      .description("rename a role or change its permission object (its users' at once)")
      .option("--name <name>", "a new name"),
    { clearable: true },
  ).action((nameOrId: string, options: UpdateOptions) =>
    withCore(options, async (command) => {
      const tenantId = await tenantOf(command, options);
      const current = await findRole(command.ctx, tenantId, nameOrId);
      const permission = await permissionOf(options, current.permission);
      if (permission !== undefined) {
        validateRolePermission(permission);
      }
      if (permission === undefined && options.name === undefined) {
        throw usageError(
          "nothing to change: give --name, --super-user, --no-super-user, --permission-json or --permission-file",
        );
      }
      const updated = await updateRole(command.ctx, {
        tenantId,
        id: current.id,
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(permission === undefined ? {} : { permission }),
      });
      command.out.print(view(updated), () => describe(updated));
    }),
  );
  role
    .command("remove <role>")
    .description("delete a role no user holds")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((nameOrId: string, options: CommonOptions) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        const current = await findRole(command.ctx, tenantId, nameOrId);
        const removed = await dropRole(command.ctx, { tenantId, id: current.id });
        command.out.print({ ...view(removed), removed: true }, () => [
          `removed role ${removed.name} (${removed.id})`,
        ]);
      }),
    );
}
