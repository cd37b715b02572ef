import { escapeText, UNSAFE_TO_DISPLAY } from "../core/escape-text.js";

/**
 * Human output as lines: each element is exactly one line on the terminal.
 * What a line holds (stored values included) is printed escaped by
 * {@link forTerminal}, so no value can start another line or move the
 * cursor.
 */
export type Lines = readonly string[];

/** How a command prints: human lines, or JSON with `--json`. */
export interface Output {
  readonly json: boolean;
  /** Prints `data` as one JSON document, or the `human` lines otherwise. */
  print(data: unknown, human: () => Lines): void;
  /** Prints one record on one line: compact JSON (JSON Lines), or its `human` line. */
  record(data: unknown, human: () => string): void;
}

/**
 * One line as the terminal should get it: control, bidirectional, line
 * separator and other invisible format characters escaped (`\n`, `\x1b`,
 * `\u{202e}`). A value stored before Tessera refused such characters, or
 * written by anything else with access to the database, then shows what it
 * holds instead of forging or erasing a line of `audit tail`.
 */
export function forTerminal(line: string): string {
  return escapeText(line, UNSAFE_TO_DISPLAY);
}

/** {@link UNSAFE_TO_DISPLAY} but C0, which JSON escapes inside strings (the rest is layout). */
const LEFT_RAW_BY_JSON = new RegExp(`(?![\\u0000-\\u001f])${UNSAFE_TO_DISPLAY.source}`, "gu");

/**
 * JSON as the terminal should get it. `JSON.stringify` escapes C0 controls
 * but leaves DEL, C1, bidirectional and format characters raw; these become
 * `\uXXXX` escapes, so the document means the same and displays safely.
 */
export function jsonForTerminal(data: unknown, indent?: number): string {
  return JSON.stringify(data, null, indent).replace(LEFT_RAW_BY_JSON, (character) =>
    Array.from(
      { length: character.length },
      (_, i) => `\\u${character.charCodeAt(i).toString(16).padStart(4, "0")}`,
    ).join(""),
  );
}

/** Writes lines (each escaped, see {@link forTerminal}) to standard error. */
export function printError(lines: Lines): void {
  process.stderr.write(lines.map((line) => `${forTerminal(line)}\n`).join(""));
}

/**
 * How commands print: `--json` or human lines. With `deployment`, a JSON
 * document that is one object (not a list) gets it as its `deployment`
 * field, so a script can tell where a created key or client lives.
 */
export function output(json: boolean, deployment?: object): Output {
  return {
    json,
    print(data, human) {
      process.stdout.write(
        json
          ? `${jsonForTerminal(withDeployment(data, deployment), 2)}\n`
          : human()
              .map((line) => `${forTerminal(line)}\n`)
              .join(""),
      );
    },
    record(data, human) {
      process.stdout.write(`${json ? jsonForTerminal(data) : forTerminal(human())}\n`);
    },
  };
}

function withDeployment(data: unknown, deployment: object | undefined): unknown {
  return deployment !== undefined &&
    typeof data === "object" &&
    data !== null &&
    !Array.isArray(data)
    ? { ...data, deployment }
    : data;
}

/** Formats an epoch-ms time for people, or "-" for none. */
export function when(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString();
}

/** Lays rows out in aligned columns, measuring each cell as the terminal will show it. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): Lines {
  const shown = rows.map((row) => row.map(forTerminal));
  const widths = header.map((h, i) => Math.max(h.length, ...shown.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...shown.map(line)];
}
