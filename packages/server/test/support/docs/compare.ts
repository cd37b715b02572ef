/**
 * Compares what a documented command printed with what its page shows.
 *
 * Both sides are brought to one form first: JSON documents are re-printed
 * with two-space indents (so a page may show them compact or indented), blank
 * lines are dropped, and every value that changes from run to run (tokens,
 * ids, keys, times) is replaced by a placeholder named after its pattern. On
 * the page, `…` stands for any text within a line, and a line holding only
 * `…` for any number of lines. An HTTP answer shown with its headers
 * (`curl -i`) needs its status line and the headers shown, in any order;
 * other headers may be there too.
 */

/** Values that change every run, by pattern; applied to the page and the output alike. */
const VOLATILE: ReadonlyArray<readonly [RegExp, string]> = [
  // Secrets first, and a JWT only where one starts: a random secret may hold `eyJ`.
  [/tsr_(rt|ak|lt|cs)_[A-Za-z0-9…]*/g, "tsr_$1_<secret>"],
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_\-.…]*/g, "<jwt>"],
  [/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>"],
  [/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, "<time>"],
  [/\bak_[A-Za-z0-9_-]{12}(?![\w-])/g, "ak_<id>"],
  [/\b(lt|st)_[A-Za-z0-9_-]{22}(?![\w-])/g, "$1_<id>"],
  [/[A-Za-z0-9_-]{100,}/g, "<base64url>"],
  [/(?<![\w-])[A-Za-z0-9_-]{43}(?![\w-])/g, "<thumbprint>"],
  [/(?<![\w-])[a-z0-9]{26}(?![\w-])/g, "<client-id>"],
  [/secret=[A-Z2-7…]+/g, "secret=<base32>"],
  [/\b1\d{12}\b/g, "<epoch-ms>"],
  [/\b1\d{9}\b/g, "<epoch-s>"],
  [/^(ratelimit-(?:reset|remaining): )\d+$/gi, "$1<n>"],
];

/** Replaces every volatile value of one line by its placeholder. */
export function normaliseLine(line: string): string {
  return VOLATILE.reduce(
    (text, [pattern, placeholder]) => text.replace(pattern, placeholder),
    line,
  );
}

/** The end (exclusive) of the JSON value that starts at `start`, or -1. */
function jsonEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === "\\") {
        index += 1;
      } else if (char === '"') {
        inString = false;
      }
    } else if (char === '"') {
      inString = true;
    } else if (char === "{" || char === "[") {
      depth += 1;
    } else if (char === "}" || char === "]") {
      depth -= 1;
      if (depth === 0) {
        return index + 1;
      }
    }
  }
  return -1;
}

/**
 * The lines a reader compares: each JSON object or array that starts a line
 * (or follows another one, as `curl` prints several answers without line
 * breaks) printed with two-space indents, other lines as they are, without
 * trailing spaces or blank lines.
 */
