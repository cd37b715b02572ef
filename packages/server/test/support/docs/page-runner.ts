import { type ChildProcess, type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TESSERA_BIN } from "../processes.js";
import type { Capture, Page } from "./markdown.js";

/** The port every page is written for; the test serves on a free one instead. */
export const DOCUMENTED_PORT = 8080;
/** Where the pages say the data lives; the test's own directory is shown as this. */
export const DOCUMENTED_ROOT = "/srv/tessera";

const REPOSITORY_NODE_MODULES = fileURLToPath(
  new URL("../../../../../node_modules", import.meta.url),
);
const DONE = "__DOCS_TEST_DONE__";

/** What one block did. */
export interface BlockResult {
  readonly output: string;
  readonly status: number;
  /** The commands of the block that failed (non-zero status), in order. */
  readonly failedCommands: readonly string[];
}

/** The running server of a page. */
interface PageServer {
  readonly child: ChildProcess;
  readonly port: number;
  readonly banner: string;
}

/**
 * Stands for the reader of one page: a fresh directory (the page's data dir is
 * `./data` in it), one shell that keeps its variables from block to block as a
 * terminal does, and the server the page starts. The environment is explicit:
 * nothing of the test's own environment but `PATH` reaches the commands.
 */
export class PageRunner {
  readonly directory: string;
  readonly env: Readonly<Record<string, string>>;
  readonly #shell: ChildProcessWithoutNullStreams;
  readonly #literals = new Map<string, string>();
  #server: PageServer | undefined;
  #stdout = "";
  #blocks = 0;
  #hung = false;

