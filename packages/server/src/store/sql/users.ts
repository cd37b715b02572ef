import type { Kysely, Selectable } from "kysely";
import type { TenantId, UserId } from "../../core/ids.js";
import type { UserPatch, UserStore } from "../contract.js";
import type { EpochMs, UserRecord, UserStatus } from "../records.js";
import { insertOrConflict, toMs } from "./dialect.js";
import type { Database, UsersTable } from "./schema.js";

function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id as UserId,
    tenantId: row.tenantId as TenantId,
    username: row.username,
    passwordHash: row.passwordHash,
    status: row.status as UserStatus,
    permissions: JSON.parse(row.permissions) as string[],
    createdAt: toMs(row.createdAt),
    updatedAt: toMs(row.updatedAt),
  };
}

/** {@link UserStore} over SQL. */
export class SqlUserStore implements UserStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(user: UserRecord): Promise<void> {
    await insertOrConflict(`User ${user.username}`, () =>
      this.db
        .insertInto("users")
        .values({ ...user, permissions: JSON.stringify(user.permissions) })
        .execute(),
    );
  }

  async getById(tenantId: TenantId, id: UserId): Promise<UserRecord | undefined> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("tenantId", "=", tenantId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : toUser(row);
  }

  async getByUsername(tenantId: TenantId, username: string): Promise<UserRecord | undefined> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("tenantId", "=", tenantId)
      .where("username", "=", username)
      .executeTakeFirst();
    return row === undefined ? undefined : toUser(row);
  }

  async list(tenantId: TenantId): Promise<UserRecord[]> {
    const rows = await this.db
      .selectFrom("users")
      .selectAll()
      .where("tenantId", "=", tenantId)
      .orderBy("username")
      .execute();
    return rows.map(toUser);
  }

  async update(
    tenantId: TenantId,
    id: UserId,
    patch: UserPatch,
    at: EpochMs,
  ): Promise<UserRecord | undefined> {
    const { permissions, ...rest } = patch;
    const row = await this.db
      .updateTable("users")
      .set({
        ...rest,
        ...(permissions === undefined ? {} : { permissions: JSON.stringify(permissions) }),
        updatedAt: at,
      })
      .where("tenantId", "=", tenantId)
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? undefined : toUser(row);
  }
}
