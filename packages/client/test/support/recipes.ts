import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** docs/sdk.md, whose recipes are programs a reader copies as they are. */
export const SDK_PAGE = fileURLToPath(new URL("../../../../docs/sdk.md", import.meta.url));

/**
 * Where the recipes are written, compiled and run: git-ignored, inside the
 * package, so that their imports of `fastify` and the SDK's of `jose`
 * resolve from this workspace's node_modules.
 */
export const RECIPES_DIR = fileURLToPath(new URL("../.recipes/", import.meta.url));
const SOURCES = join(RECIPES_DIR, "src");
const OUT = join(RECIPES_DIR, "out");

/** A ```ts block of the page that is a whole program: its first line is `// recipe: <name>`. */
export interface Recipe {
  readonly name: string;
  /** The page's line its code starts on, for messages. */
  readonly line: number;
  readonly code: string;
}

const RECIPE_MARK = /^\/\/ recipe: ([a-z][a-z0-9-]*)$/;

/**
 * The page's recipes, in page order. A ```ts block is one when its first
 * line marks it; every other block is a fragment, and is not compiled.
 * Throws on two recipes of one name.
 */
export function extractRecipes(markdown: string): Recipe[] {
  const lines = markdown.split("\n");
  const recipes: Recipe[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    if (!/^```ts\s*$/.test(lines[index] ?? "")) {
      continue;
    }
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && (lines[end] ?? "").trim() !== "```") {
      body.push(lines[end] ?? "");
      end += 1;
    }
    const name = RECIPE_MARK.exec(body[0] ?? "")?.[1];
    if (name !== undefined) {
      if (recipes.some((recipe) => recipe.name === name)) {
        throw new Error(`docs/sdk.md has two recipes named ${name}`);
      }
      recipes.push({ name, line: index + 2, code: `${body.join("\n")}\n` });
    }
    index = end;
  }
  return recipes;
}

/**
 * What a reader's strict project compiles the recipes under: `strict`, with
 * this repository's stricter checks on top, Node's ESM resolution and
 * Node's types. `@tessera/client` is mapped to the package's source, so the
 * recipes are checked against the SDK as it is, not a stale build.
 */
function tsconfig(): object {
  return {
    compilerOptions: {
      target: "ES2023",
      lib: ["ES2023", "DOM", "DOM.Iterable"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noImplicitOverride: true,
      noImplicitReturns: true,
      noFallthroughCasesInSwitch: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      skipLibCheck: true,
      types: ["node"],
      paths: { "@tessera/client": ["../../src/index.ts"] },
      rootDir: "../..",
      outDir: "out",
      sourceMap: false,
      declaration: false,
    },
    include: ["src/*.ts"],
  };
}

/** What `tsc` said about the recipes, and whether it passed. */
export interface Compilation {
  readonly passed: boolean;
  readonly output: string;
}

/**
 * Writes the recipes, type-checks them with this workspace's `tsc` and
 * emits them with the SDK's source to JavaScript that Node runs; the emitted
 * SDK is installed beside them as `@tessera/client`, so the recipes run
 * unchanged, imports included.
 */
export function compileRecipes(recipes: readonly Recipe[]): Promise<Compilation> {
  rmSync(RECIPES_DIR, { recursive: true, force: true });
  mkdirSync(SOURCES, { recursive: true });
  writeFileSync(join(RECIPES_DIR, "tsconfig.json"), `${JSON.stringify(tsconfig(), null, 2)}\n`);
  for (const recipe of recipes) {
    writeFileSync(join(SOURCES, `${recipe.name}.ts`), recipe.code);
  }
  const shim = join(OUT, "node_modules", "@tessera", "client");
  mkdirSync(shim, { recursive: true });
  writeFileSync(
    join(shim, "package.json"),
    `${JSON.stringify({ name: "@tessera/client", type: "module", exports: "./index.js" })}\n`,
  );
  writeFileSync(join(shim, "index.js"), 'export * from "../../../src/index.js";\n');
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsc, "-p", join(RECIPES_DIR, "tsconfig.json"), "--pretty", "false"],
      { encoding: "utf8", timeout: 180_000 },
      (error, stdout, stderr) => {
        resolve({ passed: error === null, output: onThePage(`${stdout}${stderr}`, recipes) });
      },
    );
  });
}

/** `tsc`'s positions in the written recipes, as lines of docs/sdk.md, where a reader fixes them. */
function onThePage(output: string, recipes: readonly Recipe[]): string {
  return output.replace(
    /(?:test\/\.recipes\/)?src\/([a-z0-9-]+)\.ts\((\d+),(\d+)\)/g,
    (position, name: string, line: string, column: string) => {
      const recipe = recipes.find((candidate) => candidate.name === name);
      return recipe === undefined
        ? position
        : `docs/sdk.md:${recipe.line + Number(line) - 1}:${column} (recipe ${name})`;
    },
  );
}

/** What a child needs of this process's environment to run Node at all. */
const INHERITED = ["PATH", "HOME", "TMPDIR", "NODE_OPTIONS"] as const;

/** A recipe running as its own Node process. */
export interface RunningRecipe {
  /** Everything it printed on stdout so far. */
  stdout(): string;
  /** Everything it printed on stderr so far. */
  stderr(): string;
  /** Resolves with the first match of `pattern` in its stdout, once it prints one. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** Resolves when it exits, with its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** Sends SIGTERM, as a service manager stops a service, and waits for the exit. */
  stop(): Promise<number | null>;
}

/**
 * Runs a compiled recipe with `env` as its only settings (and what Node
 * needs to start), as a reader runs it with their variables set.
 */
export function runRecipe(name: string, env: Readonly<Record<string, string>>): RunningRecipe {
  const entry = join(OUT, "test", ".recipes", "src", `${name}.js`);
  const inherited: Record<string, string> = {};
  for (const variable of INHERITED) {
    const value = process.env[variable];
    if (value !== undefined) {
      inherited[variable] = value;
    }
  }
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: { ...inherited, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const watchers = new Set<() => void>();
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    for (const watcher of watchers) {
      watcher();
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once("close", (code) => {
      for (const watcher of watchers) {
        watcher();
      }
      resolve(code);
    });
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const look = () => {
          const match = pattern.exec(stdout);
          if (match !== null) {
            watchers.delete(look);
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            watchers.delete(look);
            reject(
              new Error(
                `recipe ${name} ended without printing ${pattern}:\n${stdout}\nstderr:\n${stderr}`,
              ),
            );
          }
        };
        watchers.add(look);
        look();
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
      }
      return exited;
    },
  };
}
