import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { MemoryCache } from "../cache/memory-cache.js";
import { type CacheEvents, RedisCache } from "../cache/redis-cache.js";
import type { Config } from "../config/config.js";
import { StepUpThrottle } from "../core/automation-tokens/step-up-throttle.js";
import { type Clock, systemClock } from "../core/clock.js";
import type { CoreContext } from "../core/context.js";
import { Keyring } from "../core/keyring.js";
import { LoginThrottle } from "../core/login-throttle.js";
import { PasswordHasher } from "../core/passwords.js";
import type { Cache } from "../core/ports/cache.js";
import type { Store } from "../core/ports/index.js";
import { SecretBox } from "../core/secret-box.js";
import { openPostgresStore } from "../store/postgres/open-postgres.js";
import { NoTesseraDatabaseError, type StoreCreation } from "../store/sql/migrate.js";
import type { SqlStore } from "../store/sql/sql-store.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite.js";
import { devMasterKeyPath, resolveMasterKey } from "./master-key.js";

/** What {@link openRuntime} found missing when it was not to create it. */
export type MissingPart = "data_dir" | "database" | "tables" | "master_key";

/**
 * A deployment that does not exist where the configuration points: no data
 * dir, no database, no Tessera tables in it, or no master key. Nothing was
 * created or written.
 */
export class MissingDeploymentError extends Error {
  constructor(
    readonly missing: MissingPart,
    /** Where it looked: the data dir, the database, or the key file. */
    readonly location: string,
  ) {
    super(`Missing ${missing.replace("_", " ")}: ${location}`);
    this.name = "MissingDeploymentError";
  }
}

/** The running pieces behind the server and the CLI. */
export interface Runtime {
  readonly ctx: CoreContext;
  readonly store: Store;
  /** Where the data lives: the SQLite file, or the PostgreSQL URL without its password. */
  readonly databasePath: string;
  /** Set when the development master key file is in use. */
  readonly masterKeyWarning: string | undefined;
  /** Migrations applied while opening the store (empty when it was up to date). */
  readonly migrationsApplied: readonly string[];
  close(): Promise<void>;
}

/** Retired signing keys stay published this long: beyond the lifetime of any JWT others verify. */
const RETIRED_KEY_RETENTION_MS = 31 * 24 * 3600 * 1000;
/**
 * Retired keys still verify here this long: beyond the longest session
 * (365 days), which the operations API's refresh JWT lives as long as.
 */
const RETIRED_KEY_VERIFICATION_MS = 366 * 24 * 3600 * 1000;

/**
 * Opens the store (applying migrations), the cache and the keyring, and wires
 * them into a {@link CoreContext}. The composition root: the only place that
 * chooses implementations.
 */
export async function openRuntime(
  config: Config,
  options: {
    /**
     * What may be created when missing (default `database`: the data dir,
     * the development key file, the database and its tables, as `serve`
     * does). Otherwise whatever is missing fails with
     * {@link MissingDeploymentError} before anything is written.
     */
    readonly create?: StoreCreation;
    readonly clock?: Clock;
    readonly cache?: Cache;
    /** Where the cache reports losing and regaining Redis (default: standard error). */
    readonly cacheEvents?: CacheEvents;
  } = {},
): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const create = options.create ?? "database";
  const databasePath = describeDatabase(config);
  if (create !== "database" && config.database === undefined && !existsSync(config.dataDir)) {
    throw new MissingDeploymentError("data_dir", config.dataDir);
  }
  const store = await openStore(config, create).catch((error: unknown) => {
    throw error instanceof NoTesseraDatabaseError
      ? new MissingDeploymentError(error.missing, databasePath)
      : error;
  });
  const resolved = resolveMasterKey(config.masterKey, config.dataDir, {
    create: create === "database",
  });
  if (resolved === undefined) {
    await store.close();
    throw new MissingDeploymentError("master_key", devMasterKeyPath(config.dataDir));
  }
  const { key, warning } = resolved;
  const cacheEvents = options.cacheEvents ?? {
    warn: (message: string) => process.stderr.write(`warning: ${message}\n`),
    info: (message: string) => process.stderr.write(`${message}\n`),
  };
  let cache: Cache;
  if (options.cache !== undefined) {
    cache = options.cache;
  } else if (config.redisUrl === undefined) {
    // Rate-limit windows follow the same clock as every expiry.
    cache = new MemoryCache(() => clock.now());
  } else {
    const redis = new RedisCache(config.redisUrl, config.redisPrefix, cacheEvents, () =>
      clock.now(),
    );
    // Start with shared counters when Redis answers; otherwise start degraded.
    await redis.ready();
    cache = redis;
  }
  const secretBox = new SecretBox(key);
  const ctx: CoreContext = {
    store,
    cache,
    clock,
    secretBox,
    keyring: new Keyring(store.signingKeys, secretBox, clock, {
      retiredKeyRetentionMs: RETIRED_KEY_RETENTION_MS,
      retiredKeyVerificationMs: RETIRED_KEY_VERIFICATION_MS,
    }),
    passwords: new PasswordHasher(config.argon2, { concurrency: hashConcurrency() }),
    loginThrottle: new LoginThrottle(cache, config.loginThrottle),
    stepUpThrottle: new StepUpThrottle(cache, config.stepUpThrottle),
    settings: {
      publicUrl: config.publicUrl,
      clockToleranceSeconds: config.clockToleranceSeconds,
      assertionClockToleranceSeconds: config.assertionClockToleranceSeconds,
    },
  };
  return {
    ctx,
    store,
    databasePath,
    masterKeyWarning: warning,
    migrationsApplied: store.migrationsApplied,
    async close() {
      await cache.close();
      await store.close();
    },
  };
}

/**
 * How many argon2id hashes may run at once: one per core, since more only
 * queue, and never so many that the libuv pool (shared with signatures and
 * log writes) has fewer than two threads left for them.
 */
function hashConcurrency(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE ?? 4) || 4;
  return Math.max(1, Math.min(availableParallelism(), pool - 2));
}

/** Where a configuration keeps its data: the SQLite file, or the PostgreSQL URL without its password. */
export function describeDatabase(config: Config): string {
  const { database } = config;
  return database === undefined
    ? join(config.dataDir, "tessera.db")
    : withoutPassword(database.url);
}

function openStore(config: Config, create: StoreCreation): Promise<SqlStore> {
  const { database } = config;
  return database === undefined
    ? openSqliteStore(join(config.dataDir, "tessera.db"), {
        synchronous: config.sqliteSynchronous,
        busyTimeoutMs: config.sqliteBusyTimeoutMs,
        create,
      })
    : openPostgresStore(database.url, {
        poolSize: database.poolSize,
        create,
        ...(database.schema === undefined ? {} : { schema: database.schema }),
      });
}

/** A database URL fit to print: its password replaced. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") {
      parsed.password = "***";
    }
    return parsed.toString();
  } catch {
    return "postgres://…";
  }
}
