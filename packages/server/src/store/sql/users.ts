import { type Kysely, type Selectable, sql } from "kysely";
import { echoInput } from "../../core/echo.js";
import { TesseraError } from "../../core/errors.js";
import type { RoleId, TenantId, UserId } from "../../core/ids.js";
import type { EpochMs, UserRecord, UserStatus } from "../../core/model/index.js";
import type { UserPageOptions, UserPatch, UserStore } from "../../core/ports/index.js";
import { insertOrConflict, isForeignKeyViolation, nextUpdatedAt, toMs } from "./dialect.js";
import { prepareQuery } from "./prepared.js";
import type { Database, UsersTable } from "./schema.js";

type UserRow = Selectable<UsersTable> & { readonly rolePermissions: string | null };

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id as UserId,
    tenantId: row.tenantId as TenantId,
    username: row.username,
    passwordHash: row.passwordHash,
    status: row.status as UserStatus,
    permissions: JSON.parse(row.permissions) as string[],
    roleId: row.roleId as RoleId | null,
    rolePermissions:
      row.rolePermissions === null ? [] : (JSON.parse(row.rolePermissions) as string[]),
    createdAt: toMs(row.createdAt),
    updatedAt: toMs(row.updatedAt),
  };
}

/** {@link UserStore} over SQL. Every read joins the user's role, so its grants are current. */
export class SqlUserStore implements UserStore {
  readonly #byId = prepareQuery(
    () => this.db,
    2,
    (tenantId: string, id: string) =>
      this.#select().where("users.tenantId", "=", tenantId).where("users.id", "=", id),
  );

  constructor(private readonly db: Kysely<Database>) {}

  #select() {
    return this.db
      .selectFrom("users")
      .leftJoin("roles", (join) =>
        join.onRef("roles.id", "=", "users.roleId").onRef("roles.tenantId", "=", "users.tenantId"),
      )
      .selectAll("users")
      .select("roles.permissions as rolePermissions");
  }

  async create(user: UserRecord): Promise<void> {
    const { rolePermissions: _derived, ...row } = user;
    if (user.roleId !== null) {
      await this.#requireRole(user.tenantId, user.roleId);
    }
    try {
      await insertOrConflict(`User ${echoInput(user.username)}`, () =>
        this.db
          .insertInto("users")
          .values({ ...row, permissions: JSON.stringify(user.permissions) })
          .execute(),
      );
    } catch (error) {
      // The role was deleted between the check and the insert.
      if (isForeignKeyViolation(error) && user.roleId !== null) {
        throw new TesseraError("not_found", "No such role", { cause: error });
      }
      throw error;
    }
  }

  /** Refuses a role id that names no role of the tenant (ids are global; roles are not). */
  async #requireRole(tenantId: TenantId, roleId: RoleId): Promise<void> {
    const role = await this.db
      .selectFrom("roles")
      .select("id")
      .where("tenantId", "=", tenantId)
      .where("id", "=", roleId)
      .executeTakeFirst();
    if (role === undefined) {
      throw new TesseraError("not_found", "No such role");
    }
  }

  async getById(tenantId: TenantId, id: UserId): Promise<UserRecord | undefined> {
    const [row] = await this.#byId(tenantId, id);
    return row === undefined ? undefined : toUser(row);
  }

  async getByUsername(tenantId: TenantId, username: string): Promise<UserRecord | undefined> {
    const row = await this.#select()
      .where("users.tenantId", "=", tenantId)
      .where("users.username", "=", username)
      .executeTakeFirst();
    return row === undefined ? undefined : toUser(row);
  }

  async list(tenantId: TenantId): Promise<UserRecord[]> {
    const rows = await this.#select()
      .where("users.tenantId", "=", tenantId)
      .orderBy("users.username")
      .execute();
    return rows.map(toUser);
  }

  async page(tenantId: TenantId, options: UserPageOptions): Promise<UserRecord[]> {
    let query = this.#select().where("users.tenantId", "=", tenantId);
    if (options.after !== undefined) {
      query = query.where("users.username", ">", options.after);
    }
    if (options.search !== undefined && options.search !== "") {
      // LIKE ignores ASCII case on SQLite but not on PostgreSQL: lower both
      // sides, ASCII only, as SQLite's lower() does, so both stores agree.
      const folded = options.search.replace(/[A-Z]/g, (c) => c.toLowerCase());
      const pattern = `%${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where(sql<boolean>`lower(users.username) like ${pattern} escape '\\'`);
    }
    const rows = await query.orderBy("users.username").limit(options.limit).execute();
    return rows.map(toUser);
  }

  async update(
    tenantId: TenantId,
    id: UserId,
    patch: UserPatch,
    at: EpochMs,
    options: { readonly ifUpdatedAt?: EpochMs } = {},
  ): Promise<UserRecord | undefined> {
    const { permissions, ...rest } = patch;
    if (patch.roleId !== undefined && patch.roleId !== null) {
      await this.#requireRole(tenantId, patch.roleId);
    }
    let updated: { id: string } | undefined;
    try {
      let query = this.db
        .updateTable("users")
        .set({
          ...rest,
          ...(permissions === undefined ? {} : { permissions: JSON.stringify(permissions) }),
          updatedAt: nextUpdatedAt(at),
        })
        .where("tenantId", "=", tenantId)
        .where("id", "=", id);
      if (options.ifUpdatedAt !== undefined) {
        query = query.where("updatedAt", "=", options.ifUpdatedAt);
      }
      updated = await query.returning("id").executeTakeFirst();
      if (updated === undefined && options.ifUpdatedAt !== undefined) {
        if ((await this.getById(tenantId, id)) !== undefined) {
          throw new TesseraError("precondition_failed", "The user changed since it was read");
        }
      }
    } catch (error) {
      // The only reference an update can change is the role.
      if (isForeignKeyViolation(error) && patch.roleId !== undefined) {
        throw new TesseraError("not_found", "No such role", { cause: error });
      }
      throw error;
    }
    return updated === undefined ? undefined : this.getById(tenantId, id);
  }

  async delete(tenantId: TenantId, id: UserId): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const sessionsOfUser = tx
        .selectFrom("sessions")
        .select("id")
        .where("tenantId", "=", tenantId)
        .where("userId", "=", id);
      await tx.deleteFrom("refreshTokens").where("sessionId", "in", sessionsOfUser).execute();
      await tx
        .deleteFrom("sessions")
        .where("tenantId", "=", tenantId)
        .where("userId", "=", id)
        .execute();
      const result = await tx
        .deleteFrom("users")
        .where("tenantId", "=", tenantId)
        .where("id", "=", id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }
}
