import { type Config, loadConfig } from "../config/config.js";
import type { CoreContext } from "../core/context.js";
import type { TenantId } from "../core/ids.js";
import { getTenant, parseTenantId } from "../core/tenants.js";
import { bootstrap, checkMasterKey } from "../runtime/bootstrap.js";
import { openRuntime } from "../runtime/runtime.js";
import { type Output, output } from "./io.js";

/** What every command gets: the core over the same data dir as the server. */
export interface CommandContext {
  readonly config: Config;
  readonly ctx: CoreContext;
  readonly out: Output;
  readonly databasePath: string;
  readonly masterKeyWarning: string | undefined;
  /** Migrations that opening the store for this command applied. */
  readonly migrationsApplied: readonly string[];
}

/** Options every data command accepts. */
export interface CommonOptions {
  readonly json?: boolean;
  readonly tenant?: string;
}

/**
 * Runs `work` against the configured data dir (opened exactly as the server
 * opens it, so it works while the server runs), then closes it. A data dir
 * the server has not started on yet is initialised first, as `serve` would.
 */
export async function withCore<T>(
  options: CommonOptions,
  work: (command: CommandContext) => Promise<T>,
  { initialise = true }: { readonly initialise?: boolean } = {},
): Promise<T> {
  const config = loadConfig(process.env);
  const runtime = await openRuntime(config);
  try {
    const tenant = await runtime.store.tenants.get(config.defaultTenant as TenantId);
    if (tenant !== undefined) {
      await checkMasterKey(runtime.ctx, tenant);
    } else if (initialise) {
      await bootstrap(runtime.ctx, config);
    }
    return await work({
      config,
      ctx: runtime.ctx,
      out: output(options.json === true),
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
