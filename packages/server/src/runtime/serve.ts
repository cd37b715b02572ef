import { createServer } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Config } from "../config/config.js";
import type { TenantId } from "../core/ids.js";
import { purgeExpired } from "../core/maintenance.js";
import { buildApp, createLogger } from "../http/app.js";
import { bootstrap } from "./bootstrap.js";
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
 * sessions and tokens every `TESSERA_PURGE_INTERVAL_SECONDS` unless that is 0.
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
  if (runtime.masterKeyWarning !== undefined) {
    logger.warn(runtime.masterKeyWarning);
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
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  announce(
    [
      `Tessera is listening on ${url} (public URL ${config.publicUrl})`,
      `Data: ${runtime.databasePath}${result.tenantCreated ? " (initialised now)" : ""}`,
      `Tenant: ${config.defaultTenant}${result.adminCreated ? `; admin user ${config.admin?.username} created` : ""}`,
      "First steps, in another terminal:",
      "  echo 'a-long-password' | npx tessera user add alice --password-stdin",
      "  npx tessera apikey create",
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
  return {
    app,
    url,
    async close() {
      // First: a purge in progress stops at its next batch and lets go of the store.
      await purge?.stop();
      await app.close();
      await runtime.close();
    },
  };
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
