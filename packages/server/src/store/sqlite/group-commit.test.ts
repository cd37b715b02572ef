import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GroupCommitSqliteDialect } from "./group-commit.js";
import { CachingSqliteDatabase } from "./statement-cache.js";

interface Db {
  items: { id: string; note: string | null };
}

let dir: string;
let file: string;
let db: Kysely<Db>;
/** A second connection, as another process would have: it sees only what is committed. */
let observer: BetterSqlite3.Database;
/** Every SQL text SQLite itself ran on the driver's connection, as its trace hook reports it. */
let trace: string[];
/** Called with each traced text before SQLite runs it. */
let onTrace: (sql: string) => void;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tessera-group-commit-"));
  file = join(dir, "t.db");
  trace = [];
  onTrace = () => {};
  const database = new BetterSqlite3(file, {
    verbose: (text) => {
      const sqlText = String(text);
      onTrace(sqlText);
      trace.push(sqlText);
    },
  });
  database.pragma("journal_mode = WAL");
  db = new Kysely<Db>({
    dialect: new GroupCommitSqliteDialect(new CachingSqliteDatabase(database)),
  });
  await db.schema
    .createTable("items")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("note", "text")
    .execute();
  observer = new BetterSqlite3(file, { readonly: true });
});

afterEach(async () => {
  observer.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const committed = () =>
  (observer.prepare("select id from items order by rowid").all() as { id: string }[]).map(
    (row) => row.id,
  );
const insert = (id: string) => db.insertInto("items").values({ id, note: null }).execute();

/**
 * How many transactions the WAL file records as committed: each commit ends
 * with a frame whose header holds the database size after it (non-zero),
 * and frames of the current WAL generation carry the salts of its header.
 * Read from the file itself, so it counts what SQLite wrote, whatever the
 * driver believes it asked for.
 */
const walCommits = (): number => {
  const wal = readFileSync(`${file}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const salts = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    const current = wal.readUInt32BE(at + 8) === salts[0] && wal.readUInt32BE(at + 12) === salts[1];
    if (!current) {
      break;
    }
    if (wal.readUInt32BE(at + 4) !== 0) {
      commits++;
    }
  }
  return commits;
};

describe("group commit", () => {
  it("runs one turn's concurrent writes in one BEGIN IMMEDIATE … COMMIT, settling each only after it", async () => {
    const commitsBefore = walCommits();
    trace.length = 0;
    let settled = 0;
    let atCommit: { statements: number; committed: string[]; settled: number } | undefined;
    onTrace = (text) => {
      if (text === "commit") {
        // Every statement of the batch has run; none is committed or acknowledged yet.
        atCommit = { statements: trace.length, committed: committed(), settled };
      }
    };
    const writes = ["a", "b", "c"].map((id) => insert(id).then(() => settled++));
    await Promise.all(writes);
    expect(walCommits() - commitsBefore).toBe(1);
    expect(trace.map((text) => text.split(" ")[0])).toEqual([
      "begin",
      "insert",
      "insert",
      "insert",
      "commit",
    ]);
    expect(trace[0]).toBe("begin immediate");
    expect(atCommit).toEqual({ statements: 4, committed: [], settled: 0 });
    expect(settled).toBe(3);
    expect(committed()).toEqual(["a", "b", "c"]);
  });

  it("rejects a failing statement alone and commits the rest of its batch", async () => {
    await insert("taken");
    const results = await Promise.allSettled([insert("x"), insert("taken"), insert("y")]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(committed()).toEqual(["taken", "x", "y"]);
  });

  it("reports each statement's own result (rows changed)", async () => {
    await Promise.all([insert("p"), insert("q")]);
    const [one, none] = await Promise.all([
      db.updateTable("items").set({ note: "n" }).where("id", "=", "p").executeTakeFirst(),
      db.updateTable("items").set({ note: "n" }).where("id", "=", "missing").executeTakeFirst(),
    ]);
    expect(one.numUpdatedRows).toBe(1n);
    expect(none.numUpdatedRows).toBe(0n);
  });

  it("commits the open batch before an explicit transaction, which runs alone", async () => {
    const before = insert("before");
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seenInside: string[] = [];
    const transaction = db.transaction().execute(async (tx) => {
      seenInside.push(...committed());
      await tx.insertInto("items").values({ id: "inside", note: null }).execute();
      await gate;
    });
    await before;
    // Started while the transaction is open: it must wait for the transaction to end.
    let afterDone = false;
    const after = insert("after").then(() => {
      afterDone = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(afterDone).toBe(false);
    release();
    await transaction;
    await after;
    expect(seenInside).toEqual(["before"]);
    expect(committed()).toEqual(["before", "inside", "after"]);
  });

  it("keeps the batch's writes when another connection's transaction rolls back", async () => {
    const outside = insert("kept");
    const failed = db
      .transaction()
      .execute(async (tx) => {
        await tx.insertInto("items").values({ id: "undone", note: null }).execute();
        throw new Error("abort");
      })
      .catch((error: unknown) => error);
    await outside;
    expect(await failed).toBeInstanceOf(Error);
    expect(committed()).toEqual(["kept"]);
  });

  it("runs schema changes and raw statements outside any batch", async () => {
    const write = insert("w");
    await sql`create table other (id text)`.execute(db);
    await write;
    expect(committed()).toEqual(["w"]);
    expect(observer.prepare("select count(*) as n from other").get()).toEqual({ n: 0 });
  });
});

describe("group commit: reads", () => {
  it("answers a read made while a batch is open only once the batch is committed", async () => {
    const write = insert("seen");
    const read = db
      .selectFrom("items")
      .select("id")
      .execute()
      .then((rows) => ({ rows, committedThen: committed() }));
    const { rows, committedThen } = await read;
    await write;
    expect(rows).toEqual([{ id: "seen" }]);
    // What the read saw was already durable when it was answered.
    expect(committedThen).toEqual(["seen"]);
  });
});
