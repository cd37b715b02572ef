import { type Config, loadConfig } from "../config/config.js";
import { describeDatabase, type MissingDeploymentError } from "../runtime/runtime.js";
import { CliError, usageError } from "./errors.js";
import {
  CredentialStore,
  type LoginKind,
  normaliseServer,
  type StoredLogin,
} from "./remote/credentials.js";

/** What the command line says about where to act (`--data-dir`, `--server`). */
export interface DeploymentChoice {
  readonly dataDir?: string;
  readonly server?: string;
}

/**
 * A deployment opened directly: a data dir (and, with
 * `TESSERA_DATABASE_URL`, a PostgreSQL database), with the configuration
 * `serve` reads.
 */
export interface LocalDeployment {
  readonly kind: "local";
  readonly config: Config;
}

/** A running server, reached through its admin API with a stored login (`tessera login`). */
export interface RemoteDeployment {
  readonly kind: "remote";
  readonly login: StoredLogin;
  readonly store: CredentialStore;
}

/** Every kind of deployment a command can act on. */
export type Deployment = LocalDeployment | RemoteDeployment;

/** A deployment as `--json` shows it, under `deployment`. */
export type DeploymentView =
  | {
      readonly dataDir: string;
      /** The SQLite file, or the PostgreSQL URL without its password. */
      readonly database: string;
      /** The PostgreSQL schema, when one is configured. */
      readonly schema?: string;
    }
  | {
      readonly server: string;
      readonly tenant: string;
      /** Who the login is: `{kind: "user", name: username}` or `{kind: "client", name: client id}`. */
      readonly as: { readonly kind: LoginKind; readonly name: string };
    };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Which deployment a command acts on, in order: `--server` or `--data-dir`
 * on the command line, then `TESSERA_SERVER`, then the latest stored login
 * (`tessera login`), then the local deployment `serve` reads
 * (`TESSERA_DATA_DIR`, else `./data`; `TESSERA_DATABASE_URL`).
 *
 * @param env the environment (normally `process.env`).
 */
export function resolveDeployment(choice: DeploymentChoice, env: Env = process.env): Deployment {
  if (choice.server !== undefined && choice.dataDir !== undefined) {
    throw usageError("give --server or --data-dir, not both");
  }
  if (choice.dataDir !== undefined) {
    return resolveLocalDeployment(choice, env);
  }
  const store = CredentialStore.of(env);
  const named = choice.server ?? (env.TESSERA_SERVER === "" ? undefined : env.TESSERA_SERVER);
  if (named !== undefined) {
    const server = normaliseServer(
      named,
      choice.server === undefined ? "TESSERA_SERVER" : "--server",
    );
    const login = store.get(server);
    if (login === undefined) {
      throw new CliError(
        "not_logged_in",
        `Not logged in to ${server}: run tessera login --server ${server}`,
      );
    }
    return { kind: "remote", login, store };
  }
  const current = store.current();
  return current === undefined
    ? resolveLocalDeployment(choice, env)
    : { kind: "remote", login: current, store };
}

/**
 * The local deployment: `--data-dir` on the command line, then the
 * configuration `serve` reads. What `init`, `serve` and `migrate` act on,
 * whatever login is stored.
 *
 * @param env the environment (normally `process.env`), with any setting a
 *   command overrides (`serve --port`) already applied.
 */
export function resolveLocalDeployment(
  choice: DeploymentChoice,
  env: Env = process.env,
): LocalDeployment {
  if (choice.dataDir !== undefined) {
    if (choice.dataDir.trim() === "") {
      throw usageError("--data-dir must name a directory");
    }
    return { kind: "local", config: loadConfig({ ...env, TESSERA_DATA_DIR: choice.dataDir }) };
  }
  return { kind: "local", config: loadConfig(env) };
}

/** The deployment as `--json` shows it. */
export function viewDeployment(deployment: Deployment): DeploymentView {
  if (deployment.kind === "remote") {
    const { login } = deployment;
    return {
      server: login.server,
      tenant: login.tenant,
      as: { kind: login.kind, name: login.principal },
    };
  }
  const { config } = deployment;
  const schema = config.database?.schema;
  return {
    dataDir: config.dataDir,
    database: describeDatabase(config),
    ...(schema === undefined ? {} : { schema }),
  };
}

/** The one line a terminal shows before a command's output: where it acts. */
export function deploymentLine(deployment: Deployment): string {
  if (deployment.kind === "remote") {
    const { login } = deployment;
    return `Deployment: ${login.server} (tenant ${login.tenant}, as ${login.kind} ${login.principal})`;
  }
  const { config } = deployment;
  const schema = config.database?.schema;
  return `Deployment: ${describeDatabase(config)}${schema === undefined ? "" : ` (schema ${schema})`}`;
}

const POINT_ELSEWHERE = "point to yours with --data-dir DIR or TESSERA_DATA_DIR";
const POINT_TO_DATABASE = "point to yours with TESSERA_DATABASE_URL (and TESSERA_DATABASE_SCHEMA)";

/**
 * A missing deployment as one line: what is missing, where the command
 * looked, that nothing was created, and how to point it elsewhere.
 */
export function missingDeployment(error: MissingDeploymentError, config: Config): CliError {
  const where = error.location;
  const postgres = config.database !== undefined;
  const message = {
    data_dir: `No data dir at ${where} (nothing was created): ${POINT_ELSEWHERE}, or create it with \`init\``,
    database: `No Tessera database at ${where} (nothing was created): ${POINT_ELSEWHERE}, or create it with \`init\``,
    tables: `${where} holds no Tessera tables (nothing was created): ${postgres ? POINT_TO_DATABASE : POINT_ELSEWHERE}, or create them with \`init\``,
    master_key: `No master key: TESSERA_MASTER_KEY is not set and ${where} does not exist (nothing was created): set the deployment's TESSERA_MASTER_KEY, or ${POINT_ELSEWHERE}`,
  }[error.missing];
  return new CliError("not_initialised", message);
}
