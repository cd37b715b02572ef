import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AUTH_API_OPERATIONS,
  OAUTH_API_OPERATIONS,
  OPERATIONS_API_OPERATIONS,
  type OperationSpec,
  SESSION_API_OPERATIONS,
} from "../src/index.js";
import { startTessera, type Tessera } from "./support/tessera.js";

// The SDK's classes are written by hand on one transport, so they are held
// against the served `/openapi.json` here: every operation of the document
// has a method with the same path, method, tag and security, and every
// component schema of the document is a model of the same name and the
// same shape (checked by tsc against the types openapi-typescript
// generates from the document). A change of the server's document that the
// SDK does not follow fails this suite.

interface DocumentOperation {
  readonly operationId: string;
  readonly tags: readonly string[];
  readonly security?: readonly Record<string, readonly string[]>[];
}

interface Document {
  readonly paths: Record<string, Record<string, DocumentOperation>>;
  readonly components: { readonly schemas: Record<string, unknown> };
}

/** Operations of the document no SDK class wraps, and why. */
const NOT_WRAPPED: Readonly<Record<string, string>> = {
  getHealth: "a probe for orchestrators, not for callers",
  getReadiness: "a probe for orchestrators, not for callers",
};

const TABLES: readonly Readonly<Record<string, OperationSpec>>[] = [
  AUTH_API_OPERATIONS,
  SESSION_API_OPERATIONS,
  OPERATIONS_API_OPERATIONS,
  OAUTH_API_OPERATIONS,
];

const DRIFT_DIR = fileURLToPath(new URL("./.generated/drift/", import.meta.url));
const MODELS = fileURLToPath(new URL("../src/models.js", import.meta.url));
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");

let tessera: Tessera;
let document: Document;

beforeAll(async () => {
  tessera = await startTessera();
  document = (await (await fetch(`${tessera.url}/openapi.json`)).json()) as Document;
});
afterAll(async () => {
  await tessera?.stop();
});

/** An operation's security as the tables write it: alternatives of scheme sets. */
function securityOf(operation: DocumentOperation): string[][] {
  return (operation.security ?? []).map((alternative) => Object.keys(alternative).sort());
}

describe("the SDK's operation tables and the served document", () => {
  it("name each operation of the document once, at its path and method", () => {
    const described = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    const rows = TABLES.flatMap((table) => Object.values(table));
    for (const { path, method, operation } of described) {
      // The admin API is for operators (the CLI and the console), not for
      // the applications this SDK serves; it has no SDK methods yet.
      if (NOT_WRAPPED[operation.operationId] !== undefined || operation.tags[0] === "admin") {
        continue;
      }
      const row = rows.find(({ operationId }) => operationId === operation.operationId);
      expect(row, `no SDK method for ${operation.operationId}`).toBeDefined();
      expect({ path: row?.path, method: row?.method.toLowerCase(), tag: row?.tag }).toEqual({
        path,
        method,
        tag: operation.tags[0],
      });
      expect(
        row?.security.map((alternative) => [...alternative].sort()),
        `${operation.operationId}'s security`,
      ).toEqual(securityOf(operation));
    }
    const documented = new Set(described.map(({ operation }) => operation.operationId));
    expect(rows.map(({ operationId }) => operationId).filter((id) => !documented.has(id))).toEqual(
      [],
    );
  });
});

describe("the SDK's models and the served document's components", () => {
  it("have the same names and shapes", async () => {
    rmSync(DRIFT_DIR, { recursive: true, force: true });
    mkdirSync(DRIFT_DIR, { recursive: true });
    writeFileSync(
      join(DRIFT_DIR, "openapi.ts"),
      astToString(await openapiTS(JSON.stringify(document), { silent: true })),
    );
    // The admin API's components have no SDK models yet (see NOT_WRAPPED above).
    const names = Object.keys(document.components.schemas)
      .filter((name) => !name.startsWith("Admin"))
      .sort();
    expect(names.length).toBeGreaterThan(40);
    writeFileSync(join(DRIFT_DIR, "same.ts"), sameShapes(names));
    writeFileSync(
      join(DRIFT_DIR, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2023",
          lib: ["ES2023", "DOM"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ["openapi.ts", "same.ts"],
      }),
    );
    const { code, output } = await runTsc(join(DRIFT_DIR, "tsconfig.json"));
    expect(drifted(output), "models that differ from the document").toEqual([]);
    expect(output).toBe("");
    expect(code).toBe(0);
  });
});

/**
 * A file that compiles only if each model equals its component: mutual
 * assignability, with readonly-ness ignored on both sides.
 */
function sameShapes(names: readonly string[]): string {
  const models = MODELS.replace(/\.js$/, ".ts");
  const lines = [
    `import type { components } from "./openapi.js";`,
    `import type * as Models from ${JSON.stringify(models.replace(/\.ts$/, ".js"))};`,
    "type Writable<T> = T extends readonly (infer U)[] ? Writable<U>[] : T extends object ? { -readonly [K in keyof T]: Writable<T[K]> } : T;",
    "type Same<A, B> = [Writable<A>] extends [Writable<B>] ? ([Writable<B>] extends [Writable<A>] ? true : false) : false;",
    'type Schemas = components["schemas"];',
  ];
  for (const name of names) {
    lines.push(
      `export const same${name}: Same<Models.${name}, Schemas[${JSON.stringify(name)}]> = true;`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The models tsc found different (`same.ts(31,14): error …` is the model on line 31). */
function drifted(output: string): string[] {
  const lines = readFileSync(join(DRIFT_DIR, "same.ts"), "utf8").split("\n");
  return [...output.matchAll(/same\.ts\((\d+),/g)].map(
    ([, line]) =>
      /export const same(\w+):/.exec(lines[Number(line) - 1] ?? "")?.[1] ?? `line ${line}`,
  );
}

function runTsc(project: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, "-p", project], (error, stdout, stderr) => {
      resolve({
        code: error === null ? 0 : typeof error.code === "number" ? error.code : 1,
        output: `${stdout}${stderr}`.trim(),
      });
    });
  });
}
