import { type Config, loadConfig } from "../config/config.js";
import { describeDatabase, type MissingDeploymentError } from "../runtime/runtime.js";
import { CliError, usageError } from "./errors.js";

/** What the command line says about where to act (`--data-dir`). */
export interface DeploymentChoice {
  readonly dataDir?: string;
}

/**
 * The deployment a command acts on. Today always local: a data dir (and,
 * with `TESSERA_DATABASE_URL`, a PostgreSQL database) opened directly, with
 * the configuration `serve` reads. Remote mode adds a kind that reaches a
 * server's admin API.
 */
export interface LocalDeployment {
  readonly kind: "local";
  readonly config: Config;
}

/** Every kind of deployment a command can act on. */
export type Deployment = LocalDeployment;

/** A deployment as `--json` shows it, under `deployment`. */
export interface DeploymentView {
  readonly dataDir: string;
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly database: string;
  /** The PostgreSQL schema, when one is configured. */
  readonly schema?: string;
}

/**
 * Which deployment a command acts on, in order: `--data-dir` on the command
 * line, then the configuration `serve` reads (`TESSERA_DATA_DIR`, else
 * `./data`; `TESSERA_DATABASE_URL`). Remote mode slots in here: `--server`
 * on the command line, `TESSERA_SERVER`, then a stored login, all before the
 * local data dir.
 *
 * @param env the environment (normally `process.env`), with any setting a
 *   command overrides (`serve --port`) already applied.
 */
export function resolveDeployment(
  choice: DeploymentChoice,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Deployment {
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
  const view = viewDeployment(deployment);
  return `Deployment: ${view.database}${view.schema === undefined ? "" : ` (schema ${view.schema})`}`;
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
