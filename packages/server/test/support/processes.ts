import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The `tessera` executable as `npm install` links it, unless
 * `TESSERA_TEST_BIN` names another build to run the end-to-end suites on.
 */
export const TESSERA_BIN =
  process.env.TESSERA_TEST_BIN ?? fileURLToPath(new URL("../../bin/tessera.js", import.meta.url));

/** What a child needs of this process's environment to run Node at all (and coverage, if on). */
const INHERITED = ["PATH", "HOME", "TMPDIR", "NODE_OPTIONS", "NODE_V8_COVERAGE"] as const;

/**
 * The CLI's settings directory of every child that names none: empty, and
 * this test process's own, so a login stored in the home directory (or by
 * another suite) never turns a local command into a remote one.
 */
const NO_LOGINS = mkdtempSync(join(tmpdir(), "tessera-no-logins-"));

/**
 * The whole environment of a `tessera` child: {@link INHERITED} and exactly
 * the settings the test names. Nothing else of the environment the tests run
 * in reaches it, so a `TESSERA_DATABASE_URL`, log level or `NODE_ENV` that a
 * developer's shell exports cannot change what a suite runs, nor a login
 * `tessera login` stored in the home directory.
 */
export function childEnv(settings: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { TESSERA_CONFIG_DIR: NO_LOGINS };
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) {
      env[name] = value;
    }
  }
  return { ...env, ...settings };
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one `tessera` command to completion, with `env` as its only settings,
 * in `cwd` (this process's directory unless given).
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  input?: string,
  { cwd }: { readonly cwd?: string } = {},
): CliResult {
  const result = spawnSync(process.execPath, [TESSERA_BIN, ...args], {
    env: childEnv(env),
    ...(cwd === undefined ? {} : { cwd }),
    input: input ?? "",
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A `tessera serve` process and everything it printed. */
export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /**
   * What it printed so far. The server writes its log asynchronously, so
   * only after {@link ServerProcess.stop} is this all of it.
   */
  output(): string;
  /** Stops it (SIGTERM) and resolves once it exited and all it printed was read. */
  stop(): Promise<number | null>;
}

/**
 * Starts `tessera serve` (with `args`, in `cwd` if given) on a free port,
 * with `env` as its only settings, and waits until it says where it listens.
 */
export async function startServerProcess(
  env: Record<string, string>,
  { args = [], cwd }: { readonly args?: readonly string[]; readonly cwd?: string } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [TESSERA_BIN, "serve", ...args], {
    env: childEnv({ TESSERA_PORT: "0", ...env }),
    stdio: ["ignore", "pipe", "pipe"],
    ...(cwd === undefined ? {} : { cwd }),
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const look = () => {
      const match = /Tessera is listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  // 'close' comes after 'exit' once the process's output streams are drained too.
  const closed = new Promise<number | null>((resolve) => {
    child.once("close", (code) => resolve(code));
  });
  return {
    url,
    child,
    output: () => output,
    stop: () => {
      // A process killed by a signal has no exit code, only a signal code.
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
      }
      return closed;
    },
  };
}

/** A request that a server's JSON log records as completed. */
export interface LoggedRequest {
  readonly method: string;
  readonly url: string;
  readonly statusCode: number;
}

/** The `request completed` lines of a server's output, in order. */
export function completedRequests(output: string): LoggedRequest[] {
  const requests: LoggedRequest[] = [];
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) {
      continue;
    }
    let entry: {
      msg?: unknown;
      req?: { method?: unknown; url?: unknown };
      res?: { statusCode?: unknown };
    };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue; // not a log line
    }
    const { method, url } = entry.req ?? {};
    const statusCode = entry.res?.statusCode;
    if (
      entry.msg === "request completed" &&
      typeof method === "string" &&
      typeof url === "string" &&
      typeof statusCode === "number"
    ) {
      requests.push({ method, url, statusCode });
    }
  }
  return requests;
}

/**
 * Of the requests a test sent (`"POST /auth/token"`), those the server's
 * output does not record as completed; each logged request accounts for one
 * sent. Empty when the log holds every one, so a secret scan of that output
 * is known to have read the lines where a secret would have leaked.
 */
export function requestsMissingFromLog(output: string, sent: readonly string[]): string[] {
  const logged = completedRequests(output).map(({ method, url }) => `${method} ${url}`);
  return sent.filter((request) => {
    const at = logged.indexOf(request);
    if (at === -1) {
      return true;
    }
    logged.splice(at, 1);
    return false;
  });
}
