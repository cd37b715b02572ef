/**
 * Reads a documentation page into the steps the examples test runs.
 *
 * The page convention (every marker is an HTML comment, so nothing shows
 * when the page is rendered):
 *
 * - Every ```` ```sh ```` block runs, in page order, in one shell per page.
 * - The output a reader sees is the fenced block (or blocks) right after it
 *   whose info string is empty, `text`, `console`, `json` or `http`; a block
 *   with none shown must succeed (no command in it may fail).
 * - `<!-- docs-test: skip: <reason> -->` before a block: not run, and reported
 *   as skipped with the reason.
 * - `<!-- docs-test: server -->` before a block (with, if you like, a word on
 *   why in brackets after `server`): the block starts the server;
 *   the test starts `tessera serve` itself with the block's `NAME=value`
 *   settings, on a free port, and compares what it prints.
 * - `<!-- docs-test: capture <literal> = /<regex>/ -->` before a block: after
 *   it runs, `<literal>` in later blocks stands for what the regex matched in
 *   its output (the key a command printed, say).
 * - `<!-- docs-test: unordered (<why>) -->` before a block: its output lines
 *   may come in any order (rows that tie in the command's own order).
 * - `<!-- docs-test: file <name> -->` before any block: its text is written
 *   to `<name>` in the page's directory before the page runs.
 * - `<!-- docs-test: run` … `-->`: commands the reader does not need to see
 *   that bring the page's data to the state its examples show.
 */

/** A literal of a page that stands for a value printed while the page runs. */
export interface Capture {
  readonly literal: string;
  readonly pattern: RegExp;
}

/** One thing the test does, in page order. */
export type Step =
  | {
      readonly kind: "run";
      readonly line: number;
      readonly code: string;
      readonly expected: string | undefined;
      /** Whether the output's lines may come in any order. */
      readonly unordered: boolean;
      readonly captures: readonly Capture[];
    }
  | { readonly kind: "hidden"; readonly line: number; readonly code: string }
  | {
      readonly kind: "server";
      readonly line: number;
      readonly code: string;
      readonly env: Readonly<Record<string, string>>;
      readonly expected: string | undefined;
    }
  | {
      readonly kind: "skip";
      readonly line: number;
      readonly code: string;
      readonly reason: string;
    };

/** A page's steps and the files its examples read. */
export interface Page {
  readonly steps: readonly Step[];
  readonly files: ReadonlyMap<string, string>;
}

const OUTPUT_INFOS = new Set(["", "text", "console", "json", "http"]);
const MARKER = /^\s*<!--\s*docs-test:\s*([\s\S]*?)\s*-->\s*$/;

interface Fence {
  readonly info: string;
  readonly line: number;
  readonly body: string;
  /** The index of the first line after the closing fence. */
  readonly next: number;
}

