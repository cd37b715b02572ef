import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The `tessera` executable of this repository's server package: the SDK's
 * suites run against a real `tessera serve`, never a stand-in.
 */
const TESSERA_BIN = fileURLToPath(new URL("../../../server/bin/tessera.js", import.meta.url));

/** What a child needs of this process's environment to run Node at all. */
const INHERITED = ["PATH", "HOME", "TMPDIR", "NODE_OPTIONS", "NODE_V8_COVERAGE"] as const;

function childEnv(settings: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) {
      env[name] = value;
    }
  }
  return { ...env, ...settings };
}

/** A running `tessera serve` on its own data dir, and its CLI on the same dir. */
export interface Tessera {
  /** Where it listens, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly dataDir: string;
  /** The issuer of the default tenant. */
  readonly issuer: string;
  /** Runs one `tessera` command on the server's data dir; throws unless it exits 0. */
  cli(args: readonly string[], input?: string): string;
  /** Runs one `tessera` command and parses its `--json` output. */
  cliJson<T>(args: readonly string[], input?: string): T;
  /** Everything the server printed so far. */
  output(): string;
  /**
   * Stops the server and starts it again on the same data dir, port and
   * master key, as a deploy would: it reads its keyring afresh, so a
   * `tessera keys rotate` shows at once instead of within 30 seconds.
   */
  restart(): Promise<void>;
  /** Stops the server and removes its data dir. */
  stop(): Promise<void>;
}

/**
 * Starts `tessera serve` on a free port of 127.0.0.1 with a fresh SQLite
 * data dir. `settings` are extra `TESSERA_*` variables.
 */
export async function startTessera(settings: Record<string, string> = {}): Promise<Tessera> {
  const dataDir = mkdtempSync(join(tmpdir(), "tessera-sdk-"));
  // A port known before the start, so the public URL (and every issuer) is the real address.
  const port = await freePort();
  const env = {
    TESSERA_DATA_DIR: dataDir,
    TESSERA_MASTER_KEY: randomBytes(32).toString("base64"),
    TESSERA_HOST: "127.0.0.1",
    TESSERA_PORT: String(port),
    TESSERA_LOG_LEVEL: "warn",
    ...settings,
  };
  let output = "";
  const launch = async () => {
    const child = spawn(process.execPath, [TESSERA_BIN, "serve"], {
      env: childEnv({ ...env, TESSERA_LOG_LEVEL: "info" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const collect = (chunk: Buffer) => {
      output += chunk.toString("utf8");
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const closed = new Promise<void>((resolve) => {
      child.once("close", () => resolve());
    });
    // Only what this process prints is searched for its address.
    const from = output.length;
    const url = await listeningUrl(child, () => output.slice(from));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
      }
      await closed;
    };
    return { url, stop };
  };
  let running = await launch();
  const url = running.url;
  const cli = (args: readonly string[], input?: string) => {
    const result = spawnSync(process.execPath, [TESSERA_BIN, ...args], {
      env: childEnv(env),
      input: input ?? "",
      encoding: "utf8",
      timeout: 60_000,
    });
    if (result.status !== 0) {
      throw new Error(`tessera ${args.join(" ")} exited with ${result.status}:\n${result.stderr}`);
    }
    return result.stdout;
  };
  return {
    url,
    dataDir,
    issuer: `${settings.TESSERA_PUBLIC_URL ?? url}/tenants/default`,
    cli,
    cliJson: <T>(args: readonly string[], input?: string) =>
      JSON.parse(cli([...args, "--json"], input)) as T,
    output: () => output,
    restart: async () => {
      await running.stop();
      running = await launch();
    },
    stop: async () => {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function listeningUrl(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`tessera did not start:\n${output()}`)),
      30_000,
    );
    const look = () => {
      const match = /Tessera is listening on (http:\/\/\S+)/.exec(output());
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", look);
    child.stderr?.on("data", look);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`tessera exited with ${code}:\n${output()}`));
    });
  });
}
