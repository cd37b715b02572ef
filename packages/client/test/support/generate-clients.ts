import { execFile } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@hey-api/openapi-ts";
import openapiTS, { astToString } from "openapi-typescript";

/**
 * Where the clients are generated: git-ignored, inside the package so that
 * the generated code resolves `openapi-fetch` and the flows resolve
 * `vitest` from this workspace's node_modules.
 */
export const GENERATED_DIR = fileURLToPath(new URL("../.generated/", import.meta.url));

/** The flows that call the generated clients, compiled with them. */
const FLOWS_DIR = fileURLToPath(new URL("../generated-flows/", import.meta.url));

/** The directories under {@link GENERATED_DIR}, one per generator. */
export const HEY_API_DIR = join(GENERATED_DIR, "hey-api");
export const OPENAPI_TYPESCRIPT_DIR = join(GENERATED_DIR, "openapi-typescript");

const TSCONFIG = join(GENERATED_DIR, "tsconfig.json");

/**
 * The options a consumer's strict project would compile the generated
 * clients under: `strict`, Node's ESM resolution, and this repository's
 * own stricter checks, with the libraries' declarations trusted
 * (`skipLibCheck`); the generated sources themselves are checked. All but
 * `exactOptionalPropertyTypes`: the fetch client that
 * `@hey-api/openapi-ts` 0.95 bundles does not compile under it (it passes
 * `undefined` to optional members in its own runtime code, whatever the
 * document says).
 */
function tsconfig(): object {
  const dir = (path: string) => relative(GENERATED_DIR, path).replaceAll("\\", "/");
  return {
    compilerOptions: {
      target: "ES2023",
      lib: ["ES2023", "DOM", "DOM.Iterable"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      noImplicitReturns: true,
      noFallthroughCasesInSwitch: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
    },
    include: [
      `${dir(HEY_API_DIR)}/**/*.ts`,
      `${dir(OPENAPI_TYPESCRIPT_DIR)}/**/*.ts`,
      `${dir(FLOWS_DIR)}/**/*.ts`,
    ],
  };
}

/**
 * Generates a client with each generator from `document` (the served
 * `/openapi.json`), replacing whatever an earlier run left: the
 * `@hey-api/openapi-ts` SDK with its bundled fetch client, and the
 * `openapi-typescript` types that `openapi-fetch` calls through.
 */
export async function generateClients(document: Record<string, unknown>): Promise<void> {
  rmSync(GENERATED_DIR, { recursive: true, force: true });
  mkdirSync(OPENAPI_TYPESCRIPT_DIR, { recursive: true });
  // Written first: @hey-api/openapi-ts reads it to pick `.js` import specifiers for NodeNext.
  writeFileSync(TSCONFIG, `${JSON.stringify(tsconfig(), null, 2)}\n`);
  await createClient({
    input: structuredClone(document),
    output: { path: HEY_API_DIR, tsConfigPath: TSCONFIG },
    plugins: ["@hey-api/client-fetch", "@hey-api/typescript", "@hey-api/sdk"],
    logs: { level: "silent", file: false },
    interactive: false,
  });
  const types = astToString(await openapiTS(JSON.stringify(document), { silent: true }));
  writeFileSync(join(OPENAPI_TYPESCRIPT_DIR, "schema.ts"), types);
}

/** What `tsc` said about the generated clients and the flows, and whether it passed. */
export interface TypeCheck {
  readonly passed: boolean;
  readonly output: string;
}

/**
 * Runs this workspace's `tsc` over the generated clients and the flows
 * that use them, so a change of the document that breaks the generated
 * types, or renames what the flows use, fails the suite.
 */
export function typeCheckGenerated(): Promise<TypeCheck> {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsc, "-p", TSCONFIG, "--pretty", "false"],
      { encoding: "utf8", timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ passed: error === null, output: `${stdout}${stderr}` });
      },
    );
  });
}
