import type { Kysely, Selectable } from "kysely";
import type { KeyId, TenantId } from "../../core/ids.js";
import type {
  EpochMs,
  SigningAlgorithm,
  SigningKeyRecord,
  SigningKeyStatus,
} from "../../core/model/index.js";
import type { SigningKeyStore } from "../../core/ports/index.js";
import { insertOrConflict, toMs, toMsOrNull } from "./dialect.js";
import type { Database, SigningKeysTable } from "./schema.js";

function toSigningKey(row: Selectable<SigningKeysTable>): SigningKeyRecord {
  return {
    kid: row.kid as KeyId,
    tenantId: row.tenantId as TenantId,
    algorithm: row.algorithm as SigningAlgorithm,
    status: row.status as SigningKeyStatus,
    publicJwk: row.publicJwk,
    privateKeySealed: row.privateKeySealed,
    createdAt: toMs(row.createdAt),
    activatedAt: toMsOrNull(row.activatedAt),
    retiredAt: toMsOrNull(row.retiredAt),
  };
}

/** {@link SigningKeyStore} over SQL. */
export class SqlSigningKeyStore implements SigningKeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(key: SigningKeyRecord): Promise<void> {
    await insertOrConflict(`Signing key ${key.kid}`, () =>
      this.db.insertInto("signingKeys").values(key).execute(),
    );
  }

  async list(tenantId: TenantId): Promise<SigningKeyRecord[]> {
    const rows = await this.db
      .selectFrom("signingKeys")
      .selectAll()
      .where("tenantId", "=", tenantId)
      .orderBy("createdAt", "desc")
      .orderBy("kid")
      .execute();
    return rows.map(toSigningKey);
  }

  async rotate(input: {
    readonly tenantId: TenantId;
    readonly promoteKid: KeyId;
    readonly newNext: SigningKeyRecord;
    readonly at: EpochMs;
  }): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      // The promotion is the compare-and-swap: it succeeds for one caller only,
      // because the losers find the key no longer `next`.
      const promoted = await tx
        .updateTable("signingKeys")
        .set({ status: "active", activatedAt: input.at })
        .where("tenantId", "=", input.tenantId)
        .where("kid", "=", input.promoteKid)
        .where("status", "=", "next")
        .executeTakeFirst();
      if (promoted.numUpdatedRows !== 1n) {
        return false;
      }
      await tx
        .updateTable("signingKeys")
        .set({ status: "retired", retiredAt: input.at })
        .where("tenantId", "=", input.tenantId)
        .where("algorithm", "=", input.newNext.algorithm)
        .where("status", "=", "active")
        .where("kid", "!=", input.promoteKid)
        .execute();
      await tx.insertInto("signingKeys").values(input.newNext).execute();
      return true;
    });
  }

  async deleteRetired(tenantId: TenantId, before: EpochMs): Promise<number> {
    const result = await this.db
      .deleteFrom("signingKeys")
      .where("tenantId", "=", tenantId)
      .where("status", "=", "retired")
      .where("retiredAt", "<", before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
