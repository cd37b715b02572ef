import { type Kysely, type Selectable, sql } from "kysely";
import type { ClientId, TenantId, TokenHash, TokenId } from "../../core/ids.js";
import type {
  AutomationTokenKind,
  AutomationTokenRecord,
  EpochMs,
} from "../../core/model/index.js";
import type {
  AutomationTokenPageOptions,
  AutomationTokenStore,
  TokenRotateResult,
} from "../../core/ports/index.js";
import { insertOrConflict, toMs, toMsOrNull } from "./dialect.js";
import { prepareQuery } from "./prepared.js";
import type { AutomationTokensTable, Database } from "./schema.js";

function toToken(row: Selectable<AutomationTokensTable>): AutomationTokenRecord {
  return {
    id: row.id as TokenId,
    tenantId: row.tenantId as TenantId,
    clientId: row.clientId as ClientId,
    kind: row.kind as AutomationTokenKind,
    name: row.name,
    hash: row.hash as TokenHash | null,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as string[],
    audience: row.audience,
    parentId: row.parentId as TokenId | null,
    createdAt: toMs(row.createdAt),
    expiresAt: toMs(row.expiresAt),
    lastUsedAt: toMsOrNull(row.lastUsedAt),
    revokedAt: toMsOrNull(row.revokedAt),
    revokedReason: row.revokedReason,
    replacedById: row.replacedById as TokenId | null,
  };
}

function toRow(token: AutomationTokenRecord) {
  return { ...token, scopes: JSON.stringify(token.scopes) };
}

/** {@link AutomationTokenStore} over SQL. */
export class SqlAutomationTokenStore implements AutomationTokenStore {
  readonly #byId = prepareQuery(
    () => this.db,
    1,
    (id: string) => this.db.selectFrom("automationTokens").selectAll().where("id", "=", id),
  );
  readonly #byHash = prepareQuery(
    () => this.db,
    1,
    (hash: string) => this.db.selectFrom("automationTokens").selectAll().where("hash", "=", hash),
  );

  constructor(private readonly db: Kysely<Database>) {}

  async create(token: AutomationTokenRecord): Promise<void> {
    await insertOrConflict(`Token ${token.id}`, () =>
      this.db.insertInto("automationTokens").values(toRow(token)).execute(),
    );
  }

  async get(id: TokenId): Promise<AutomationTokenRecord | undefined> {
    const [row] = await this.#byId(id);
    return row === undefined ? undefined : toToken(row);
  }

  async getByHash(hash: TokenHash): Promise<AutomationTokenRecord | undefined> {
    const [row] = await this.#byHash(hash);
    return row === undefined ? undefined : toToken(row);
  }

  async listForClient(
    tenantId: TenantId,
    clientId: ClientId,
    filter: { readonly includeEnded?: boolean; readonly now: EpochMs; readonly limit: number },
  ): Promise<AutomationTokenRecord[]> {
    let query = this.db
      .selectFrom("automationTokens")
      .selectAll()
      .where("tenantId", "=", tenantId)
      .where("clientId", "=", clientId);
    if (filter.includeEnded !== true) {
      query = query
        .where("expiresAt", ">", filter.now)
        .where((eb) => eb.or([eb("revokedAt", "is", null), eb("revokedAt", ">", filter.now)]));
    }
    const rows = await query
      .orderBy("createdAt", "desc")
      .orderBy("id")
      .limit(filter.limit)
      .execute();
    return rows.map(toToken);
  }

  async page(
    tenantId: TenantId,
    options: AutomationTokenPageOptions,
  ): Promise<AutomationTokenRecord[]> {
    let query = this.db.selectFrom("automationTokens").selectAll().where("tenantId", "=", tenantId);
    if (options.clientId !== undefined) {
      query = query.where("clientId", "=", options.clientId);
    }
    if (options.includeEnded !== true) {
      query = query
        .where("expiresAt", ">", options.now)
        .where((eb) => eb.or([eb("revokedAt", "is", null), eb("revokedAt", ">", options.now)]));
    }
    const { after } = options;
    if (after !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb("createdAt", "<", after.createdAt),
          eb.and([eb("createdAt", "=", after.createdAt), eb("id", ">", after.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy("createdAt", "desc")
      .orderBy("id")
      .limit(options.limit)
      .execute();
    return rows.map(toToken);
  }

  async revoke(id: TokenId, at: EpochMs, reason: string): Promise<TokenId[]> {
    const rows = await this.db
      .updateTable("automationTokens")
      .set({ revokedAt: at, revokedReason: reason })
      .where((eb) => eb.or([eb("id", "=", id), eb("parentId", "=", id)]))
      .where((eb) => eb.or([eb("revokedAt", "is", null), eb("revokedAt", ">", at)]))
      .returning("id")
      .execute();
    return rows.map((row) => row.id as TokenId);
  }

  async rotate(input: {
    readonly oldId: TokenId;
    readonly successor: AutomationTokenRecord;
    readonly endsAt: EpochMs;
    readonly at: EpochMs;
  }): Promise<TokenRotateResult> {
    const won = await this.db.transaction().execute(async (tx) => {
      // The compare-and-swap, as for refresh tokens: one writer wins, the
      // others re-check the WHERE clause after its commit and match nothing.
      const claimed = await tx
        .updateTable("automationTokens")
        .set({
          replacedById: input.successor.id,
          revokedAt: sql<number>`case when ${sql.ref("expires_at")} < ${input.endsAt} then ${sql.ref("expires_at")} else ${input.endsAt} end`,
          revokedReason: "rotated",
        })
        .where("id", "=", input.oldId)
        .where("replacedById", "is", null)
        .where("revokedAt", "is", null)
        .executeTakeFirst();
      if (claimed.numUpdatedRows !== 1n) {
        return false;
      }
      // The old token's short-term tokens end with it.
      await tx
        .updateTable("automationTokens")
        .set({ revokedAt: input.endsAt, revokedReason: "parent_rotated" })
        .where("parentId", "=", input.oldId)
        .where((eb) => eb.or([eb("revokedAt", "is", null), eb("revokedAt", ">", input.endsAt)]))
        .where("expiresAt", ">", input.endsAt)
        .execute();
      await tx.insertInto("automationTokens").values(toRow(input.successor)).execute();
      return true;
    });
    if (won) {
      return { rotated: true };
    }
    return { rotated: false, current: await this.get(input.oldId) };
  }

  async markUsed(id: TokenId, at: EpochMs): Promise<void> {
    await this.db
      .updateTable("automationTokens")
      .set({ lastUsedAt: at })
      .where("id", "=", id)
      .execute();
  }
}
