import type { Config } from "../config/config.js";
import type { CoreContext } from "../core/context.js";
import type { TenantId } from "../core/ids.js";
import { getTenant, parseTenantId } from "../core/tenants.js";
import { checkMasterKey } from "../runtime/bootstrap.js";
import { MissingDeploymentError, openRuntime } from "../runtime/runtime.js";
import type { StoreCreation } from "../store/sql/migrate.js";
import {
  type Deployment,
  type DeploymentChoice,
  deploymentLine,
  missingDeployment,
  resolveDeployment,
  viewDeployment,
} from "./deployment.js";
import { CliError } from "./errors.js";
import { type Output, output, printError } from "./io.js";

/** What every command gets: the core over the same data dir as the server. */
export interface CommandContext {
  readonly config: Config;
  readonly deployment: Deployment;
  readonly ctx: CoreContext;
  readonly out: Output;
  readonly databasePath: string;
  readonly masterKeyWarning: string | undefined;
  /** Migrations that opening the store for this command applied. */
  readonly migrationsApplied: readonly string[];
}

/** Options every data command accepts. */
export interface CommonOptions extends DeploymentChoice {
  readonly json?: boolean;
  readonly tenant?: string;
}

/**
 * Runs `work` against the deployment the command acts on (see
 * {@link resolveDeployment}), opened exactly as the server opens it, so it
 * works while the server runs; then closes it.
 *
 * Only `init` and `serve` create a deployment (`create: "database"`), and
 * `migrate` the tables in an existing database (`"tables"`). Every other
 * command needs one that exists, initialised: a missing data dir, database,
 * Tessera tables, master key or default tenant fails in one line naming
 * where it looked, and nothing is created.
 */
export async function withCore<T>(
  options: CommonOptions,
  work: (command: CommandContext) => Promise<T>,
  { create = "nothing" }: { readonly create?: StoreCreation } = {},
): Promise<T> {
  const deployment = resolveDeployment(options);
  const { config } = deployment;
  const runtime = await openRuntime(config, { create }).catch((error: unknown) => {
    throw error instanceof MissingDeploymentError ? missingDeployment(error, config) : error;
  });
  try {
    const tenant = await runtime.store.tenants.get(config.defaultTenant as TenantId);
    if (tenant !== undefined) {
      await checkMasterKey(runtime.ctx, tenant);
    } else if (create === "nothing") {
      throw new CliError(
        "not_initialised",
        `${runtime.databasePath} has no tenant ${config.defaultTenant} (TESSERA_DEFAULT_TENANT) (nothing was created): create it with \`init\`, or point to your deployment with --data-dir DIR or TESSERA_DATA_DIR`,
      );
    }
    const json = options.json === true;
    if (!json && process.stderr.isTTY) {
      // Said where the operator sees it, and kept out of what scripts read.
      printError([deploymentLine(deployment)]);
    }
    return await work({
      config,
      deployment,
      ctx: runtime.ctx,
      out: output(json, viewDeployment(deployment)),
      databasePath: runtime.databasePath,
      masterKeyWarning: runtime.masterKeyWarning,
      migrationsApplied: runtime.migrationsApplied,
    });
  } finally {
    await runtime.close();
  }
}

/** The tenant named by `--tenant`, or the default tenant; `not_found` if it does not exist. */
export async function tenantOf(command: CommandContext, options: CommonOptions): Promise<TenantId> {
  const id = parseTenantId(options.tenant ?? command.config.defaultTenant);
  await getTenant(command.ctx, id);
  return id;
}
