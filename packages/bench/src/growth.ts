import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { BENCH_USER } from "./deployment.js";

/** Rows written in one transaction while seeding. */
const BATCH = 50_000;
const SESSION_LIFETIME_MS = 30 * 86_400_000;

/**
 * Writes live sessions, each with its refresh token, straight into a
 * deployment's database, so the refresh path can be measured over a store
 * of 10^3 to 10^6 sessions without 10^6 password logins. The rows have the
 * shape the server writes (a session of the bench user, a SHA-256-sized
 * refresh hash); only their tokens are unknown, which a refresh never
 * notices: it finds its own row by its hash.
 */
export interface SessionSeeder {
  /** Live sessions in the store now. */
  countLive(): Promise<number>;
  /** Adds live sessions until there are `total`. */
  seedTo(total: number): Promise<void>;
  close(): Promise<void>;
}

/** A seeder for the SQLite file at `path` (the server keeps it open meanwhile). */
export function sqliteSeeder(path: string, tenantId: string): SessionSeeder {
  const db = new BetterSqlite3(path);
  db.pragma("busy_timeout = 10000");
  const owner = db
    .prepare(
      `select u.id as user_id, k.client_id as client_id from users u
       join api_keys k on k.tenant_id = u.tenant_id
       where u.tenant_id = ? and u.username = ? and k.revoked_at is null limit 1`,
    )
    .get(tenantId, BENCH_USER) as { user_id: string; client_id: string } | undefined;
  if (owner === undefined) {
    throw new Error("the deployment has no bench user and API key to own seeded sessions");
  }
  const seq = "with recursive seq(i) as (select ? union all select i + 1 from seq where i < ?)";
  const insertSessions = db.prepare(
    `insert into sessions (id, tenant_id, user_id, client_id, auth_time, created_at, expires_at)
     ${seq} select 'seed_' || i, ?, ?, ?, ?, ?, ? from seq`,
  );
  const insertTokens = db.prepare(
    `insert into refresh_tokens (hash, session_id, tenant_id, created_at, expires_at)
     ${seq} select lower(hex(randomblob(32))), 'seed_' || i, ?, ?, ? from seq`,
  );
  const countLive = () =>
    (
      db
        .prepare("select count(*) as n from sessions where revoked_at is null and expires_at > ?")
        .get(Date.now()) as { n: number }
    ).n;
  let seeded = 0;
  const batch = db.transaction((from: number, to: number) => {
    const now = Date.now();
    const expires = now + SESSION_LIFETIME_MS;
    insertSessions.run(from, to, tenantId, owner.user_id, owner.client_id, now, now, expires);
    insertTokens.run(from, to, tenantId, now, expires);
  });
  return {
    countLive: async () => countLive(),
    async seedTo(total) {
      let missing = total - countLive();
      while (missing > 0) {
        const size = Math.min(BATCH, missing);
        batch(seeded + 1, seeded + size);
        seeded += size;
        missing -= size;
      }
      // Leave the server a short write-ahead log, as a long-running one has.
      db.pragma("wal_checkpoint(TRUNCATE)");
    },
    async close() {
      db.close();
    },
  };
}

/** A seeder for the PostgreSQL `schema` at `url`. */
export async function postgresSeeder(
  url: string,
  schema: string,
  tenantId: string,
): Promise<SessionSeeder> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`set search_path to "${schema}"`);
  const found = await client.query<{ user_id: string; client_id: string }>(
    `select u.id as user_id, k.client_id as client_id from users u
     join api_keys k on k.tenant_id = u.tenant_id
     where u.tenant_id = $1 and u.username = $2 and k.revoked_at is null limit 1`,
    [tenantId, BENCH_USER],
  );
  const owner = found.rows[0];
  if (owner === undefined) {
    await client.end();
    throw new Error("the deployment has no bench user and API key to own seeded sessions");
  }
  const countLive = async () => {
    const result = await client.query<{ n: string }>(
      "select count(*) as n from sessions where revoked_at is null and expires_at > $1",
      [Date.now()],
    );
    return Number(result.rows[0]?.n ?? 0);
  };
  let seeded = 0;
  return {
    countLive,
    async seedTo(total) {
      let missing = total - (await countLive());
      while (missing > 0) {
        const size = Math.min(BATCH, missing);
        const now = Date.now();
        const expires = now + SESSION_LIFETIME_MS;
        const range = [seeded + 1, seeded + size];
        await client.query("begin");
        await client.query(
          `insert into sessions (id, tenant_id, user_id, client_id, auth_time, created_at, expires_at)
           select 'seed_' || i, $3, $4, $5, $6, $6, $7 from generate_series($1::int, $2::int) as i`,
          [...range, tenantId, owner.user_id, owner.client_id, now, expires],
        );
        await client.query(
          `insert into refresh_tokens (hash, session_id, tenant_id, created_at, expires_at)
           select md5(random()::text || i) || md5(random()::text || i), 'seed_' || i, $3, $4, $5
           from generate_series($1::int, $2::int) as i`,
          [...range, tenantId, now, expires],
        );
        await client.query("commit");
        seeded += size;
        missing -= size;
      }
      await client.query("analyze sessions");
      await client.query("analyze refresh_tokens");
    },
    async close() {
      await client.end();
    },
  };
}

/** Drops a benchmark's PostgreSQL schema. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
