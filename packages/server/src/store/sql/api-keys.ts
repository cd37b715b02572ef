import type { Kysely, Selectable } from "kysely";
import { echoInput } from "../../core/echo.js";
import { TesseraError } from "../../core/errors.js";
import type { ApiKeyId, ClientId, TenantId, TokenHash } from "../../core/ids.js";
import type { ApiKeyRecord, EpochMs } from "../../core/model/index.js";
import type { ApiKeyPageOptions, ApiKeyStore } from "../../core/ports/index.js";
import { insertOrConflict, isForeignKeyViolation, toMs, toMsOrNull } from "./dialect.js";
import { prepareQuery } from "./prepared.js";
import type { ApiKeysTable, Database } from "./schema.js";

function toApiKey(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id as ApiKeyId,
    tenantId: row.tenantId as TenantId,
    clientId: row.clientId as ClientId,
    name: row.name,
    keyHash: row.keyHash as TokenHash,
    keyPrefix: row.keyPrefix,
    createdAt: toMs(row.createdAt),
    lastUsedAt: toMsOrNull(row.lastUsedAt),
    revokedAt: toMsOrNull(row.revokedAt),
  };
}

/** {@link ApiKeyStore} over SQL. */
export class SqlApiKeyStore implements ApiKeyStore {
  readonly #byHash = prepareQuery(
    () => this.db,
    1,
    (hash: string) => this.db.selectFrom("apiKeys").selectAll().where("keyHash", "=", hash),
  );

  constructor(private readonly db: Kysely<Database>) {}

  async create(key: ApiKeyRecord): Promise<void> {
    try {
      await insertOrConflict("API key", () => this.db.insertInto("apiKeys").values(key).execute());
    } catch (error) {
      // The tenant's foreign key is checked too, but a key's tenant comes from a client of it.
      if (isForeignKeyViolation(error)) {
        throw new TesseraError("not_found", `No client ${echoInput(key.clientId)}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async getByHash(hash: TokenHash): Promise<ApiKeyRecord | undefined> {
    const [row] = await this.#byHash(hash);
    return row === undefined ? undefined : toApiKey(row);
  }

  async get(tenantId: TenantId, id: ApiKeyId): Promise<ApiKeyRecord | undefined> {
    const row = await this.db
      .selectFrom("apiKeys")
      .selectAll()
      .where("tenantId", "=", tenantId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : toApiKey(row);
  }

  async page(tenantId: TenantId, options: ApiKeyPageOptions): Promise<ApiKeyRecord[]> {
    let query = this.db.selectFrom("apiKeys").selectAll().where("tenantId", "=", tenantId);
    if (options.clientId !== undefined) {
      query = query.where("clientId", "=", options.clientId);
    }
    const { after } = options;
    if (after !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb("createdAt", ">", after.createdAt),
          eb.and([eb("createdAt", "=", after.createdAt), eb("id", ">", after.id)]),
        ]),
      );
    }
    const rows = await query.orderBy("createdAt").orderBy("id").limit(options.limit).execute();
    return rows.map(toApiKey);
  }

  async list(tenantId: TenantId): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom("apiKeys")
      .selectAll()
      .where("tenantId", "=", tenantId)
      .orderBy("createdAt")
      .orderBy("id")
      .execute();
    return rows.map(toApiKey);
  }

  async revoke(tenantId: TenantId, id: ApiKeyId, at: EpochMs): Promise<boolean> {
    const result = await this.db
      .updateTable("apiKeys")
      .set({ revokedAt: at })
      .where("tenantId", "=", tenantId)
      .where("id", "=", id)
      .where("revokedAt", "is", null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async markUsed(id: ApiKeyId, at: EpochMs): Promise<void> {
    await this.db.updateTable("apiKeys").set({ lastUsedAt: at }).where("id", "=", id).execute();
  }
}
