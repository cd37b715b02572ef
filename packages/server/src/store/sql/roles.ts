import type { Kysely, Selectable } from "kysely";
import { echoInput } from "../../core/echo.js";
import { TesseraError } from "../../core/errors.js";
import type { RoleId, TenantId } from "../../core/ids.js";
import type { EpochMs, JsonObject, RoleRecord } from "../../core/model/index.js";
import type { RolePatch, RoleStore } from "../../core/ports/index.js";
import {
  insertOrConflict,
  isForeignKeyViolation,
  isUniqueViolation,
  nextUpdatedAt,
  toMs,
} from "./dialect.js";
import type { Database, RolesTable } from "./schema.js";

function toRole(row: Selectable<RolesTable>): RoleRecord {
  return {
    id: row.id as RoleId,
    tenantId: row.tenantId as TenantId,
    name: row.name,
    permission: JSON.parse(row.permission) as JsonObject,
    permissions: JSON.parse(row.permissions) as string[],
    createdAt: toMs(row.createdAt),
    updatedAt: toMs(row.updatedAt),
  };
}

/** {@link RoleStore} over SQL. */
export class SqlRoleStore implements RoleStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(role: RoleRecord): Promise<void> {
    await insertOrConflict(`Role ${echoInput(role.name)}`, () =>
      this.db
        .insertInto("roles")
        .values({
          ...role,
          permission: JSON.stringify(role.permission),
          permissions: JSON.stringify(role.permissions),
        })
        .execute(),
    );
  }

  async get(tenantId: TenantId, id: RoleId): Promise<RoleRecord | undefined> {
    const row = await this.db
      .selectFrom("roles")
      .selectAll()
      .where("tenantId", "=", tenantId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : toRole(row);
  }

  async getByName(tenantId: TenantId, name: string): Promise<RoleRecord | undefined> {
    const row = await this.db
      .selectFrom("roles")
      .selectAll()
      .where("tenantId", "=", tenantId)
      .where("name", "=", name)
      .executeTakeFirst();
    return row === undefined ? undefined : toRole(row);
  }

  async list(tenantId: TenantId): Promise<RoleRecord[]> {
    const rows = await this.db
      .selectFrom("roles")
      .selectAll()
      .where("tenantId", "=", tenantId)
      .orderBy("name")
      .execute();
    return rows.map(toRole);
  }

  async update(
    tenantId: TenantId,
    id: RoleId,
    patch: RolePatch,
    at: EpochMs,
    options: { readonly ifUpdatedAt?: EpochMs } = {},
  ): Promise<RoleRecord | undefined> {
    const { permission, permissions, name } = patch;
    try {
      let query = this.db
        .updateTable("roles")
        .set({
          ...(name === undefined ? {} : { name }),
          ...(permission === undefined ? {} : { permission: JSON.stringify(permission) }),
          ...(permissions === undefined ? {} : { permissions: JSON.stringify(permissions) }),
          updatedAt: nextUpdatedAt(at),
        })
        .where("tenantId", "=", tenantId)
        .where("id", "=", id);
      if (options.ifUpdatedAt !== undefined) {
        query = query.where("updatedAt", "=", options.ifUpdatedAt);
      }
      const row = await query.returningAll().executeTakeFirst();
      if (row === undefined && options.ifUpdatedAt !== undefined) {
        if ((await this.get(tenantId, id)) !== undefined) {
          throw new TesseraError("precondition_failed", "The role changed since it was read");
        }
      }
      return row === undefined ? undefined : toRole(row);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new TesseraError("conflict", `Role ${echoInput(name ?? "")} already exists`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async delete(tenantId: TenantId, id: RoleId): Promise<boolean> {
    try {
      const result = await this.db
        .deleteFrom("roles")
        .where("tenantId", "=", tenantId)
        .where("id", "=", id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    } catch (error) {
      if (isForeignKeyViolation(error)) {
        throw new TesseraError("conflict", "The role is held by users", { cause: error });
      }
      throw error;
    }
  }

  async countMembers(tenantId: TenantId, id: RoleId): Promise<number> {
    const row = await this.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number | string>().as("members"))
      .where("tenantId", "=", tenantId)
      .where("roleId", "=", id)
      .executeTakeFirstOrThrow();
    return Number(row.members);
  }
}
