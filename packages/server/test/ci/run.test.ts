/**
 * `.ci/run`, the CI entry point, run for real with a stand-in `npm` first on
 * its PATH: the stand-in records the environment `npm test` got and prints
 * what vitest would, so the script's own behaviour is what is tested.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  describeWithService,
  POSTGRES_URL,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
} from "../support/services.js";

const CI_RUN = fileURLToPath(new URL("../../../../.ci/run", import.meta.url));

/** What two workspaces and the PostgreSQL re-run print, colours included. */
const VITEST_OUTPUT = [
  " \x1b[2m Test Files \x1b[22m \x1b[1m\x1b[32m12 passed\x1b[39m\x1b[22m (12)",
  " \x1b[2m      Tests \x1b[22m \x1b[1m\x1b[32m100 passed\x1b[39m\x1b[22m | \x1b[33m3 skipped\x1b[39m (103)",
  "  Test Files  1 failed | 5 passed (6)",
  "       Tests  2 failed | 40 passed | 1 skipped | 1 todo (44)",
  "  Test Files  3 passed (3)",
  "       Tests  7 passed | 4 skipped (11)",
  "",
].join("\n");

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tessera-ci-run-"));
  const npm = join(dir, "npm");
  writeFileSync(
    npm,
    [
      "#!/usr/bin/env bash",
      'if [ "$1" = test ]; then',
      '  echo "CI=$CI" > "$FAKE_RECORD"',
      '  cat "$FAKE_OUTPUT"',
      '  exit "$FAKE_STATUS"',
      "fi",
      "exit 0",
      "",
    ].join("\n"),
  );
  chmodSync(npm, 0o755);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `.ci/run` with the stand-in `npm`, and only the settings given (no ambient CI). */
function ciRun(settings: { output: string; status: number; env?: Record<string, string> }) {
  const output = join(dir, "vitest-output");
  writeFileSync(output, settings.output);
  const record = join(dir, "npm-test-env");
  const result = spawnSync("bash", [CI_RUN], {
    env: {
      PATH: `${dir}:${process.env.PATH ?? ""}`,
      HOME: process.env.HOME ?? dir,
      FAKE_OUTPUT: output,
      FAKE_STATUS: String(settings.status),
      FAKE_RECORD: record,
      ...settings.env,
    },
    encoding: "utf8",
    timeout: 60_000,
  });
  const lines = result.stdout.trimEnd().split("\n");
  return {
    status: result.status,
    stderr: result.stderr,
    lastLine: lines[lines.length - 1],
    npmTestEnv: existsSync(record) ? readFileSync(record, "utf8").trim() : undefined,
  };
}

const postgresUp = await postgresAvailable();
const redisUp = await redisAvailable();
const SERVICES = { TESSERA_TEST_POSTGRES_URL: POSTGRES_URL, TESSERA_TEST_REDIS_URL: REDIS_URL };

describeWithService("PostgreSQL", postgresUp, ".ci/run with PostgreSQL up", () => {
  describeWithService("Redis", redisUp, "and Redis up", () => {
    it("runs npm test under CI=true, and sums every run's passed, failed and skipped", () => {
      const run = ciRun({ output: VITEST_OUTPUT, status: 1, env: SERVICES });

      expect(run.npmTestEnv).toBe("CI=true");
      expect(run.lastLine).toBe("147 passed, 2 failed, 9 skipped");
      expect(run.status).toBe(1);
    });

    it("exits 0 when npm test does, and reports a failure before any test ran as one failed", () => {
      const clean = ciRun({
        output: "      Tests  5 passed | 1 skipped (6)\n",
        status: 0,
        env: SERVICES,
      });
      expect([clean.status, clean.lastLine]).toEqual([0, "5 passed, 0 failed, 1 skipped"]);

      const lint = ciRun({ output: "Found 1 error.\n", status: 1, env: SERVICES });
      expect([lint.status, lint.lastLine]).toEqual([1, "0 passed, 1 failed, 0 skipped"]);
    });
  });

  it("fails before testing when Redis cannot be reached, saying so", () => {
    const url = "redis://127.0.0.1:1";
    const run = ciRun({
      output: VITEST_OUTPUT,
      status: 0,
      env: { TESSERA_TEST_POSTGRES_URL: POSTGRES_URL, TESSERA_TEST_REDIS_URL: url },
    });

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`error: Redis is not reachable at ${url}`);
    expect(run.npmTestEnv).toBeUndefined();
  });
});

describe(".ci/run with PostgreSQL not answering", () => {
  it("fails before testing when PostgreSQL cannot be reached, saying so", () => {
    const url = "postgres://postgres@127.0.0.1:1/test";
    const run = ciRun({
      output: VITEST_OUTPUT,
      status: 0,
      env: { TESSERA_TEST_POSTGRES_URL: url, TESSERA_TEST_REDIS_URL: REDIS_URL },
    });

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`error: PostgreSQL is not reachable at ${url}`);
    expect(run.npmTestEnv).toBeUndefined();
  });
});
