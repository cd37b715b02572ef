import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runNode, type ServerProcess, startServer } from "./processes.js";

/** The `tessera` executable, as `npm install` builds it. */
export const TESSERA_BIN = fileURLToPath(new URL("../../server/bin/tessera.js", import.meta.url));

/** Where a deployment keeps its data. */
export type StoreKind =
  | { readonly kind: "sqlite" }
  | { readonly kind: "postgres"; readonly url: string; readonly redisUrl: string | undefined };

/** The tenant whose refresh policy is `rotate` (the default tenant's is `none`). */
export const ROTATING_TENANT = "rotating";
export const BENCH_USER = "bench-user";
export const BENCH_ADMIN = "bench-admin";

/**
 * One Tessera deployment set up as an operator would: production settings, a
 * master key from the environment, a fresh data dir (or PostgreSQL schema),
 * users, API keys and clients made with the CLI. The token API's request
 * budgets, and the client authentication failure budgets (which count
 * authentications in flight), are raised past what the load generator
 * sends (they exist to stop abuse, and would otherwise answer 429 here);
 * every other setting is the default.
 */
export class Deployment {
  readonly password = randomBytes(18).toString("base64url");
  readonly adminPassword = randomBytes(18).toString("base64url");
  readonly #dataDir = mkdtempSync(join(tmpdir(), "tessera-bench-"));
  readonly #schema: string | undefined;
  readonly #env: Record<string, string>;

  constructor(
    readonly store: StoreKind,
    extraEnv: Record<string, string> = {},
  ) {
    this.#schema =
      store.kind === "postgres" ? `tessera_bench_${randomBytes(4).toString("hex")}` : undefined;
    this.#env = {
      TESSERA_ENV: "production",
      TESSERA_MASTER_KEY: randomBytes(32).toString("base64"),
      TESSERA_DATA_DIR: this.#dataDir,
      TESSERA_HOST: "127.0.0.1",
      TESSERA_PORT: "0",
      TESSERA_LOG_LEVEL: "info",
      TESSERA_ADMIN_USERNAME: BENCH_ADMIN,
      TESSERA_ADMIN_PASSWORD: this.adminPassword,
      TESSERA_TOKEN_API_REQUESTS_PER_MINUTE_PER_CLIENT: "1000000",
      TESSERA_TOKEN_API_REQUESTS_PER_MINUTE_PER_IP: "1000000",
      // The password scenarios send one user's logins 32 at once, each from its
      // own address (X-Forwarded-For): every login in flight counts against the
      // user until it succeeds.
      TESSERA_TRUST_PROXY: "true",
      TESSERA_LOGIN_MAX_FAILURES_PER_USER: "1000000",
      ...(store.kind === "postgres"
        ? {
            TESSERA_DATABASE_URL: store.url,
            TESSERA_DATABASE_SCHEMA: this.#schema ?? "",
            ...(store.redisUrl === undefined ? {} : { TESSERA_REDIS_URL: store.redisUrl }),
          }
        : {}),
      ...extraEnv,
    };
  }

  /** The SQLite file, or the PostgreSQL schema, the server works on. */
  get database(): { readonly sqlitePath: string } | { readonly schema: string } {
    return this.#schema === undefined
      ? { sqlitePath: join(this.#dataDir, "tessera.db") }
      : { schema: this.#schema };
  }

  /** Runs `tessera <args>` against this deployment and returns its JSON output. */
  cli(args: readonly string[], input?: string): unknown {
    const out = runNode([TESSERA_BIN, ...args, "--json"], this.#env, input);
    return JSON.parse(out) as unknown;
  }

  /**
   * Makes what every scenario needs: a user in the default tenant (refresh
   * policy `none`) and one in a `rotate` tenant, an API key for each, a
   * token API client with a secret, and two OAuth clients in the default
   * tenant: a service getting its own tokens (`client_credentials` with
   * `client_secret_basic`) and a gateway that introspects any token of the
   * tenant (`tokens:admin`).
   */
  provision(): Provisioned {
    // Only init (or serve) creates a deployment; provisioning comes before the first serve.
    this.cli(["init"]);
    this.cli(["tenant", "create", ROTATING_TENANT, "--refresh-policy", "rotate"]);
    this.cli(["user", "add", BENCH_USER, "--password-stdin"], `${this.password}\n`);
    this.cli(
      ["user", "add", BENCH_USER, "--password-stdin", "--tenant", ROTATING_TENANT],
      `${this.password}\n`,
    );
    const apiKey = (this.cli(["apikey", "create"]) as { key: string }).key;
    const rotatingApiKey = (
      this.cli(["apikey", "create", "--tenant", ROTATING_TENANT]) as { key: string }
    ).key;
    const client = this.cli(["client", "add", "bench-bot", "--scopes", "tokens:write"]) as {
      id: string;
      clientSecret: string;
    };
    const service = this.cli([
      "client",
      "add",
      "bench-service",
      "--grant-types",
      "client_credentials",
      "--auth-method",
      "client_secret_basic",
      "--scopes",
      "reports:read",
    ]) as { id: string; clientSecret: string };
    const gateway = this.cli([
      "client",
      "add",
      "bench-gateway",
      "--grant-types",
      "client_credentials",
      "--scopes",
      "tokens:admin",
    ]) as { id: string; clientSecret: string };
    return {
      apiKey,
      rotatingApiKey,
      clientId: client.id,
      clientSecret: client.clientSecret,
      service: { id: service.id, secret: service.clientSecret },
      gateway: { id: gateway.id, secret: gateway.clientSecret },
    };
  }

  /** Starts `tessera serve`, its log in the data dir; `nodeOptions` such as `--cpu-prof`. */
  serve(nodeOptions: readonly string[] = []): Promise<ServerProcess> {
    return startServer({
      args: [TESSERA_BIN, "serve"],
      env: this.#env,
      logFile: join(this.#dataDir, "server.log"),
      nodeOptions,
    });
  }

  /** Removes the data dir (the caller drops a PostgreSQL schema, having the connection). */
  remove(): void {
    rmSync(this.#dataDir, { recursive: true, force: true });
  }
}

/** The credentials {@link Deployment.provision} made. */
export interface Provisioned {
  readonly apiKey: string;
  readonly rotatingApiKey: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** An OAuth client with a secret that gets its own tokens (`client_credentials`). */
  readonly service: OAuthClientCredentials;
  /** An OAuth client with `tokens:admin`, which introspects any token of the default tenant. */
  readonly gateway: OAuthClientCredentials;
}

/** An OAuth client's id and secret, as `client_secret_basic` sends them. */
export interface OAuthClientCredentials {
  readonly id: string;
  readonly secret: string;
}