  private constructor(page: Page) {
    this.directory = mkdtempSync(join(tmpdir(), "tessera-docs-"));
    mkdirSync(join(this.directory, ".docs-test"));
    symlinkSync(REPOSITORY_NODE_MODULES, join(this.directory, "node_modules"));
    for (const [name, content] of page.files) {
      writeFileSync(join(this.directory, name), content);
    }
    this.env = {
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
      HOME: this.directory,
      LANG: "C.UTF-8",
      TESSERA_DATA_DIR: join(this.directory, "data"),
    };
    // Its own process group, so that a block that hangs can be stopped with all it started.
    this.#shell = spawn("bash", ["--noprofile", "--norc"], {
      cwd: this.directory,
      detached: true,
      env: {
        ...this.env,
        DOCS_TEST_TESSERA_BIN: TESSERA_BIN,
        DOCS_TEST_ERRORS: join(this.directory, ".docs-test", "failed"),
      },
    });
    this.#shell.stdout.on("data", (chunk: Buffer) => {
      this.#stdout += chunk.toString("utf8");
    });
    this.#shell.stdin.write(
      [
        // `npx tessera-auth` is the built CLI of this checkout; nothing else is fetched. Plain
        // `npx tessera` is refused: outside a checkout it runs an unrelated npm package.
        'npx() { if [ "$1 $2" = "tessera-auth serve" ]; then echo "docs test: a block that starts the server needs <!-- docs-test: server -->" >&2; return 127; elif [ "$1" = tessera-auth ]; then shift; node "$DOCS_TEST_TESSERA_BIN" "$@"; elif [ "$1" = tessera ]; then echo "docs test: write npx tessera-auth (npx tessera outside this checkout runs another npm package)" >&2; return 127; else echo "docs test: only npx tessera-auth runs here" >&2; return 127; fi; }',
        'npm() { echo "docs test: npm does not run here; mark the block (docs-test: server or skip)" >&2; return 127; }',
        `trap 'printf "%s\\n" "$BASH_COMMAND" >> "$DOCS_TEST_ERRORS"' ERR`,
        "",
      ].join("\n"),
    );
  }

  /** Opens a fresh directory and shell for a page. */
  static open(page: Page): PageRunner {
    return new PageRunner(page);
  }

  /** The page's text with its literals replaced by the values they stand for. */
  #substitute(code: string): string {
    let text = code;
    const literals = [...this.#literals].sort(([a], [b]) => b.length - a.length);
    for (const [literal, value] of literals) {
      text = text.split(literal).join(value);
    }
    if (this.#server !== undefined) {
      text = text.split(`127.0.0.1:${DOCUMENTED_PORT}`).join(`127.0.0.1:${this.#server.port}`);
    } else if (text.includes(`:${DOCUMENTED_PORT}`)) {
      throw new Error(
        "this block calls the server, but no block before it started one (docs-test: server)",
      );
    }
    return text;
  }

  /** Output as the page shows it: the page's port and directory instead of the test's. */
  presentable(output: string): string {
    let text = output.split(this.directory).join(DOCUMENTED_ROOT);
    if (this.#server !== undefined) {
      text = text.split(`127.0.0.1:${this.#server.port}`).join(`127.0.0.1:${DOCUMENTED_PORT}`);
    }
    return text;
  }

  /** Runs one block in the page's shell and returns what it printed. */
  async run(code: string, timeoutMs = 50_000): Promise<BlockResult> {
    if (this.#hung) {
      throw new Error("an earlier block of this page did not finish, so this one cannot run");
    }
    this.#blocks += 1;
    const script = join(this.directory, ".docs-test", `block-${this.#blocks}.sh`);
    const output = join(this.directory, ".docs-test", `block-${this.#blocks}.out`);
    const failed = join(this.directory, ".docs-test", "failed");
    writeFileSync(script, `${this.#substitute(code)}\n`);
    writeFileSync(failed, "");
    const start = this.#stdout.length;
    this.#shell.stdin.write(
      `source '${script}' > '${output}' 2>&1 < /dev/null; printf '\\n${DONE} %s\\n' "$?"\n`,
    );
    const status = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#shell.stdout.off("data", look);
        this.#hung = true;
        this.#killShell();
        reject(new Error(`the block did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      const look = () => {
        const match = new RegExp(`${DONE} (\\d+)\\n`).exec(this.#stdout.slice(start));
        if (match !== null) {
          clearTimeout(timer);
          this.#shell.stdout.off("data", look);
          resolve(Number(match[1]));
        }
      };
      this.#shell.stdout.on("data", look);
      look();
    });
    const failedCommands = readFileSync(failed, "utf8").split("\n").filter(Boolean);
    return { output: readFileSync(output, "utf8"), status, failedCommands };
  }

  /** Makes each literal stand, in later blocks, for what its pattern matched in `output`. */
  capture(captures: readonly Capture[], output: string): void {
    for (const { literal, pattern } of captures) {
      const match = pattern.exec(output);
      if (match === null) {
        throw new Error(`capture ${literal}: ${pattern} matched nothing in the output`);
      }
      this.#literals.set(literal, match[1] ?? match[0]);
    }
  }

  /**
   * Starts `tessera serve` as the page's server block would, with the block's
   * settings, on a free port; returns what it printed on standard error.
   */
  async startServer(settings: Readonly<Record<string, string>>): Promise<string> {
    if (this.#server !== undefined) {
      throw new Error("the page starts a second server");
    }
    const child = spawn(process.execPath, [TESSERA_BIN, "serve"], {
      cwd: this.directory,
      // Loopback only, on a free port, whatever the page's settings say.
      env: { ...this.env, ...settings, TESSERA_HOST: "127.0.0.1", TESSERA_PORT: "0" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    const banner = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the server did not start:\n${stderr}`)),
        50_000,
      );
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
        // The banner's last line; the banner is written at once.
        if (/ apikey create.*\n/.test(stderr)) {
          clearTimeout(timer);
          resolve(stderr);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited with ${code}:\n${stderr}`));
      });
    });
    const port = Number(/listening on http:\/\/[^:]+:(\d+)/.exec(banner)?.[1]);
    this.#server = { child, port, banner };
    return this.presentable(banner);
  }

  /** Stops the shell and whatever it runs. */
  #killShell(): void {
    const pid = this.#shell.pid;
    if (pid !== undefined && this.#shell.exitCode === null && this.#shell.signalCode === null) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }

  /** Stops the server and the shell, and deletes the page's directory. */
  async close(): Promise<void> {
    const server = this.#server?.child;
    if (server !== undefined && server.exitCode === null && server.signalCode === null) {
      await new Promise((resolve) => {
        server.once("exit", resolve);
        server.kill("SIGTERM");
      });
    }
    this.#shell.stdin.end();
    this.#killShell();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
