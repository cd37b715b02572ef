/**
 * The import rules of DESIGN.md ("imports point inward only") are enforced by
 * Biome's `noRestrictedImports` in the repository's `biome.json`. These tests
 * lint small probe files laid out like the source tree under that same
 * configuration, so a rule that stops matching fails here rather than
 * silently letting an outward import through.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
const BIOME = join(REPO, "node_modules", ".bin", "biome");

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tessera-architecture-"));
  const config = JSON.parse(readFileSync(join(REPO, "biome.json"), "utf8")) as Record<
    string,
    unknown
  >;
  config.$schema = undefined;
  config.vcs = { enabled: false };
  writeFileSync(join(dir, "biome.json"), JSON.stringify(config));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Lints one probe file at `path` (relative to the repository root) and returns the rule's findings. */
function restrictedImports(path: string, source: string): string[] {
  const file = join(dir, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, source);
  const result = spawnSync(BIOME, ["lint", "--reporter=json", path], {
    cwd: dir,
    encoding: "utf8",
  });
  const report = JSON.parse(result.stdout) as {
    diagnostics: { category: string; location: { path: string } }[];
  };
  return report.diagnostics
    .filter((d) => d.category === "lint/style/noRestrictedImports")
    .map((d) => d.location.path);
}

describe("core imports nothing outward", () => {
  it.each([
    ["a store implementation", 'import { openSqliteStore } from "../store/sqlite/open-sqlite.js";'],
    ["a cache implementation", 'import { MemoryCache } from "../../cache/memory-cache.js";'],
    ["the HTTP layer", 'import { buildApp } from "../http/app.js";'],
    ["the CLI", 'import { main } from "../cli/main.js";'],
    ["the composition root", 'import { openRuntime } from "../runtime/runtime.js";'],
    ["the configuration", 'import { loadConfig } from "../config/config.js";'],
    ["a database driver", 'import { Pool } from "pg";'],
    ["the Redis driver", 'import { Redis } from "ioredis";'],
    ["the SQL builder", 'import { Kysely } from "kysely";'],
    ["the HTTP framework", 'import { fastify } from "fastify";'],
  ])("refuses %s", (_what, line) => {
    const found = restrictedImports(
      "packages/server/src/core/sessions/probe.ts",
      `${line}\n\nexport const probe = [];\n`,
    );
    expect(found).toHaveLength(1);
  });

  it("allows its own model and ports", () => {
    const found = restrictedImports(
      "packages/server/src/core/sessions/probe-ok.ts",
      [
        'import type { SessionRecord } from "../model/index.js";',
        'import type { Store } from "../ports/index.js";',
        "",
        "export type Probe = [SessionRecord, Store];",
        "",
      ].join("\n"),
    );
    expect(found).toEqual([]);
  });

  it("lets core's own tests build real stores", () => {
    const found = restrictedImports(
      "packages/server/src/core/sessions/probe.test.ts",
      'import { openSqliteStore } from "../../store/sqlite/open-sqlite.js";\n\nexport const probe = [openSqliteStore];\n',
    );
    expect(found).toEqual([]);
  });
});

describe("no dialect imports another", () => {
  const dialects = ["session-api", "operations-api", "token-api", "oauth", "admin-api"];
  it.each(dialects)("%s refuses every other dialect", (dialect) => {
    const others = dialects.filter((d) => d !== dialect);
    const source = `${others
      .map((other, i) => `import { x${i} } from "../${other}/errors.js";`)
      .join("\n")}\n\nexport const probe = [${others.map((_, i) => `x${i}`).join(", ")}];\n`;
    const found = restrictedImports(`packages/server/src/http/${dialect}/probe.ts`, source);
    expect(found).toHaveLength(others.length);
  });

  it("lets a dialect use the shared HTTP plumbing and core", () => {
    const found = restrictedImports(
      "packages/server/src/http/oauth/probe-ok.ts",
      [
        'import { sendError } from "../errors.js";',
        'import { TesseraError } from "../../core/errors.js";',
        "",
        "export const probe = [sendError, TesseraError];",
        "",
      ].join("\n"),
    );
    expect(found).toEqual([]);
  });
});
