import type { Kysely, Selectable } from "kysely";
import type { TokenEndpointAuthMethod } from "../../core/clients/auth-methods.js";
import type { GrantType } from "../../core/clients/grant-types.js";
import { echoInput } from "../../core/echo.js";
import { TesseraError } from "../../core/errors.js";
import type { ClientId, TenantId, TokenHash } from "../../core/ids.js";
import type {
  ClientPublicKey,
  ClientRecord,
  ClientStatus,
  EpochMs,
} from "../../core/model/index.js";
import type { ClientPageOptions, ClientPatch, ClientStore } from "../../core/ports/index.js";
import { insertOrConflict, isUniqueViolation, nextUpdatedAt, toMs, toMsOrNull } from "./dialect.js";
import { prepareQuery } from "./prepared.js";
import type { ClientsTable, Database } from "./schema.js";

function toClient(row: Selectable<ClientsTable>): ClientRecord {
  return {
    id: row.id as ClientId,
    tenantId: row.tenantId as TenantId,
    name: row.name,
    grantTypes: JSON.parse(row.grantTypes) as GrantType[],
    tokenEndpointAuthMethod: row.tokenEndpointAuthMethod as TokenEndpointAuthMethod,
    secretHash: row.secretHash as TokenHash | null,
    secretPrefix: row.secretPrefix,
    previousSecretHash: row.previousSecretHash as TokenHash | null,
    previousSecretExpiresAt: toMsOrNull(row.previousSecretExpiresAt),
    totpSeedSealed: row.totpSeedSealed,
    publicKeys: JSON.parse(row.publicKeys) as ClientPublicKey[],
    scopes: JSON.parse(row.scopes) as string[],
    audiences: JSON.parse(row.audiences) as string[],
    maxTokenTtlDays: row.maxTokenTtlDays,
    status: row.status as ClientStatus,
    firstParty: Number(row.firstParty) === 1,
    createdAt: toMs(row.createdAt),
    updatedAt: toMs(row.updatedAt),
  };
}

/** {@link ClientStore} over SQL. */
export class SqlClientStore implements ClientStore {
  readonly #byId = prepareQuery(
    () => this.db,
    2,
    (tenantId: string, id: string) =>
      this.db
        .selectFrom("clients")
        .selectAll()
        .where("tenantId", "=", tenantId)
        .where("id", "=", id),
  );

  constructor(private readonly db: Kysely<Database>) {}

  async create(client: ClientRecord): Promise<void> {
    await insertOrConflict(`Client ${echoInput(client.name)}`, () =>
      this.db
        .insertInto("clients")
        .values({
          ...client,
          grantTypes: JSON.stringify(client.grantTypes),
          publicKeys: JSON.stringify(client.publicKeys),
          scopes: JSON.stringify(client.scopes),
          audiences: JSON.stringify(client.audiences),
          firstParty: client.firstParty ? 1 : 0,
        })
        .execute(),
    );
  }

  async get(tenantId: TenantId, id: ClientId): Promise<ClientRecord | undefined> {
    const [row] = await this.#byId(tenantId, id);
    return row === undefined ? undefined : toClient(row);
  }

  async getByName(tenantId: TenantId, name: string): Promise<ClientRecord | undefined> {
    const row = await this.db
      .selectFrom("clients")
      .selectAll()
      .where("tenantId", "=", tenantId)
      .where("name", "=", name)
      .executeTakeFirst();
    return row === undefined ? undefined : toClient(row);
  }

  async list(tenantId: TenantId): Promise<ClientRecord[]> {
    const rows = await this.db
      .selectFrom("clients")
      .selectAll()
      .where("tenantId", "=", tenantId)
      .orderBy("name")
      .execute();
    return rows.map(toClient);
  }

  async page(tenantId: TenantId, options: ClientPageOptions): Promise<ClientRecord[]> {
    let query = this.db.selectFrom("clients").selectAll().where("tenantId", "=", tenantId);
    if (options.after !== undefined) {
      query = query.where("name", ">", options.after);
    }
    const rows = await query.orderBy("name").limit(options.limit).execute();
    return rows.map(toClient);
  }

  async update(
    tenantId: TenantId,
    id: ClientId,
    patch: ClientPatch,
    at: EpochMs,
    options: { readonly ifUpdatedAt?: EpochMs } = {},
  ): Promise<ClientRecord | undefined> {
    const { grantTypes, publicKeys, scopes, audiences, ...rest } = patch;
    try {
      let query = this.db
        .updateTable("clients")
        .set({
          ...rest,
          ...(grantTypes === undefined ? {} : { grantTypes: JSON.stringify(grantTypes) }),
          ...(publicKeys === undefined ? {} : { publicKeys: JSON.stringify(publicKeys) }),
          ...(scopes === undefined ? {} : { scopes: JSON.stringify(scopes) }),
          ...(audiences === undefined ? {} : { audiences: JSON.stringify(audiences) }),
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
          throw new TesseraError("precondition_failed", "The client changed since it was read");
        }
      }
      return row === undefined ? undefined : toClient(row);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new TesseraError("conflict", `Client ${echoInput(patch.name ?? "")} already exists`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}
