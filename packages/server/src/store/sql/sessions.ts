import type { Kysely, Selectable } from "kysely";
import { TesseraError } from "../../core/errors.js";
import type { ApiKeyId, ClientId, SessionId, TenantId, UserId } from "../../core/ids.js";
import type { EpochMs, RefreshTokenRecord, SessionRecord } from "../../core/model/index.js";
import type { SessionStore } from "../../core/ports/index.js";
import { insertOrConflict, isForeignKeyViolation, toMs, toMsOrNull } from "./dialect.js";
import { prepareQuery } from "./prepared.js";
import type { Database, SessionsTable } from "./schema.js";

function toSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id as SessionId,
    tenantId: row.tenantId as TenantId,
    userId: row.userId as UserId,
    clientId: row.clientId as ClientId,
    apiKeyId: row.apiKeyId as ApiKeyId | null,
    authTime: toMs(row.authTime),
    createdAt: toMs(row.createdAt),
    expiresAt: toMs(row.expiresAt),
    lastRefreshedAt: toMsOrNull(row.lastRefreshedAt),
    revokedAt: toMsOrNull(row.revokedAt),
    revokedReason: row.revokedReason,
    impersonatorUserId: row.impersonatorUserId as UserId | null,
    parentSessionId: row.parentSessionId as SessionId | null,
  };
}

/** {@link SessionStore} over SQL. */
export class SqlSessionStore implements SessionStore {
  readonly #byId = prepareQuery(
    () => this.db,
    1,
    (id: string) => this.db.selectFrom("sessions").selectAll().where("id", "=", id),
  );
  readonly #markRefreshed = prepareQuery(
    () => this.db,
    2,
    (id: string, at: number) =>
      this.db.updateTable("sessions").set({ lastRefreshedAt: at }).where("id", "=", id),
  );

  constructor(private readonly db: Kysely<Database>) {}

  async create(session: SessionRecord, firstRefreshToken: RefreshTokenRecord): Promise<void> {
    try {
      await insertOrConflict(`Session ${session.id}`, () =>
        this.db.transaction().execute(async (tx) => {
          await tx.insertInto("sessions").values(session).execute();
          await tx.insertInto("refreshTokens").values(firstRefreshToken).execute();
        }),
      );
    } catch (error) {
      // The user was deleted while logging in.
      if (isForeignKeyViolation(error)) {
        throw new TesseraError("not_found", "The user no longer exists", { cause: error });
      }
      throw error;
    }
  }

  async get(id: SessionId): Promise<SessionRecord | undefined> {
    const [row] = await this.#byId(id);
    return row === undefined ? undefined : toSession(row);
  }

  async list(
    tenantId: TenantId,
    filter: {
      readonly userId?: UserId;
      readonly clientId?: ClientId;
      readonly includeEnded?: boolean;
      readonly after?: { readonly createdAt: EpochMs; readonly id: SessionId };
      readonly now: EpochMs;
      readonly limit: number;
    },
  ): Promise<SessionRecord[]> {
    let query = this.db.selectFrom("sessions").selectAll().where("tenantId", "=", tenantId);
    if (filter.userId !== undefined) {
      query = query.where("userId", "=", filter.userId);
    }
    if (filter.clientId !== undefined) {
      query = query.where("clientId", "=", filter.clientId);
    }
    const after = filter.after;
    if (after !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb("createdAt", "<", after.createdAt),
          eb.and([eb("createdAt", "=", after.createdAt), eb("id", ">", after.id)]),
        ]),
      );
    }
    if (filter.includeEnded !== true) {
      query = query.where("revokedAt", "is", null).where("expiresAt", ">", filter.now);
    }
    const rows = await query
      .orderBy("createdAt", "desc")
      .orderBy("id")
      .limit(filter.limit)
      .execute();
    return rows.map(toSession);
  }

  async revoke(id: SessionId, at: EpochMs, reason: string): Promise<SessionId[]> {
    const rows = await this.db
      .updateTable("sessions")
      .set({ revokedAt: at, revokedReason: reason })
      .where((eb) => eb.or([eb("id", "=", id), eb("parentSessionId", "=", id)]))
      .where("revokedAt", "is", null)
      .returning("id")
      .execute();
    return rows.map((r) => r.id as SessionId);
  }

  async revokeAllForUser(
    tenantId: TenantId,
    userId: UserId,
    at: EpochMs,
    reason: string,
  ): Promise<SessionId[]> {
    // The user's own sessions, sessions in which the user impersonates someone,
    // and impersonation sessions born of the user's sessions.
    const rows = await this.db
      .updateTable("sessions")
      .set({ revokedAt: at, revokedReason: reason })
      .where("tenantId", "=", tenantId)
      .where("revokedAt", "is", null)
      .where((eb) =>
        eb.or([
          eb("userId", "=", userId),
          eb("impersonatorUserId", "=", userId),
          eb(
            "parentSessionId",
            "in",
            eb
              .selectFrom("sessions as parent")
              .select("parent.id")
              .where("parent.tenantId", "=", tenantId)
              .where("parent.userId", "=", userId),
          ),
        ]),
      )
      .returning("id")
      .execute();
    return rows.map((r) => r.id as SessionId);
  }

  async markRefreshed(id: SessionId, at: EpochMs): Promise<void> {
    await this.#markRefreshed(id, at);
  }
}
