import type { Kysely, Selectable } from "kysely";
import { echoInput } from "../../core/echo.js";
import { TesseraError } from "../../core/errors.js";
import type { TenantId } from "../../core/ids.js";
import type {
  EpochMs,
  RefreshPolicy,
  SigningAlgorithm,
  TenantRecord,
} from "../../core/model/index.js";
import type { TenantPatch, TenantStore } from "../../core/ports/index.js";
import { insertOrConflict, nextUpdatedAt, toMs } from "./dialect.js";
import { prepareQuery } from "./prepared.js";
import type { Database, TenantsTable } from "./schema.js";

function toTenant(row: Selectable<TenantsTable>): TenantRecord {
  return {
    id: row.id as TenantId,
    displayName: row.displayName,
    accessTokenTtlSeconds: row.accessTokenTtlSeconds,
    idTokenTtlSeconds: row.idTokenTtlSeconds,
    refreshTokenTtlSeconds: row.refreshTokenTtlSeconds,
    refreshPolicy: row.refreshPolicy as RefreshPolicy,
    refreshGraceSeconds: row.refreshGraceSeconds,
    signingAlgorithm: row.signingAlgorithm as SigningAlgorithm,
    operationTokenTtlSeconds: row.operationTokenTtlSeconds,
    oauthPasswordGrant: Number(row.oauthPasswordGrant) === 1,
    signingKeyRotationDays: Number(row.signingKeyRotationDays),
    createdAt: toMs(row.createdAt),
    updatedAt: toMs(row.updatedAt),
  };
}

/** {@link TenantStore} over SQL. */
export class SqlTenantStore implements TenantStore {
  readonly #byId = prepareQuery(
    () => this.db,
    1,
    (id: string) => this.db.selectFrom("tenants").selectAll().where("id", "=", id),
  );

  constructor(private readonly db: Kysely<Database>) {}

  async create(tenant: TenantRecord): Promise<void> {
    await insertOrConflict(`Tenant ${echoInput(tenant.id)}`, () =>
      this.db
        .insertInto("tenants")
        .values({ ...tenant, oauthPasswordGrant: tenant.oauthPasswordGrant ? 1 : 0 })
        .execute(),
    );
  }

  async get(id: TenantId): Promise<TenantRecord | undefined> {
    const [row] = await this.#byId(id);
    return row === undefined ? undefined : toTenant(row);
  }

  async list(): Promise<TenantRecord[]> {
    const rows = await this.db.selectFrom("tenants").selectAll().orderBy("id").execute();
    return rows.map(toTenant);
  }

  async update(
    id: TenantId,
    patch: TenantPatch,
    at: EpochMs,
    options: { readonly ifUpdatedAt?: EpochMs } = {},
  ): Promise<TenantRecord | undefined> {
    const { oauthPasswordGrant, ...rest } = patch;
    let query = this.db
      .updateTable("tenants")
      .set({
        ...rest,
        ...(oauthPasswordGrant === undefined
          ? {}
          : { oauthPasswordGrant: oauthPasswordGrant ? 1 : 0 }),
        updatedAt: nextUpdatedAt(at),
      })
      .where("id", "=", id);
    if (options.ifUpdatedAt !== undefined) {
      query = query.where("updatedAt", "=", options.ifUpdatedAt);
    }
    const row = await query.returningAll().executeTakeFirst();
    if (
      row === undefined &&
      options.ifUpdatedAt !== undefined &&
      (await this.get(id)) !== undefined
    ) {
      throw new TesseraError("precondition_failed", "The tenant changed since it was read");
    }
    return row === undefined ? undefined : toTenant(row);
  }
}
