import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { openSync, readFileSync, writeFileSync } from "node:fs";

/** A server process the benchmark started, and what it printed. */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Starts a fresh peak-memory window (see {@link peakRssBytes}). */
  resetPeakRss(): void;
  /** The largest resident set since the last {@link resetPeakRss}, in bytes. */
  peakRssBytes(): number;
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` with `env` (and nothing of this process's `TESSERA_*`
 * settings), its output appended to `logFile`, and waits until it prints
 * `<word> is listening on <url>`.
 */
export async function startServer(options: {
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly logFile: string;
  readonly nodeOptions?: readonly string[];
}): Promise<ServerProcess> {
  const log = openSync(options.logFile, "a");
  const child = spawn(process.execPath, [...(options.nodeOptions ?? []), ...options.args], {
    env: { ...cleanEnv(), ...options.env },
    stdio: ["ignore", log, "pipe"],
  });
  let printed = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${printed}`)), 60_000);
    child.stderr?.on("data", (chunk: Buffer) => {
      printed += chunk.toString("utf8");
      const match = /is listening on (http:\/\/\S+)/.exec(printed);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${printed}`));
    });
  });
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error("server has no pid");
  }
  const memory = new PeakMemory(pid);
  return {
    url,
    pid,
    resetPeakRss: () => memory.reset(),
    peakRssBytes: () => memory.peak(),
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * A process's peak resident set over a window. Linux keeps the peak itself
 * (`VmHWM`) and lets its owner reset it (`clear_refs` 5); where that is not
 * allowed, the current size is sampled every 50 ms instead.
 */
class PeakMemory {
  #sampled = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #resettable: boolean;

  constructor(private readonly pid: number) {
    this.#resettable = this.#tryReset();
    if (!this.#resettable) {
      this.#timer = setInterval(() => {
        this.#sampled = Math.max(this.#sampled, this.#status("VmRSS"));
      }, 50);
      this.#timer.unref();
    }
  }

  reset(): void {
    this.#sampled = 0;
    if (this.#resettable) {
      this.#tryReset();
    }
  }

  peak(): number {
    return this.#resettable
      ? this.#status("VmHWM")
      : Math.max(this.#sampled, this.#status("VmRSS"));
  }

  #tryReset(): boolean {
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, "5");
      return true;
    } catch {
      return false;
    }
  }

  #status(field: "VmHWM" | "VmRSS"): number {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
      const kib = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1];
      return kib === undefined ? 0 : Number(kib) * 1024;
    } catch {
      return 0;
    }
  }
}

/** Runs `node <args>` to completion and returns its standard output; throws on failure. */
export function runNode(args: readonly string[], env: Record<string, string>, input = ""): string {
  const result = spawnSync(process.execPath, args, {
    env: { ...cleanEnv(), ...env },
    input,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (result.status !== 0) {
    throw new Error(`node ${args.join(" ")} failed (${result.status}): ${result.stderr}`);
  }
  return result.stdout;
}

/** This process's environment without any Tessera setting, so each run says all of its own. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith("TESSERA_") && name !== "PORT" && name !== "HOST") {
      env[name] = value;
    }
  }
  return env;
}
