import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CliResult, runCli } from "./processes.js";
import { dropTestSchema, newTestSchema, POSTGRES_URL } from "./services.js";

/**
 * One Tessera deployment for end-to-end tests: a fresh PostgreSQL schema and
 * one master key, shared by every process started from it, each process in
 * a data dir of its own. On SQLite the processes share one data dir instead,
 * since it holds the database.
 */
export interface Deployment {
  /** The schema every instance shares; undefined on SQLite. */
  readonly schema: string | undefined;
  /** Environment for one more server process: the shared settings and a fresh data dir. */
  serverEnv(extra?: Record<string, string>): Record<string, string>;
  /**
   * Runs the CLI against the deployment (in a data dir of its own), without
   * `serverEnv`; the first call runs `init` before it.
   */
  cli(args: string[], input?: string): CliResult;
  /** Creates an API key and returns it. */
  createApiKey(): string;
  /** Adds an active user with this password. */
  addUser(username: string, password: string): void;
  /** Drops the schema and removes every data dir. */
  cleanup(): Promise<void>;
}

export interface DeploymentOptions {
  /** `postgres` (default) or `sqlite`, where every instance must share the one data dir. */
  readonly store?: "postgres" | "sqlite";
  /** Settings every process gets, servers and CLI. */
  readonly env?: Record<string, string>;
  /**
   * Settings only servers get: a proxy in front of PostgreSQL or Redis. The
   * CLI runs synchronously, blocking this process and any proxy in it, so it
   * always connects directly.
   */
  readonly serverEnv?: Record<string, string>;
}

/** Creates a {@link Deployment}. */
export function newDeployment(options: DeploymentOptions = {}): Deployment {
  const store = options.store ?? "postgres";
  const schema = store === "postgres" ? newTestSchema() : undefined;
  const dirs: string[] = [];
  const sharedDir = store === "sqlite" ? mkdtempSync(join(tmpdir(), "tessera-e2e-")) : undefined;
  if (sharedDir !== undefined) {
    dirs.push(sharedDir);
  }
  const shared: Record<string, string> = {
    TESSERA_MASTER_KEY: randomBytes(32).toString("base64"),
    TESSERA_LOG_LEVEL: "info",
    ...(schema === undefined
      ? {}
      : { TESSERA_DATABASE_URL: POSTGRES_URL, TESSERA_DATABASE_SCHEMA: schema }),
    ...options.env,
  };
  const withDataDir = (env: Record<string, string>) => {
    let dataDir = sharedDir;
    if (dataDir === undefined) {
      dataDir = mkdtempSync(join(tmpdir(), "tessera-e2e-"));
      dirs.push(dataDir);
    }
    return { ...env, TESSERA_DATA_DIR: dataDir };
  };
  const serverEnv = (extra: Record<string, string> = {}) =>
    withDataDir({ ...shared, ...options.serverEnv, ...extra });
  let cliEnv: Record<string, string> | undefined;
  const cli = (args: string[], input?: string) => {
    if (cliEnv === undefined) {
      cliEnv = withDataDir(shared);
      // As an operator would first: only init (or serve) creates a deployment.
      const init = runCli(["init"], cliEnv);
      if (init.status !== 0) {
        throw new Error(`init failed (${init.status}): ${init.stderr}`);
      }
    }
    return runCli(args, cliEnv, input);
  };
  const expectOk = (result: CliResult, what: string) => {
    if (result.status !== 0) {
      throw new Error(`${what} failed (${result.status}): ${result.stderr}`);
    }
    return result;
  };
  return {
    schema,
    serverEnv,
    cli,
    createApiKey: () =>
      (
        JSON.parse(expectOk(cli(["apikey", "create", "--json"]), "apikey create").stdout) as {
          key: string;
        }
      ).key,
    addUser: (username, password) => {
      expectOk(cli(["user", "add", username, "--password-stdin"], `${password}\n`), "user add");
    },
    cleanup: async () => {
      for (const dir of dirs) {
        rmSync(dir, { recursive: true, force: true });
      }
      if (schema !== undefined) {
        await dropTestSchema(schema);
      }
    },
  };
}

/** A response, its body parsed. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** The session fields of a `POST /auth/token` answer. */
export interface SessionTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly authorization: string;
}

/** Calls the session API of one instance with one API key. */
export class SessionClient {
  constructor(
    readonly url: string,
    readonly apiKey: string,
    /** Extra headers on every request (an `X-Forwarded-For` to pose as a client IP). */
    readonly headers: Record<string, string> = {},
  ) {}

  /** Sends JSON; a request that gets no answer at all resolves with status 0. */
  async send(
    method: "POST" | "DELETE",
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          "content-type": "application/json",
          "x-api-key": this.apiKey,
          ...this.headers,
          ...headers,
        },
        body: JSON.stringify(body),
      });
    } catch (error) {
      // No answer at all (the process died): status 0, so a test reports it as an answer.
      const cause = (error as { cause?: { code?: unknown } }).cause;
      return { status: 0, headers: new Headers(), body: { error: String(cause?.code ?? error) } };
    }
    const text = await response.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { raw: text };
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  login(username: string, password: string, headers?: Record<string, string>) {
    return this.send("POST", "/auth/token", { username, password }, headers);
  }

  refresh(refreshToken: string) {
    return this.send("POST", "/auth/token", { session: { refreshToken } });
  }

  revoke(refreshToken: string) {
    return this.send("DELETE", "/auth/token", { session: { refreshToken } });
  }
}

/** The tokens of a 200 answer from `POST /auth/token`. */
export function tokensOf(response: ApiResponse): SessionTokens {
  if (response.status !== 200) {
    throw new Error(`expected 200, got ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body.session as SessionTokens;
}

/** `GET /readyz`: its status and body. */
export async function readiness(url: string): Promise<ApiResponse> {
  const response = await fetch(`${url}/readyz`);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

/**
 * Polls `check` every 100 ms until it returns true or `timeoutMs` passes;
 * returns whether it did. For waiting on another process, never on a clock.
 */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) {
        return true;
      }
    } catch {
      // Not yet: the process may be refusing connections.
    }
    if (Date.now() > deadline) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