/** Reads the fenced block opening at `lines[start]`, or undefined when none opens there. */
function readFence(lines: readonly string[], start: number): Fence | undefined {
  const open = /^(\s*)(```+)\s*([\w-]*)\s*$/.exec(lines[start] ?? "");
  if (open === null) {
    return undefined;
  }
  const indent = open[1]?.length ?? 0;
  const ticks = open[2] ?? "```";
  const body: string[] = [];
  for (let index = start + 1; index < lines.length; index += 1) {
    const line = lines[index] ?? "";
    if (line.trim() === ticks) {
      return { info: open[3] ?? "", line: start + 1, body: body.join("\n"), next: index + 1 };
    }
    body.push(line.slice(Math.min(indent, line.length - line.trimStart().length)));
  }
  throw new Error(`line ${start + 1}: a code block that never closes`);
}

/** Reads the markers (one or several lines each) from `start`; returns them and the next line. */
function readMarkers(lines: readonly string[], start: number): { texts: string[]; next: number } {
  const texts: string[] = [];
  let index = start;
  while (index < lines.length) {
    const line = lines[index] ?? "";
    if (line.trim() === "") {
      index += 1;
      continue;
    }
    if (!/^\s*<!--\s*docs-test:/.test(line)) {
      break;
    }
    let end = index;
    while (end < lines.length && !(lines[end] ?? "").includes("-->")) {
      end += 1;
    }
    const comment = lines.slice(index, end + 1).join("\n");
    const marker = MARKER.exec(comment);
    if (marker === null) {
      throw new Error(`line ${index + 1}: a docs-test marker that is not one HTML comment`);
    }
    texts.push(marker[1] ?? "");
    index = end + 1;
  }
  return { texts, next: index };
}

/** Collects the output blocks right after a command block. */
function readOutputs(lines: readonly string[], start: number): { text?: string; next: number } {
  const outputs: string[] = [];
  let index = start;
  for (;;) {
    let look = index;
    while (look < lines.length && (lines[look] ?? "").trim() === "") {
      look += 1;
    }
    const fence = readFence(lines, look);
    if (fence === undefined || !OUTPUT_INFOS.has(fence.info)) {
      break;
    }
    outputs.push(fence.body);
    index = fence.next;
  }
  return outputs.length === 0 ? { next: index } : { text: outputs.join("\n\n"), next: index };
}

/** The `NAME=value` settings in front of the command that starts the server. */
export function serverSettings(code: string): Record<string, string> {
  const joined = code.replace(/\\\n/g, " ");
  const statement = joined
    .split(/\n|&&|;/)
    .find((part) => /\b(npm start|tessera(-auth)? serve)\b/.test(part.replace(/#.*/, "")));
  if (statement === undefined) {
    throw new Error("a server block must run `npm start` or `npx tessera-auth serve`");
  }
  const env: Record<string, string> = {};
  const assignment = /^\s*([A-Z_][A-Z0-9_]*)=('[^']*'|"[^"]*"|\S*)/;
  let rest = statement.replace(/^\s*export\s+/, "");
  for (let match = assignment.exec(rest); match !== null; match = assignment.exec(rest)) {
    const value = match[2] ?? "";
    env[match[1] ?? ""] = /^['"]/.test(value) ? value.slice(1, -1) : value;
    rest = rest.slice(match[0].length);
  }
  return env;
}

function parseCapture(text: string, line: number): Capture {
  const capture = /^capture\s+(\S+)\s*=\s*\/(.+)\/$/.exec(text);
  if (capture === null) {
    throw new Error(`line ${line}: write a capture as 'capture <literal> = /<regex>/'`);
  }
  return { literal: capture[1] ?? "", pattern: new RegExp(capture[2] ?? "") };
}

/** Splits a page into its steps; throws on a marker it does not understand. */
export function parsePage(markdown: string): Page {
  const lines = markdown.split("\n");
  const steps: Step[] = [];
  const files = new Map<string, string>();
  let index = 0;
  while (index < lines.length) {
    const markers = readMarkers(lines, index);
    const markerLine = index + 1;
    const hidden = markers.texts.filter((text) => text.startsWith("run"));
    for (const text of hidden) {
      steps.push({ kind: "hidden", line: markerLine, code: text.replace(/^run\s*/, "") });
    }
    const own = markers.texts.filter((text) => !text.startsWith("run"));
    const fence = readFence(lines, markers.next);
    if (fence === undefined) {
      if (own.length > 0) {
        throw new Error(`line ${markerLine}: a docs-test marker that no code block follows`);
      }
      index = Math.max(markers.next, index + 1);
      continue;
    }
    const file = own.find((text) => text.startsWith("file "));
    if (file !== undefined) {
      files.set(file.slice("file ".length).trim(), `${fence.body}\n`);
    }
    if (fence.info !== "sh") {
      index = fence.next;
      continue;
    }
    const outputs = readOutputs(lines, fence.next);
    const skip = own.find((text) => text.startsWith("skip"));
    if (skip !== undefined) {
      const reason = skip.replace(/^skip:?\s*/, "");
      if (reason === "") {
        throw new Error(`line ${fence.line}: a skipped block needs a reason (skip: <why>)`);
      }
      steps.push({ kind: "skip", line: fence.line, code: fence.body, reason });
    } else if (own.some((text) => /^server\b/.test(text))) {
      steps.push({
        kind: "server",
        line: fence.line,
        code: fence.body,
        env: serverSettings(fence.body),
        expected: outputs.text,
      });
    } else {
      const captures = own
        .filter((text) => text.startsWith("capture"))
        .map((text) => parseCapture(text, fence.line));
      steps.push({
        kind: "run",
        line: fence.line,
        code: fence.body,
        expected: outputs.text,
        unordered: own.some((text) => /^unordered\b/.test(text)),
        captures,
      });
    }
    const unknown = own.filter((text) => !/^(skip|server|capture|file |unordered\b)/.test(text));
    if (unknown.length > 0) {
      throw new Error(`line ${fence.line}: unknown docs-test marker '${unknown[0]}'`);
    }
    index = outputs.next;
  }
  return { steps, files };
}
