import type { Kysely, Selectable } from "kysely";
import type { SessionId, TenantId, TokenHash } from "../../core/ids.js";
import type { EpochMs, RefreshTokenRecord } from "../../core/model/index.js";
import type { RefreshTokenStore, RotateResult } from "../../core/ports/index.js";
import { toMs, toMsOrNull } from "./dialect.js";
import { prepareQuery } from "./prepared.js";
import type { Database, RefreshTokensTable } from "./schema.js";

function toRefreshToken(row: Selectable<RefreshTokensTable>): RefreshTokenRecord {
  return {
    hash: row.hash as TokenHash,
    sessionId: row.sessionId as SessionId,
    tenantId: row.tenantId as TenantId,
    createdAt: toMs(row.createdAt),
    expiresAt: toMs(row.expiresAt),
    rotatedAt: toMsOrNull(row.rotatedAt),
    successorSealed: row.successorSealed,
  };
}

/** {@link RefreshTokenStore} over SQL. */
export class SqlRefreshTokenStore implements RefreshTokenStore {
  readonly #byHash = prepareQuery(
    () => this.db,
    1,
    (hash: string) => this.db.selectFrom("refreshTokens").selectAll().where("hash", "=", hash),
  );

  constructor(private readonly db: Kysely<Database>) {}

  async getByHash(hash: TokenHash): Promise<RefreshTokenRecord | undefined> {
    const [row] = await this.#byHash(hash);
    return row === undefined ? undefined : toRefreshToken(row);
  }

  async rotate(input: {
    readonly oldHash: TokenHash;
    readonly successor: RefreshTokenRecord;
    readonly successorSealed: string;
    readonly at: EpochMs;
  }): Promise<RotateResult> {
    const won = await this.db.transaction().execute(async (tx) => {
      // The compare-and-swap. SQLite serialises writers; PostgreSQL makes a
      // concurrent UPDATE wait for the winner's commit, then re-check the
      // WHERE clause and match nothing.
      const claimed = await tx
        .updateTable("refreshTokens")
        .set({ rotatedAt: input.at, successorSealed: input.successorSealed })
        .where("hash", "=", input.oldHash)
        .where("rotatedAt", "is", null)
        .executeTakeFirst();
      if (claimed.numUpdatedRows !== 1n) {
        return false;
      }
      await tx.insertInto("refreshTokens").values(input.successor).execute();
      return true;
    });
    if (won) {
      return { rotated: true };
    }
    return { rotated: false, current: await this.getByHash(input.oldHash) };
  }
}
