/**
 * Text PostgreSQL cannot hold (a NUL, JSON's `\u0000`) is the caller's
 * mistake: every query through the store answers it as `invalid_request`
 * (a 400 on every dialect), never as a driver error that becomes a 500.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  describeWithService,
  dropTestSchema,
  newTestSchema,
  POSTGRES_URL,
  postgresAvailable,
} from "../../../test/support/services.js";
import type { TenantId } from "../../core/ids.js";
import type { SqlStore } from "../sql/sql-store.js";
import { openPostgresStore } from "./open-postgres.js";

const available = await postgresAvailable();

describeWithService("PostgreSQL", available, "text PostgreSQL cannot hold", () => {
  let store: SqlStore;
  const schema = newTestSchema();

  beforeAll(async () => {
    store = await openPostgresStore(POSTGRES_URL, { schema, poolSize: 2 });
  });
  afterAll(async () => {
    await store.close();
    await dropTestSchema(schema);
  });

  const invalidRequest = expect.objectContaining({
    name: "TesseraError",
    code: "invalid_request",
    message: "The request holds text that cannot be stored",
  });

  it("answers a NUL in a look-up as invalid_request (22021)", async () => {
    await expect(store.users.getByUsername("default" as TenantId, "ali\u0000ce")).rejects.toEqual(
      invalidRequest,
    );
  });

  it("answers a NUL in any statement as invalid_request, and the pool keeps serving", async () => {
    await expect(sql`select ${"a\u0000b"}::text as value`.execute(store.db)).rejects.toEqual(
      invalidRequest,
    );
    const { rows } = await sql<{ value: string }>`select ${"ab"}::text as value`.execute(store.db);
    expect(rows).toEqual([{ value: "ab" }]);
  });

  it("answers JSON's \\u0000 as invalid_request (22P05)", async () => {
    await expect(
      sql`select ${'{"a":"\\u0000"}'}::jsonb as value`.execute(store.db),
    ).rejects.toEqual(invalidRequest);
  });

  it("answers it inside a transaction too, and rolls the transaction back", async () => {
    await expect(
      store.db.transaction().execute(async (trx) => {
        await sql`select ${"x\u0000"}::text`.execute(trx);
      }),
    ).rejects.toEqual(invalidRequest);
    const { rows } = await sql<{ ok: number }>`select 1 as ok`.execute(store.db);
    expect(rows).toEqual([{ ok: 1 }]);
  });
});
