import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

/*
 * Every export of @tessera/client carries a TSDoc `@example` (STYLE.md: "TSDoc
 * with an example on every export"), and so does every public method and
 * accessor of an exported class: an editor shows it where the name is used,
 * and it is the first thing a newcomer copies.
 */

const PACKAGE = fileURLToPath(new URL("../", import.meta.url));

function hasExample(node: ts.Node): boolean {
  return ts.getJSDocTags(node).some((tag) => tag.tagName.text === "example");
}

function where(node: ts.Node, root: string): string {
  const file = node.getSourceFile();
  const { line } = file.getLineAndCharacterOfPosition(node.getStart());
  return `${relative(root, file.fileName)}:${line + 1}`;
}

/** The public methods and accessors of a class: what a caller of an instance calls. */
function publicMembers(declaration: ts.ClassDeclaration): ts.ClassElement[] {
  return declaration.members.filter((member) => {
    const callable =
      ts.isMethodDeclaration(member) ||
      ts.isGetAccessorDeclaration(member) ||
      ts.isSetAccessorDeclaration(member);
    if (!callable || member.name === undefined || ts.isPrivateIdentifier(member.name)) {
      return false;
    }
    const flags = ts.getCombinedModifierFlags(member);
    return (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0;
  });
}

/**
 * Every export of `entry` (through `export *`, `export type *` and renamed
 * re-exports, as far as they go), and every public method and accessor of an
 * exported class, that has no `@example` on its declaration: as
 * `name (file:line)`, sorted. A name declared several times (a value and a
 * type of one name) needs the example on one of them.
 */
function exportsWithoutExample(program: ts.Program, entry: string, root: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  if (module === undefined) {
    throw new Error(`${entry} is not a module of the program`);
  }
  const missing: string[] = [];
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declarations = symbol.declarations ?? [];
    const [first] = declarations;
    if (first === undefined) {
      missing.push(`${exported.name} (no declaration)`);
      continue;
    }
    if (!declarations.some(hasExample)) {
      missing.push(`${exported.name} (${where(first, root)})`);
    }
    for (const declaration of declarations.filter(ts.isClassDeclaration)) {
      for (const member of publicMembers(declaration)) {
        if (!hasExample(member)) {
          missing.push(`${exported.name}.${member.name?.getText()} (${where(member, root)})`);
        }
      }
    }
  }
  return missing.sort();
}

function programOf(tsconfig: string): ts.Program {
  const read = ts.readConfigFile(tsconfig, (path) => ts.sys.readFile(path));
  if (read.error !== undefined) {
    throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  }
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, join(tsconfig, ".."));
  return ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
}

describe("TSDoc examples", () => {
  it("every export of src/index.ts, and every public method of an exported class, has an @example", () => {
    const program = programOf(join(PACKAGE, "tsconfig.build.json"));
    const missing = exportsWithoutExample(program, join(PACKAGE, "src", "index.ts"), PACKAGE);
    expect(missing, `exports without a TSDoc @example:\n${missing.join("\n")}`).toEqual([]);
  });

  describe("the check itself, on a package of its own", () => {
    const fixture = mkdtempSync(join(tmpdir(), "tsdoc-check-"));
    afterAll(() => {
      rmSync(fixture, { recursive: true, force: true });
    });

    it("names what lacks an example through every kind of re-export, and nothing else", () => {
      const files: Record<string, string> = {
        "index.ts": [
          'export * from "./values.js";',
          'export type * from "./types.js";',
          'export { inner as renamed } from "./nested/index.js";',
          'export { Documented } from "./class.js";',
        ].join("\n"),
        "values.ts": [
          "/**",
          " * Documented.",
          " *",
          " * @example",
          " * withExample(); // 1",
          " */",
          "export function withExample(): number { return 1; }",
          "/** Documented, without an example. */",
          "export const withoutExample = 2;",
        ].join("\n"),
        "types.ts": "export interface Bare { readonly x: number }",
        "nested/index.ts": 'export * from "./inner.js";',
        "nested/inner.ts": "/** Deep. */\nexport function inner(): void {}",
        "class.ts": [
          "/**",
          " * @example",
          " * new Documented().shown();",
          " */",
          "export class Documented {",
          "  /**",
          "   * @example",
          "   * new Documented().shown();",
          "   */",
          "  shown(): void {}",
          "  /** No example. */",
          "  get hidden(): number { return 1; }",
          "  #secret(): void {}",
          "  private kept(): void {}",
          "}",
        ].join("\n"),
      };
      for (const [name, text] of Object.entries(files)) {
        if (name.includes("/")) {
          ts.sys.createDirectory(join(fixture, name, ".."));
        }
        writeFileSync(join(fixture, name), `${text}\n`);
      }
      const program = ts.createProgram({
        rootNames: Object.keys(files).map((name) => join(fixture, name)),
        options: {
          module: ts.ModuleKind.NodeNext,
          moduleResolution: ts.ModuleResolutionKind.NodeNext,
          target: ts.ScriptTarget.ES2022,
          strict: true,
          noEmit: true,
        },
      });

      expect(exportsWithoutExample(program, join(fixture, "index.ts"), fixture)).toEqual([
        "Bare (types.ts:1)",
        "Documented.hidden (class.ts:12)",
        "renamed (nested/inner.ts:2)",
        "withoutExample (values.ts:9)",
      ]);
    });
  });
});