export function canonicalLines(text: string): string[] {
  const lines: string[] = [];
  let rest = text.replace(/\r\n/g, "\n");
  while (rest.length > 0) {
    const lead = rest.length - rest.trimStart().length;
    const start = lead;
    if (rest[start] === "{" || rest[start] === "[") {
      const end = jsonEnd(rest, start);
      if (end > 0) {
        try {
          const value: unknown = JSON.parse(rest.slice(start, end));
          lines.push(...JSON.stringify(value, null, 2).split("\n"));
          rest = rest.slice(end);
          continue;
        } catch {
          // Not JSON after all: compared as text.
        }
      }
    }
    const newline = rest.indexOf("\n");
    const line = newline === -1 ? rest : rest.slice(0, newline);
    if (line.trim() !== "") {
      lines.push(line.trimEnd());
    }
    rest = newline === -1 ? "" : rest.slice(newline + 1);
  }
  return lines;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Whether an output line matches a page line (normalised, with `…` as a wildcard). */
export function lineMatches(expected: string, actual: string): boolean {
  // A value shortened on the page (`4zWdPvlatvGk…`) stands for the whole value.
  const shortened = normaliseLine(expected).replace(/[\w-]*…[\w-]*/g, "…");
  const pattern = shortened.split("…").map(escapeRegExp).join(".*?");
  return new RegExp(`^${pattern}$`).test(normaliseLine(actual));
}

/** A line of the page that stands for any number of output lines. */
function isEllipsisLine(line: string): boolean {
  return /^\s*"?…"?,?\s*$/.test(line);
}

/** Where two line lists first part ways, or undefined when they match. */
interface Divergence {
  readonly expectedIndex: number;
  readonly actualIndex: number;
}

function matchLines(
  expected: readonly string[],
  actual: readonly string[],
): Divergence | undefined {
  let furthest: Divergence = { expectedIndex: 0, actualIndex: 0 };
  const failed = new Set<string>();
  const walk = (i: number, j: number): boolean => {
    const key = `${i}:${j}`;
    if (failed.has(key)) {
      return false;
    }
    if (i > furthest.expectedIndex || (i === furthest.expectedIndex && j > furthest.actualIndex)) {
      furthest = { expectedIndex: i, actualIndex: j };
    }
    let ok: boolean;
    if (i === expected.length) {
      ok = j === actual.length;
    } else if (isEllipsisLine(expected[i] ?? "")) {
      ok = false;
      for (let k = j; k <= actual.length && !ok; k += 1) {
        ok = walk(i + 1, k);
      }
    } else {
      ok =
        j < actual.length && lineMatches(expected[i] ?? "", actual[j] ?? "") && walk(i + 1, j + 1);
    }
    if (!ok) {
      failed.add(key);
    }
    return ok;
  };
  return walk(0, 0) ? undefined : furthest;
}

function describeDivergence(
  expected: readonly string[],
  actual: readonly string[],
  at: Divergence,
): string {
  const shown = (lines: readonly string[], index: number) =>
    index < lines.length ? `| ${lines[index]}` : "(nothing more)";
  return [
    `the page shows, at its line ${at.expectedIndex + 1} of this output:`,
    `  ${shown(expected, at.expectedIndex)}`,
    `the command printed, at its line ${at.actualIndex + 1}:`,
    `  ${shown(actual, at.actualIndex)}`,
  ].join("\n");
}

const STATUS_LINE = /^HTTP\/[\d.]+ \d{3}\b/;

/** Splits an HTTP answer printed by `curl -i` into its head lines and its body. */
function splitHead(text: string): { head: string[]; body: string } {
  const normalised = text.replace(/\r\n/g, "\n").replace(/^\s*\n/, "");
  const gap = normalised.search(/\n[ \t]*\n/);
  const head = gap === -1 ? normalised : normalised.slice(0, gap);
  const body = gap === -1 ? "" : normalised.slice(gap).replace(/^\n[ \t]*\n/, "");
  return { head: head.split("\n").map((line) => line.trimEnd()), body };
}

function compareHead(expected: readonly string[], actual: readonly string[]): string | undefined {
  const [expectedStatus = "", ...expectedHeaders] = expected;
  const [actualStatus = "", ...actualHeaders] = actual;
  if (!lineMatches(expectedStatus, actualStatus)) {
    return `the page shows the status line ${JSON.stringify(expectedStatus)}, the answer was ${JSON.stringify(actualStatus)}`;
  }
  for (const header of expectedHeaders) {
    const name = header.slice(0, header.indexOf(":")).toLowerCase();
    const value = header.slice(header.indexOf(":") + 1).trim();
    const found = actualHeaders.filter((line) => line.toLowerCase().startsWith(`${name}:`));
    if (
      !found.some((line) =>
        lineMatches(`${name}: ${value}`, `${name}: ${line.slice(name.length + 1).trim()}`),
      )
    ) {
      return found.length === 0
        ? `the page shows the header ${JSON.stringify(header)}, the answer has no ${name}`
        : `the page shows the header ${JSON.stringify(header)}, the answer has ${found.map((line) => JSON.stringify(line)).join(", ")}`;
    }
  }
  return undefined;
}

/**
 * Compares a command's output with the output its page shows; returns
 * undefined when they agree, or what differs, in words.
 */
export function compareOutput(
  expected: string,
  actual: string,
  options: { readonly unordered?: boolean } = {},
): string | undefined {
  let expectedBody = expected;
  let actualBody = actual;
  if (STATUS_LINE.test(expected.trimStart())) {
    const page = splitHead(expected);
    const printed = splitHead(actual);
    const head = compareHead(page.head, printed.head);
    if (head !== undefined) {
      return head;
    }
    expectedBody = page.body;
    actualBody = printed.body;
  }
  // Rows that tie in the command's own order (created in one millisecond,
  // say) are compared as a set: normalised, then sorted.
  const arrange = (lines: string[]) =>
    options.unordered === true ? lines.map(normaliseLine).sort() : lines;
  const expectedLines = arrange(canonicalLines(expectedBody));
  const actualLines = arrange(canonicalLines(actualBody));
  const divergence = matchLines(expectedLines, actualLines);
  return divergence === undefined
    ? undefined
    : describeDivergence(expectedLines, actualLines, divergence);
}
