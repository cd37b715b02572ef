import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { type CliResult, runCli, type ServerProcess, startServerProcess } from "./processes.js";

/** The password of the admin every {@link startRemoteCli} deployment has. */
export const REMOTE_ADMIN_PASSWORD = "remote-admin-password-1";

/**
 * A running server and a CLI logged in to it (`tessera login`) as its
 * admin `root`: every command {@link RemoteCli.run} runs acts through the
 * admin API, from a directory with no data dir and with no
 * `TESSERA_DATA_DIR`, so a command that fell back to local mode would fail.
 * {@link RemoteCli.local} runs one on the server's data dir directly, to
 * compare.
 */
export interface RemoteCli {
  readonly server: ServerProcess;
  readonly dataDir: string;
  /** The CLI's settings directory, holding the login. */
  readonly configDir: string;
  /** The environment of a remote command. */
  readonly env: Record<string, string>;
  run(args: string[], input?: string): CliResult;
  /** Runs with `--json`, expects success, and parses standard output. */
  json<T>(args: string[], input?: string): T;
  /** Runs on the data dir directly (local mode). */
  local(args: string[], input?: string): CliResult;
  /** {@link local} with `--json`, expecting success. */
  localJson<T>(args: string[], input?: string): T;
  stop(): Promise<void>;
}

/** Starts a server on a new data dir, adds the admin `root`, and logs the CLI in as root. */
export async function startRemoteCli(settings: Record<string, string> = {}): Promise<RemoteCli> {
  const dataDir = mkdtempSync(join(tmpdir(), "tessera-remote-"));
  const configDir = mkdtempSync(join(tmpdir(), "tessera-remote-config-"));
  const cwd = mkdtempSync(join(tmpdir(), "tessera-remote-cwd-"));
  const localEnv = { ...settings, TESSERA_DATA_DIR: dataDir };
  const server = await startServerProcess(localEnv);
  const env = { TESSERA_CONFIG_DIR: configDir };
  const succeed = (result: CliResult) => {
    expect(result.status, `${result.stderr}${result.stdout}`).toBe(0);
    return result;
  };
  succeed(
    runCli(
      ["user", "add", "root", "--admin", "--password-stdin"],
      localEnv,
      `${REMOTE_ADMIN_PASSWORD}\n`,
    ),
  );
  succeed(
    runCli(
      ["login", "--server", server.url, "--username", "root", "--password-stdin"],
      env,
      `${REMOTE_ADMIN_PASSWORD}\n`,
      { cwd },
    ),
  );
  const run = (args: string[], input?: string) => runCli(args, env, input, { cwd });
  const local = (args: string[], input?: string) => runCli(args, localEnv, input);
  return {
    server,
    dataDir,
    configDir,
    env,
    run,
    json: <T>(args: string[], input?: string) =>
      JSON.parse(succeed(run([...args, "--json"], input)).stdout) as T,
    local,
    localJson: <T>(args: string[], input?: string) =>
      JSON.parse(succeed(local([...args, "--json"], input)).stdout) as T,
    stop: async () => {
      await server.stop();
    },
  };
}
