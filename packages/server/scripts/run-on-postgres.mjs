// Runs the HTTP suites again with every harness on PostgreSQL
// (TESSERA_TEST_STORE=postgres). Without a reachable PostgreSQL the run is
// skipped with a loud message, except under CI=true, where it fails.
import { spawnSync } from "node:child_process";
import pg from "pg";

const url = process.env.TESSERA_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
client.on("error", () => {});
let reachable = true;
try {
  await client.connect();
  await client.query("select 1");
} catch {
  reachable = false;
} finally {
  await client.end().catch(() => {});
}

if (!reachable) {
  const message = `PostgreSQL is not reachable at ${url}, so the HTTP suites were not run on it. Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`;
  if (process.env.CI === "true") {
    console.error(`\n  FAILED: ${message}\n`);
    process.exit(1);
  }
  console.error(`\n  SKIPPED: ${message}\n`);
  process.exit(0);
}

const result = spawnSync("npx", ["vitest", "run", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, TESSERA_TEST_STORE: "postgres" },
});
process.exit(result.status ?? 1);
