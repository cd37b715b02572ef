import { CommanderError } from "commander";
import { CliError, describeFailure, errorDocument, exitCodeOf } from "./errors.js";
import { jsonForTerminal, printError } from "./io.js";
import { buildProgram } from "./program.js";

/** Whether the command line asks for `--json` (before a `--` that ends the options). */
function wantsJson(argv: readonly string[]): boolean {
  const args = argv.slice(2);
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).includes("--json");
}

/**
 * Reports a failure: with `--json`, `{"error": {"code", "message"}}` on
 * standard output; otherwise one `tessera:` line on standard error (a usage
 * mistake was printed by commander already, with the command's help).
 */
function report(error: unknown, json: boolean): void {
  process.exitCode = exitCodeOf(error);
  if (json) {
    process.stdout.write(`${jsonForTerminal(errorDocument(error), 2)}\n`);
    return;
  }
  if (error instanceof CommanderError) {
    return;
  }
  if (error instanceof CliError && error.code === "cancelled" && error.exitCode === 130) {
    // Ctrl-C at a prompt: the prompt ended its line; a shell shows nothing more.
    return;
  }
  const [first = "", ...rest] = describeFailure(error);
  printError([`tessera: ${first}`, ...rest]);
}

/** Runs the CLI with `argv`; exits non-zero with a one-line reason on failure. */
export async function main(argv: readonly string[]): Promise<void> {
  const json = wantsJson(argv);
  try {
    await buildProgram({ quiet: json }).parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) {
      // --help or --version: printed, and a success.
      return;
    }
    report(error, json);
  }
}
