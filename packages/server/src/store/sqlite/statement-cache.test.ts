import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CachingSqliteDatabase } from "./statement-cache.js";

let cache: CachingSqliteDatabase;

beforeEach(() => {
  const database = new BetterSqlite3(":memory:");
  database.exec("create table t (n integer); insert into t values (1), (2), (3);");
  cache = new CachingSqliteDatabase(database, 2);
});

afterEach(() => {
  cache.close();
});

describe("CachingSqliteDatabase", () => {
  it("hands out the same prepared statement for the same SQL", () => {
    const first = cache.prepare("select n from t where n = ?");
    expect(cache.prepare("select n from t where n = ?")).toBe(first);
    expect(first.get(2)).toEqual({ n: 2 });
  });

  it("keeps at most its capacity, dropping the least recently used", () => {
    const a = cache.prepare("select 1");
    const b = cache.prepare("select 2");
    cache.prepare("select 1"); // a is now the most recent
    cache.prepare("select 3"); // b goes
    expect(cache.size).toBe(2);
    expect(cache.prepare("select 1")).toBe(a);
    expect(cache.prepare("select 2")).not.toBe(b);
  });

  it("never hands out a statement that is still being iterated", () => {
    const sql = "select n from t order by n";
    const iterating = cache.prepare(sql);
    const rows = iterating.iterate();
    expect(rows.next().value).toEqual({ n: 1 });
    const other = cache.prepare(sql);
    expect(other).not.toBe(iterating);
    expect(other.all()).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    rows.return?.();
  });
});
