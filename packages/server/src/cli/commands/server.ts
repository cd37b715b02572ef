import { setFlagsFromString } from "node:v8";
import type { Command } from "commander";
import { bootstrap } from "../../runtime/bootstrap.js";
import { MissingDeploymentError } from "../../runtime/runtime.js";
import { type RunningServer, startServer } from "../../runtime/serve.js";
import { type CommonOptions, withCore } from "../context.js";
import { type DeploymentChoice, missingDeployment, resolveLocalDeployment } from "../deployment.js";
import { CliError, usageError } from "../errors.js";
import { printError } from "../io.js";

interface ServeOptions extends DeploymentChoice {
  readonly port?: string;
  readonly host?: string;
}

/** `--port`: a whole number from 0 (any free port) to 65535. */
function portOf(value: string | undefined): string | undefined {
  if (value !== undefined && (!/^\d{1,5}$/.test(value) || Number(value) > 65535)) {
    throw usageError("--port must be a whole number from 0 to 65535");
  }
  return value;
}

/** A listen failure as one line that says what to do, instead of a raw `EADDRINUSE`. */
function listenFailure(error: unknown, host: string, port: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const at = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  switch (code) {
    case "EADDRINUSE":
      return new CliError(
        "port_unavailable",
        `Cannot listen on ${at}: the port is already in use; stop what listens there, or choose another port with --port or TESSERA_PORT`,
      );
    case "EACCES":
      return new CliError(
        "port_unavailable",
        `Cannot listen on ${at}: not allowed to use this port; choose one above 1023 with --port or TESSERA_PORT`,
      );
    case "EADDRNOTAVAIL":
      return new CliError(
        "port_unavailable",
        `Cannot listen on ${at}: this machine has no such address; choose another with --host or TESSERA_HOST`,
      );
    default:
      return error;
  }
}

/** `tessera init`, `tessera serve` and `tessera migrate`: the commands that may create. */
export function registerServerCommands(program: Command): void {
  program
    .command("init")
    .description("create the data dir, default tenant, signing keys (and admin user if configured)")
    .option("--json", "print JSON")
    .action((options: CommonOptions) =>
      withCore(
        options,
        async ({ config, ctx, out, databasePath, masterKeyWarning }) => {
          if (masterKeyWarning !== undefined) {
            printError([`WARNING: ${masterKeyWarning}`]);
          }
          const result = await bootstrap(ctx, config);
          out.print({ dataDir: config.dataDir, database: databasePath, ...result }, () => [
            result.tenantCreated
              ? `initialised ${databasePath} (tenant ${config.defaultTenant}${result.adminCreated ? `, admin ${config.admin?.username}` : ""})`
              : result.adminCreated
                ? `created admin user ${config.admin?.username} in ${databasePath}`
                : `${databasePath} is already initialised; nothing changed`,
          ]);
        },
        { create: "database" },
      ),
    );

  program
    .command("serve")
    .description("run the server (creates, migrates and initialises the data dir on first start)")
    .option(
      "--port <port>",
      "listen on this port, 0 for any free one (default: TESSERA_PORT, 8080)",
    )
    .option("--host <host>", "listen on this address (default: TESSERA_HOST, 127.0.0.1)")
    .action(async (options: ServeOptions) => {
      const port = portOf(options.port);
      if (options.host?.trim() === "") {
        throw usageError("--host must name an address");
      }
      const { config } = resolveLocalDeployment(options, {
        ...process.env,
        ...(port === undefined ? {} : { TESSERA_PORT: port }),
        ...(options.host === undefined ? {} : { TESSERA_HOST: options.host }),
      });
      // Under load V8 let the old generation grow to about four times the
      // live heap (37 MB live, 140 MB before each full collection), taking
      // the process to 285 MB under refresh at concurrency 32. Growing it by
      // at most 100% between collections kept the same runs at 174-195 MB.
      // V8 reads this flag at every collection, so setting it now applies.
      setFlagsFromString("--heap-growing-percent=100");
      // Listened for from the start: a signal while the server is starting
      // stops it as soon as it has started, instead of killing it mid-way.
      let server: RunningServer | undefined;
      let stopping = false;
      const close = (running: RunningServer) =>
        running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      const stop = () => {
        if (stopping) {
          // A second signal: leave now, still through 'exit', which flushes the log.
          process.exit(1);
        }
        stopping = true;
        if (server !== undefined) {
          void close(server);
        }
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      server = await startServer(config).catch((error: unknown) => {
        throw error instanceof MissingDeploymentError
          ? missingDeployment(error, config)
          : listenFailure(error, config.host, config.port);
      });
      if (stopping) {
        await close(server);
      }
    });

  program
    .command("migrate")
    .description("apply pending database migrations (creates the tables in an empty database)")
    .option("--json", "print JSON")
    .action((options: CommonOptions) =>
      // Opening the store applies pending migrations, each recorded in tessera_migrations.
      withCore(
        options,
        async ({ out, databasePath, migrationsApplied }) => {
          out.print({ database: databasePath, applied: migrationsApplied }, () => [
            migrationsApplied.length === 0
              ? `${databasePath} was already up to date`
              : `applied ${migrationsApplied.join(", ")} to ${databasePath}`,
          ]);
        },
        { create: "tables" },
      ),
    );
}
