import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/index.js";
import type { OneTimeClaimStore } from "../../core/ports/index.js";
import type { Database } from "./schema.js";

/** {@link OneTimeClaimStore} over SQL: `INSERT … ON CONFLICT DO UPDATE … WHERE expired`, one statement. */
export class SqlOneTimeClaimStore implements OneTimeClaimStore {
  constructor(private readonly db: Kysely<Database>) {}

  async claim(key: string, expiresAt: EpochMs, now: EpochMs): Promise<boolean> {
    const result = await this.db
      .insertInto("oneTimeClaims")
      .values({ key, expiresAt })
      .onConflict((conflict) =>
        conflict
          .column("key")
          .doUpdateSet({ expiresAt })
          .where("oneTimeClaims.expiresAt", "<=", now),
      )
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async isClaimed(key: string, now: EpochMs): Promise<boolean> {
    const row = await this.db
      .selectFrom("oneTimeClaims")
      .select("key")
      .where("key", "=", key)
      .where("expiresAt", ">", now)
      .executeTakeFirst();
    return row !== undefined;
  }

  async purgeExpired(before: EpochMs): Promise<number> {
    const result = await this.db
      .deleteFrom("oneTimeClaims")
      .where("expiresAt", "<", before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
