import BetterSqlite3 from "better-sqlite3";
import { CamelCasePlugin, Kysely, SqliteDialect } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareQuery } from "./prepared.js";
import type { Database } from "./schema.js";

let db: Kysely<Database>;

beforeAll(async () => {
  db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: new BetterSqlite3(":memory:") }),
    plugins: [new CamelCasePlugin()],
  });
  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text")
    .addColumn("key_hash", "text")
    .addColumn("last_used_at", "bigint")
    .execute();
  await db
    .insertInto("apiKeys")
    .values([
      { id: "k1", tenantId: "t1", keyHash: "h1" },
      { id: "k2", tenantId: "t1", keyHash: "h2" },
      { id: "k3", tenantId: "t2", keyHash: "h1" },
    ] as never)
    .execute();
});

afterAll(async () => {
  await db.destroy();
});

describe("prepareQuery", () => {
  it("binds each call's arguments into the once-compiled query, with the plugins' result transform", async () => {
    const byTenantAndHash = prepareQuery(
      () => db,
      2,
      (tenantId: string, hash: string) =>
        db
          .selectFrom("apiKeys")
          .select(["id", "keyHash"])
          .where("tenantId", "=", tenantId)
          .where("keyHash", "=", hash),
    );
    expect(await byTenantAndHash("t1", "h1")).toEqual([{ id: "k1", keyHash: "h1" }]);
    expect(await byTenantAndHash("t2", "h1")).toEqual([{ id: "k3", keyHash: "h1" }]);
    expect(await byTenantAndHash("t1", "nope")).toEqual([]);
  });

  it("keeps constant parameters of the query as they were built", async () => {
    const inTenantOne = prepareQuery(
      () => db,
      1,
      (hash: string) =>
        db
          .selectFrom("apiKeys")
          .select("id")
          .where("tenantId", "=", "t1")
          .where("keyHash", "=", hash),
    );
    expect(await inTenantOne("h1")).toEqual([{ id: "k1" }]);
  });

  it("runs writes", async () => {
    const markUsed = prepareQuery(
      () => db,
      2,
      (id: string, at: number) =>
        db.updateTable("apiKeys").set({ lastUsedAt: at }).where("id", "=", id),
    );
    await markUsed("k2", 1234);
    const row = await db
      .selectFrom("apiKeys")
      .selectAll()
      .where("id", "=", "k2")
      .executeTakeFirst();
    expect(row?.lastUsedAt).toBe(1234);
  });

  it("refuses, at the first call, a builder that does not use an argument as a parameter", async () => {
    const shapeDependent = prepareQuery(
      () => db,
      1,
      (_unused: string) => db.selectFrom("apiKeys").select("id"),
    );
    await expect(shapeDependent("x")).rejects.toThrow(/does not use argument 0/);
  });
});
