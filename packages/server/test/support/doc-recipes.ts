/**
 * Runs a verifier recipe exactly as a page of docs/ prints it, so the
 * tests check what a resource server would copy, not a paraphrase of it.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { createRemoteJWKSet, JWTPayload, jwtVerify } from "jose";

const DOCS = fileURLToPath(new URL("../../../../docs/", import.meta.url));
const JOSE_IMPORT = 'import { createRemoteJWKSet, jwtVerify } from "jose";';

/** What the recipe imports from `jose`; a test may wrap them (to route the JWKS fetch). */
export interface RecipeDependencies {
  readonly createRemoteJWKSet: typeof createRemoteJWKSet;
  readonly jwtVerify: typeof jwtVerify;
}

/**
 * Finds the `js` block of `page` that exports `functionName`, sets its
 * `const NAME = …;` lines to `constants`, and returns the function. Throws
 * when the block, its `jose` import or a constant is not on the page, so a
 * doc that drifts from what the test runs fails the test.
 */
export function docRecipe(
  page: string,
  functionName: string,
  constants: Readonly<Record<string, string>>,
  dependencies: RecipeDependencies,
): (token: string) => Promise<JWTPayload> {
  const markdown = readFileSync(`${DOCS}${page}`, "utf8");
  const blocks = [...markdown.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
  const block = blocks.find((code) => code.includes(`export async function ${functionName}(`));
  if (block === undefined) {
    throw new Error(`${page} has no js block exporting ${functionName}`);
  }
  if (!block.includes(JOSE_IMPORT)) {
    throw new Error(`the ${functionName} recipe of ${page} does not import from jose as expected`);
  }
  let code = block
    .replace(JOSE_IMPORT, "")
    .replace(`export async function ${functionName}(`, `async function ${functionName}(`);
  for (const [name, value] of Object.entries(constants)) {
    const line = new RegExp(`^const ${name} = .*$`, "m");
    if (!line.test(code)) {
      throw new Error(`the ${functionName} recipe of ${page} has no constant ${name}`);
    }
    code = code.replace(line, `const ${name} = ${JSON.stringify(value)};`);
  }
  const build = new Function(
    "createRemoteJWKSet",
    "jwtVerify",
    `${code}\nreturn ${functionName};`,
  ) as (
    remote: RecipeDependencies["createRemoteJWKSet"],
    verify: RecipeDependencies["jwtVerify"],
  ) => (token: string) => Promise<JWTPayload>;
  return build(dependencies.createRemoteJWKSet, dependencies.jwtVerify);
}
