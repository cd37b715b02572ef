import { CommanderError } from "commander";
import { ConfigError } from "../config/config.js";
import { TesseraError } from "../core/errors.js";
import type { Lines } from "./io.js";

/**
 * The CLI's own failure codes, beside the core's ({@link TesseraError}):
 * what `--json` prints as `error.code`.
 */
export type CliErrorCode =
  /** An unknown command or option, a missing argument, an option value out of range. */
  | "usage"
  /** What the operator typed at a prompt was refused (two different new passwords). */
  | "invalid_input"
  /** The configuration (TESSERA_* settings) is invalid. */
  | "invalid_configuration"
  /** No deployment where the command looked: no data dir, database, tables, key or tenant. */
  | "not_initialised"
  /** `serve` could not listen: the port is taken, or not allowed. */
  | "port_unavailable"
  /** A destructive command without `--yes` where no one can be asked. */
  | "confirmation_required"
  /** The operator answered no, or pressed Ctrl-C at a prompt. */
  | "cancelled"
  /** Remote mode: no stored login for the server, or the login has ended (run `tessera login`). */
  | "not_logged_in"
  /** Remote mode: the server could not be reached, or answered with something else than Tessera would. */
  | "unreachable"
  /** Anything else. */
  | "failed";

/** A failure of the CLI itself, with a one-line message written for people. */
export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
    /** The process's exit status: 1, or 130 for Ctrl-C, as shells report SIGINT. */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** An option's value refused, in the option's own name (`--limit must be …`). */
export function usageError(message: string): CliError {
  return new CliError("usage", message);
}

/** What `--json` prints for a failure: `{"error": {"code", "message"}}`. */
export interface ErrorDocument {
  readonly error: { readonly code: string; readonly message: string };
}

/**
 * Why a command failed, for people: one line, or for an invalid
 * configuration one line per problem; never a stack trace.
 */
export function describeFailure(error: unknown): Lines {
  if (error instanceof ConfigError) {
    return ["Invalid configuration:", ...error.problems.map((problem) => `  - ${problem}`)];
  }
  if (error instanceof CommanderError) {
    // `tessera` or `tessera user` alone: commander's message is only "(outputHelp)".
    return [
      error.code === "commander.help"
        ? "a command is required (tessera --help lists them)"
        : error.message.replace(/^error: /, ""),
    ];
  }
  // TesseraError and the CLI's own Errors carry messages written for people.
  return [error instanceof Error ? error.message : String(error)];
}

/** The failure as `--json` prints it. */
export function errorDocument(error: unknown): ErrorDocument {
  const code =
    error instanceof CliError || error instanceof TesseraError
      ? error.code
      : error instanceof ConfigError
        ? "invalid_configuration"
        : error instanceof CommanderError
          ? "usage"
          : "failed";
  const message =
    error instanceof ConfigError
      ? `Invalid configuration: ${error.problems.join("; ")}`
      : describeFailure(error)
          .join(" ")
          .replace(/\s*\n\s*/g, " ");
  return { error: { code, message } };
}

/** The exit status of a failure. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CliError || error instanceof CommanderError) {
    return error.exitCode;
  }
  return 1;
}

/**
 * An option's whole-number value, from `min` to `max` (no upper bound when
 * `max` is absent), or a usage error in the option's own name:
 * `--limit must be a whole number from 1 to 10000`.
 */
export function wholeNumber(
  option: string,
  value: string,
  { min, max }: { readonly min: number; readonly max?: number },
): number {
  const number = Number(value);
  if (
    value.trim() === "" ||
    !Number.isSafeInteger(number) ||
    number < min ||
    (max !== undefined && number > max)
  ) {
    throw usageError(
      `${option} must be a whole number from ${min}${max === undefined ? "" : ` to ${max}`}`,
    );
  }
  return number;
}
