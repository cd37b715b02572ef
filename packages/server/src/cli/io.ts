import { createInterface } from "node:readline";
import { Writable } from "node:stream";

/** How a command prints: human lines, or one JSON document with `--json`. */
export interface Output {
  readonly json: boolean;
  /** Prints `data` as JSON, or `human` (lines) otherwise. */
  print(data: unknown, human: () => string): void;
}

export function output(json: boolean): Output {
  return {
    json,
    print(data, human) {
      process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
    },
  };
}

/**
 * Reads a secret: the whole of stdin with `--password-stdin` (one trailing
 * line break removed, as `docker login --password-stdin` does; nothing else
 * is trimmed), or a prompt that does not echo when stdin is a terminal.
 * Never from argv, where it would land in shell history and `ps`.
 */
export async function readSecret(fromStdin: boolean, prompt: string): Promise<string> {
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) {
      chunks.push(Buffer.from(chunk as Buffer));
    }
    return Buffer.concat(chunks)
      .toString("utf8")
      .replace(/\r?\n$/, "");
  }
  if (!process.stdin.isTTY) {
    throw new Error("stdin is not a terminal: pass the password with --password-stdin");
  }
  return promptHidden(prompt);
}

async function promptHidden(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  const answer = await new Promise<string>((resolve) => rl.question("", resolve));
  rl.close();
  process.stderr.write("\n");
  return answer;
}

/** Formats an epoch-ms time for people, or "-" for none. */
export function when(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString();
}

/** Lays rows out in aligned columns. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
