import { createServer } from "node:net";
import { resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Config } from "../config/config.js";
import type { TenantId } from "../core/ids.js";
import { purgeExpired } from "../core/maintenance.js";
import { rotateDueSigningKeys } from "../core/scheduled-key-rotation.js";
import { buildApp, createLogger } from "../http/app.js";
import { bootstrap } from "./bootstrap.js";
import { type KeyRotationSchedule, startKeyRotationSchedule } from "./key-rotation-schedule.js";
import { type PurgeSchedule, startPurgeSchedule } from "./purge-schedule.js";
import { openRuntime } from "./runtime.js";

/** A running server, for the CLI and for end-to-end tests. */
export interface RunningServer {
  readonly app: FastifyInstance;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Opens the data dir (migrating and bootstrapping it on first start), then
 * listens. Prints where the data lives and the first CLI steps. Purges ended
 * sessions and tokens every `TESSERA_PURGE_INTERVAL_SECONDS`, and rotates the
 * signing keys that are due every `TESSERA_KEY_ROTATION_CHECK_SECONDS`,
 * unless that is 0.
 */
export async function startServer(
  requested: Config,
  options: { readonly announce?: (line: string) => void } = {},
): Promise<RunningServer> {
  const config = await withConcretePort(requested);
  const logger = createLogger(config.logLevel);
  const announce = options.announce ?? ((line: string) => process.stderr.write(`${line}\n`));
  const runtime = await openRuntime(config, {
    cacheEvents: {
      warn: (message) => logger.warn({ event: "cache_degraded" }, message),
      info: (message) => logger.info({ event: "cache_restored" }, message),
    },
  });
  // Said once where a person reads: the banner on standard error; the log
  // (standard output) repeats it only when a machine reads the log.
  const logsForMachines = process.stdout.isTTY !== true;
  if (runtime.masterKeyWarning !== undefined) {
    if (logsForMachines) {
      logger.warn({ event: "development_master_key" }, runtime.masterKeyWarning);
    }
    announce(`\n  WARNING: ${runtime.masterKeyWarning}\n`);
  }
  const result = await bootstrap(runtime.ctx, config);
  const app = await buildApp({
    ctx: runtime.ctx,
    defaultTenant: config.defaultTenant,
    operationsTenant: config.operationsTenant,
    tokenApiRateLimits: config.tokenApiRateLimit,
    bodyLimitBytes: config.bodyLimitBytes,
    purgeRetentionDays: config.purge.retentionDays,
    trustProxy: config.trustProxy,
    logger,
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    // Let go of the store and the cache, so the process can end with the reason.
    await app.close();
    await runtime.close();
    throw error;
  }
  // Requests in progress, so a stop can say how many it let finish.
  let inFlight = 0;
  app.server.on("request", (_request, response) => {
    inFlight += 1;
    response.once("close", () => {
      inFlight -= 1;
    });
  });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  announce(
    [
      `Tessera is listening on ${url} (public URL ${config.publicUrl})`,
      `Data: ${runtime.databasePath}${result.tenantCreated ? " (initialised now)" : ""}`,
      `Tenant: ${config.defaultTenant}${result.adminCreated ? `; admin user ${config.admin?.username} created` : ""}`,
      ...firstSteps(config),
    ].join("\n"),
  );
  const { intervalSeconds, retentionDays } = config.purge;
  const purge: PurgeSchedule | undefined =
    intervalSeconds === 0
      ? undefined
      : startPurgeSchedule({
          intervalMs: intervalSeconds * 1000,
          purge: (signal) =>
            purgeExpired(runtime.ctx, {
              retentionMs: retentionDays * 86_400_000,
              tenantId: config.defaultTenant as TenantId,
              signal,
            }),
          log: logger,
        });
  const { checkSeconds } = config.keyRotation;
  const keyRotation: KeyRotationSchedule | undefined =
    checkSeconds === 0
      ? undefined
      : startKeyRotationSchedule({
          intervalMs: checkSeconds * 1000,
          rotate: (signal) => rotateDueSigningKeys(runtime.ctx, { signal }),
          log: logger,
        });
  return {
    app,
    url,
    async close() {
      const draining = inFlight;
      const stopping = `Stopping: no new connections; finishing ${draining} request(s) in progress`;
      announce(stopping);
      if (logsForMachines) {
        logger.info({ event: "stopping", inFlight: draining }, stopping);
      }
      // First: a purge in progress stops at its next batch and lets go of the store.
      await purge?.stop();
      await keyRotation?.stop();
      await app.close();
      await runtime.close();
      const stopped = `Stopped after finishing ${draining} request(s)`;
      announce(stopped);
      if (logsForMachines) {
        logger.info({ event: "stopped", drained: draining }, stopped);
      }
    },
  };
}

/** The command that runs the CLI from a checkout (`npx tessera` would fetch another npm package). */
export const CLI_COMMAND = "npx tessera-auth";

/**
 * The banner's first steps: commands that act on this server's deployment
 * from another terminal. They name the data dir unless it is `./data` of
 * the directory the server runs in, and ask for the same settings when the
 * deployment depends on more of them (a database URL, a master key, a
 * default tenant).
 */
export function firstSteps(config: Config): string[] {
  const here = config.dataDir === resolve("data");
  const where = here ? "" : ` --data-dir ${shellWord(config.dataDir)}`;
  const settings =
    config.database !== undefined ||
    config.masterKey !== undefined ||
    config.defaultTenant !== "default";
  return [
    `First steps, in another terminal${here ? " in this directory" : ""}${settings ? ", with the same TESSERA_* settings" : ""}:`,
    `  echo 'a-long-password' | ${CLI_COMMAND} user add alice --password-stdin${where}`,
    `  ${CLI_COMMAND} apikey create${where}`,
  ];
}

/** `value` as one word a POSIX shell reads back unchanged. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * With `port: 0` ("any free port"), picks the port before the core is built,
 * so a public URL derived from it names the port actually served.
 */
async function withConcretePort(config: Config): Promise<Config> {
  if (config.port !== 0) {
    return config;
  }
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, config.host, () => {
      const address = probe.address();
      const free = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(free));
    });
  });
  const derived = config.publicUrl.endsWith(":0");
  return {
    ...config,
    port,
    publicUrl: derived ? `${config.publicUrl.slice(0, -2)}:${port}` : config.publicUrl,
  };
}
