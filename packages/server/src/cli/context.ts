import type { Config } from "../config/config.js";
import type { CoreContext } from "../core/context.js";
import type { TenantId } from "../core/ids.js";
import { getTenant, parseTenantId } from "../core/tenants.js";
import { checkMasterKey } from "../runtime/bootstrap.js";
import { MissingDeploymentError, openRuntime } from "../runtime/runtime.js";
import type { StoreCreation } from "../store/sql/migrate.js";
import {
  type DeploymentChoice,
  deploymentLine,
  type LocalDeployment,
  missingDeployment,
  type RemoteDeployment,
  resolveDeployment,
  resolveLocalDeployment,
  viewDeployment,
} from "./deployment.js";
import { CliError } from "./errors.js";
import { type Output, output, printError } from "./io.js";
import { AdminClient } from "./remote/admin-client.js";

/** What every command gets in local mode: the core over the same data dir as the server. */
export interface CommandContext {
  readonly config: Config;
  readonly deployment: LocalDeployment;
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
  // Only a command that may create (init, migrate) acts locally whatever login is stored.
  const deployment =
    create === "nothing" ? resolveDeployment(options) : resolveLocalDeployment(options);
  if (deployment.kind === "remote") {
    throw new CliError(
      "usage",
      `This command acts on a local deployment only, and you are logged in to ${deployment.login.server}: give --data-dir DIR`,
    );
  }
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

/** What a command gets in remote mode: the admin API of the server it is logged in to. */
export interface RemoteCommandContext {
  readonly deployment: RemoteDeployment;
  readonly admin: AdminClient;
  readonly out: Output;
  /** `--tenant`, else the tenant of the login. */
  readonly tenant: string;
  /** `/tenants/{tenant}` and `below`, the path of the tenant's resources. */
  tenantPath(below?: string): string;
}

/** How a management command runs: on a local deployment, and through a server's admin API. */
export interface CommandModes<T> {
  readonly local: (command: CommandContext) => Promise<T>;
  readonly remote: (command: RemoteCommandContext) => Promise<T>;
  /** Prints what either mode returned, the same way whichever produced it. */
  readonly print: (out: Output, result: T) => void;
}

/**
 * Runs a management command where the operator points it (see
 * {@link resolveDeployment}): `local` on a data dir opened as the server
 * opens it, `remote` through the admin API of a server `tessera login`
 * signed in to. Both call the same core: locally directly, remotely
 * through the admin API's routes.
 */
export async function withDeployment<T>(
  options: CommonOptions,
  modes: CommandModes<T>,
): Promise<void> {
  const deployment = resolveDeployment(options);
  if (deployment.kind === "local") {
    return withCore(options, async (command) => {
      modes.print(command.out, await modes.local(command));
    });
  }
  const json = options.json === true;
  if (!json && process.stderr.isTTY) {
    printError([deploymentLine(deployment)]);
  }
  // A malformed --tenant fails here, in local mode's words, before any request.
  const tenant =
    options.tenant === undefined ? deployment.login.tenant : parseTenantId(options.tenant);
  const out = output(json, viewDeployment(deployment));
  const result = await modes.remote({
    deployment,
    admin: new AdminClient(deployment.login, deployment.store),
    out,
    tenant,
    tenantPath: (below = "") => AdminClient.tenantPath(tenant, below),
  });
  modes.print(out, result);
}
