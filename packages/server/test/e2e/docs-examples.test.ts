import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareOutput } from "../support/docs/compare.js";
import { type Page, parsePage, type Step } from "../support/docs/markdown.js";
import { PageRunner } from "../support/docs/page-runner.js";

/**
 * Every shell example of the README and docs/ runs, in page order, against a
 * server started from the built dist/ on a fresh data dir, and prints what
 * the page says it prints. The page convention is described in
 * test/support/docs/markdown.ts.
 */

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const PAGES = [
  "README.md",
  ...readdirSync(`${ROOT}docs`)
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`),
];

function title(page: string, step: Step): string {
  const first = step.code.split("\n").find((line) => line.trim() !== "" && !line.startsWith("#"));
  const command = (first ?? step.code).trim();
  return `${page}:${step.line} ${command.length > 70 ? `${command.slice(0, 69)}…` : command}`;
}

function mismatch(page: string, step: Step, difference: string, output: string): string {
  return [
    `${page}, the block at line ${step.line}: its output differs from the page.`,
    difference,
    "",
    "The whole output, as the page would show it:",
    output,
  ].join("\n");
}

/** One page: its blocks run one after another, as a reader runs them. */
function describePage(page: string): void {
  const parsed: Page = parsePage(readFileSync(`${ROOT}${page}`, "utf8"));
  if (parsed.steps.length === 0) {
    // A page with no shell example has nothing to run (and an empty suite fails).
    return;
  }

  describe.sequential(page, () => {
    let runner: PageRunner;

    beforeAll(() => {
      runner = PageRunner.open(parsed);
    });

    afterAll(async () => {
      await runner?.close();
    });

    for (const step of parsed.steps) {
      if (step.kind === "skip") {
        it.skip(`${title(page, step)} (skipped: ${step.reason})`, () => undefined);
        continue;
      }
      it.sequential(title(page, step), { timeout: 60_000 }, async () => {
        if (step.kind === "server") {
          const banner = await runner.startServer(step.env);
          if (step.expected !== undefined) {
            const difference = compareOutput(step.expected, banner);
            if (difference !== undefined) {
              expect.fail(mismatch(page, step, difference, banner));
            }
          }
          return;
        }
        const result = await runner.run(step.code);
        const output = runner.presentable(result.output);
        if (step.kind === "run" && step.expected !== undefined) {
          const difference = compareOutput(step.expected, output, { unordered: step.unordered });
          if (difference !== undefined) {
            expect.fail(mismatch(page, step, difference, output));
          }
        } else {
          expect(
            result.failedCommands,
            `${page}, the block at line ${step.line}: a command failed and the page shows no output for it.\n${output}`,
          ).toEqual([]);
        }
        if (step.kind === "run") {
          runner.capture(step.captures, result.output);
        }
      });
    }
  });
}

// Two lanes, as the machines have two cores: the CLI's page, with most
// commands, beside every other page in turn. Each page has its own
// directory and server.
const LANES = [["docs/cli.md"], PAGES.filter((page) => page !== "docs/cli.md")];
for (const [index, pages] of LANES.entries()) {
  describe.concurrent(`examples, lane ${index + 1}`, () => {
    for (const page of pages) {
      describePage(page);
    }
  });
}
