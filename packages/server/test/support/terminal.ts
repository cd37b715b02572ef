import { spawn, spawnSync } from "node:child_process";
import { childEnv, TESSERA_BIN } from "./processes.js";

/** True when util-linux `script`, which gives a command a terminal, is installed. */
export const terminalAvailable =
  spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;

/** One exchange at a prompt: once the output shows `after`, type `type`. */
export interface Keystrokes {
  readonly after: string;
  readonly type: string;
}

/** What a command run at a terminal showed, and how it ended. */
export interface TerminalResult {
  readonly status: number | null;
  /** Everything the terminal showed (standard output and error together), CR LF as LF. */
  readonly screen: string;
}

/** `text` as one word a POSIX shell reads back unchanged. */
const shellWord = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * Runs `tessera <args>` with a terminal as its standard input and output
 * (through `script`), typing each of `keystrokes` once the screen shows
 * what it waits for, as a person at the prompt would. `script -e` exits
 * with the command's status (128 + n when a signal ended it).
 */
export function runInTerminal(
  args: readonly string[],
  env: Record<string, string>,
  keystrokes: readonly Keystrokes[],
  { cwd, timeoutMs = 30_000 }: { readonly cwd?: string; readonly timeoutMs?: number } = {},
): Promise<TerminalResult> {
  const command = [process.execPath, TESSERA_BIN, ...args].map(shellWord).join(" ");
  const child = spawn("script", ["-qec", command, "/dev/null"], {
    env: childEnv(env),
    stdio: ["pipe", "pipe", "pipe"],
    ...(cwd === undefined ? {} : { cwd }),
  });
  let screen = "";
  let unread = "";
  let next = 0;
  const typeWhenAsked = () => {
    for (let step = keystrokes[next]; step !== undefined; step = keystrokes[next]) {
      const at = unread.indexOf(step.after);
      if (at === -1) {
        return;
      }
      unread = unread.slice(at + step.after.length);
      child.stdin.write(step.type);
      next += 1;
    }
  };
  child.stdout.on("data", (chunk: Buffer) => {
    screen += chunk.toString("utf8");
    unread += chunk.toString("utf8");
    typeWhenAsked();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tessera ${args.join(" ")} did not end at the terminal:\n${screen}`));
    }, timeoutMs);
    child.once("close", (status) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ status, screen: screen.replaceAll("\r\n", "\n") });
    });
  });
}
