import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { TENANT_ID_PATTERN } from "../core/ids.js";
import {
  defaultRedisPrefix,
  isConnectionUrl,
  MAX_REDIS_PREFIX_LENGTH,
  REDIS_PREFIX_PATTERN,
} from "./redis-prefix.js";

/**
 * Every setting, validated once at start. Values come from `TESSERA_*`
 * environment variables, then from an optional JSON file named by
 * `TESSERA_CONFIG_FILE` (whose keys are the same variable names); the
 * environment wins. `docs/configuration.md` lists them all.
 */
export interface Config {
  readonly env: "development" | "production";
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly dataDir: string;
  /** 32 bytes, or undefined to use (and create) the development key file in the data dir. */
  readonly masterKey: Buffer | undefined;
  readonly defaultTenant: string;
  /** The tenant the operations API serves (HarperDB has one user pool). */
  readonly operationsTenant: string;
  readonly admin: { readonly username: string; readonly password: string } | undefined;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  readonly bodyLimitBytes: number;
  readonly trustProxy: boolean;
  /** Leeway for `exp`/`nbf` when Tessera verifies the JWTs it issued itself. */
  readonly clockToleranceSeconds: number;
  /** Leeway for client assertions (RFC 7523), signed by clocks Tessera does not keep. */
  readonly assertionClockToleranceSeconds: number;
  readonly sqliteSynchronous: "NORMAL" | "FULL";
  readonly sqliteBusyTimeoutMs: number;
  /** Redis for rate-limit counters shared by every instance; in-process memory when unset. */
  readonly redisUrl: string | undefined;
  /**
   * What every Redis key this deployment writes starts with, so deployments
   * sharing one Redis never share counters ({@link defaultRedisPrefix}).
   */
  readonly redisPrefix: string;
  /** PostgreSQL instead of the SQLite file in the data dir, when set. */
  readonly database:
    | { readonly url: string; readonly poolSize: number; readonly schema: string | undefined }
    | undefined;
  readonly argon2: {
    readonly memoryKiB: number;
    readonly timeCost: number;
    readonly parallelism: number;
  };
  /** Failed client authentications (secret, OTP, assertion) on the token API. */
  readonly stepUpThrottle: {
    readonly maxFailuresPerClient: number;
    readonly maxFailuresPerIp: number;
    readonly windowSeconds: number;
  };
  /** Every token API and OAuth token endpoint request, per client and per IP, per minute (one budget for both). */
  readonly tokenApiRateLimit: {
    readonly perClientPerMinute: number;
    readonly perIpPerMinute: number;
  };
  /** Background purge of ended sessions and tokens (`tessera serve`); `intervalSeconds` 0 turns it off. */
  readonly purge: {
    readonly intervalSeconds: number;
    readonly retentionDays: number;
  };
  /** How often `tessera serve` rotates the signing keys that are due (tenants' `signingKeyRotationDays`); 0 turns it off. */
  readonly keyRotation: {
    readonly checkSeconds: number;
  };
  readonly loginThrottle: {
    readonly maxFailuresPerUserAndIp: number;
    readonly maxFailuresPerIp: number;
    readonly maxFailuresPerUser: number;
    readonly windowSeconds: number;
  };
}

/** Raised with every problem found, so an operator fixes them in one pass. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const schema = z.object({
  TESSERA_ENV: z.enum(["development", "production"]).optional(),
  NODE_ENV: z.string().optional(),
  TESSERA_HOST: z.string().min(1).optional(),
  HOST: z.string().min(1).optional(),
  TESSERA_PORT: int(0, 65535).optional(),
  PORT: int(0, 65535).optional(),
  TESSERA_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ""))
    .optional(),
  TESSERA_DATA_DIR: z.string().min(1).default("./data"),
  TESSERA_MASTER_KEY: z
    .string()
    .transform((v, c) => {
      const key = decodeKey(v);
      if (key === undefined) {
        c.addIssue({
          code: "custom",
          message: "must be 32 bytes as 64 hex characters or base64 (openssl rand -base64 32)",
        });
        return z.NEVER;
      }
      return key;
    })
    .optional(),
  TESSERA_DEFAULT_TENANT: z
    .string()
    .regex(TENANT_ID_PATTERN, "must be a lowercase slug like 'default'")
    .default("default"),
  TESSERA_OPERATIONS_TENANT: z
    .string()
    .regex(TENANT_ID_PATTERN, "must be a lowercase slug like 'default'")
    .optional(),
  TESSERA_ADMIN_USERNAME: z.string().min(1).max(128).optional(),
  TESSERA_ADMIN_PASSWORD: z.string().min(8, "must be at least 8 characters").max(1024).optional(),
  TESSERA_LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info"),
  TESSERA_BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(64 * 1024),
  TESSERA_TRUST_PROXY: flag.default(false),
  // Tessera's own tokens are signed and checked by instances sharing one
  // clock discipline: a second covers their skew, and an `expires_in: 1`
  // token is dead two seconds later, as in HarperDB.
  TESSERA_CLOCK_TOLERANCE_SECONDS: int(0, 300).default(1),
  // A client's clock is its own: its assertions get the usual few seconds.
  TESSERA_ASSERTION_CLOCK_TOLERANCE_SECONDS: int(0, 300).default(5),
  TESSERA_SQLITE_SYNCHRONOUS: z.enum(["NORMAL", "FULL"]).default("NORMAL"),
  TESSERA_SQLITE_BUSY_TIMEOUT_MS: int(0, 60_000).default(5000),
  TESSERA_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL (leave it unset for SQLite)")
    .refine(isConnectionUrl, "is not a valid URL")
    .optional(),
  // At least two: initialisation holds one connection for its lock while it works on another.
  TESSERA_DATABASE_POOL_SIZE: int(2, 1000).default(10),
  TESSERA_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),
  TESSERA_REDIS_PREFIX: z
    .string()
    .max(MAX_REDIS_PREFIX_LENGTH, `must be at most ${MAX_REDIS_PREFIX_LENGTH} characters`)
    .regex(REDIS_PREFIX_PATTERN, "must be printable ASCII, without spaces or control characters")
    .optional(),
  TESSERA_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lowercase PostgreSQL schema name")
    .optional(),
  TESSERA_ARGON2_MEMORY_KIB: int(19_456, 4 * 1024 * 1024).default(19_456),
  TESSERA_ARGON2_TIME_COST: int(2, 100).default(2),
  TESSERA_ARGON2_PARALLELISM: int(1, 16).default(1),
  TESSERA_LOGIN_MAX_FAILURES_PER_USER_IP: int(1, 1_000_000).default(10),
  TESSERA_LOGIN_MAX_FAILURES_PER_IP: int(1, 1_000_000).default(100),
  TESSERA_LOGIN_MAX_FAILURES_PER_USER: int(1, 1_000_000).default(50),
  TESSERA_LOGIN_WINDOW_SECONDS: int(1, 86_400).default(900),
  TESSERA_STEP_UP_MAX_FAILURES_PER_CLIENT: int(1, 1_000_000).default(10),
  TESSERA_STEP_UP_MAX_FAILURES_PER_IP: int(1, 1_000_000).default(30),
  TESSERA_STEP_UP_WINDOW_SECONDS: int(1, 86_400).default(900),
  TESSERA_TOKEN_API_REQUESTS_PER_MINUTE_PER_CLIENT: int(1, 1_000_000).default(600),
  TESSERA_TOKEN_API_REQUESTS_PER_MINUTE_PER_IP: int(1, 1_000_000).default(1200),
  // At most a week: timers cannot wait much longer than 24 days.
  TESSERA_PURGE_INTERVAL_SECONDS: int(0, 7 * 86_400).default(3600),
  TESSERA_PURGE_RETENTION_DAYS: int(0, 3650).default(7),
  // At most a week, as the purge interval: the timer's limit.
  TESSERA_KEY_ROTATION_CHECK_SECONDS: int(0, 7 * 86_400).default(3600),
});

function decodeKey(value: string): Buffer | undefined {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) {
    return Buffer.from(text, "hex");
  }
  const decoded = Buffer.from(text, "base64");
  return decoded.length === 32 ? decoded : undefined;
}

type Source = Readonly<Record<string, string | undefined>>;

function readConfigFile(path: string, problems: string[]): Source {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      problems.push(`TESSERA_CONFIG_FILE: ${path} must hold a JSON object`);
      return {};
    }
    return Object.fromEntries(
      Object.entries(parsed).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
  } catch (error) {
    problems.push(`TESSERA_CONFIG_FILE: cannot read ${path}: ${(error as Error).message}`);
    return {};
  }
}

/**
 * Builds the {@link Config} from `env` (normally `process.env`).
 *
 * @throws {ConfigError} listing every invalid or inconsistent setting.
 */
export function loadConfig(env: Source): Config {
  const problems: string[] = [];
  const file = env.TESSERA_CONFIG_FILE ? readConfigFile(env.TESSERA_CONFIG_FILE, problems) : {};
  const merged: Record<string, string> = {};
  for (const source of [file, env]) {
    for (const [key, value] of Object.entries(source)) {
      // Empty variables count as unset, as shells and .env files commonly leave them.
      if (value !== undefined && value !== "") {
        merged[key] = value;
      }
    }
  }
  for (const key of Object.keys(file)) {
    if (!(key in schema.shape)) {
      problems.push(`TESSERA_CONFIG_FILE: unknown setting ${key}`);
    }
  }
  const result = schema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push(`${issue.path.join(".")}: ${issue.message}`);
    }
  }
  // Checks across settings look at the raw values, so they are reported
  // alongside any other problem rather than after it is fixed.
  if (
    (merged.TESSERA_ADMIN_USERNAME === undefined) !==
    (merged.TESSERA_ADMIN_PASSWORD === undefined)
  ) {
    problems.push("TESSERA_ADMIN_USERNAME and TESSERA_ADMIN_PASSWORD must be set together");
  }
  const production =
    merged.TESSERA_ENV === "production" ||
    (merged.TESSERA_ENV === undefined && merged.NODE_ENV === "production");
  if (production && merged.TESSERA_MASTER_KEY === undefined) {
    problems.push("TESSERA_MASTER_KEY: required in production (openssl rand -base64 32)");
  }
  if (!result.success || problems.length > 0) {
    throw new ConfigError(problems);
  }
  const v = result.data;
  const environment = production ? "production" : "development";
  const host = v.TESSERA_HOST ?? v.HOST ?? "127.0.0.1";
  const port = v.TESSERA_PORT ?? v.PORT ?? 8080;
  // A wildcard address is where to listen, not where to connect: name loopback instead.
  const urlHost =
    host === "0.0.0.0"
      ? "127.0.0.1"
      : host === "::"
        ? "[::1]"
        : host.includes(":")
          ? `[${host}]`
          : host;
  const dataDir = resolve(v.TESSERA_DATA_DIR);
  return {
    env: environment,
    host,
    port,
    publicUrl: v.TESSERA_PUBLIC_URL ?? `http://${urlHost}:${port}`,
    dataDir,
    masterKey: v.TESSERA_MASTER_KEY,
    defaultTenant: v.TESSERA_DEFAULT_TENANT,
    operationsTenant: v.TESSERA_OPERATIONS_TENANT ?? v.TESSERA_DEFAULT_TENANT,
    admin:
      v.TESSERA_ADMIN_USERNAME !== undefined && v.TESSERA_ADMIN_PASSWORD !== undefined
        ? { username: v.TESSERA_ADMIN_USERNAME, password: v.TESSERA_ADMIN_PASSWORD }
        : undefined,
    logLevel: v.TESSERA_LOG_LEVEL,
    bodyLimitBytes: v.TESSERA_BODY_LIMIT_BYTES,
    trustProxy: v.TESSERA_TRUST_PROXY,
    clockToleranceSeconds: v.TESSERA_CLOCK_TOLERANCE_SECONDS,
    assertionClockToleranceSeconds: v.TESSERA_ASSERTION_CLOCK_TOLERANCE_SECONDS,
    sqliteSynchronous: v.TESSERA_SQLITE_SYNCHRONOUS,
    sqliteBusyTimeoutMs: v.TESSERA_SQLITE_BUSY_TIMEOUT_MS,
    redisUrl: v.TESSERA_REDIS_URL,
    redisPrefix:
      v.TESSERA_REDIS_PREFIX ??
      defaultRedisPrefix(
        v.TESSERA_DATABASE_URL === undefined
          ? { kind: "sqlite", dataDir }
          : { kind: "postgres", url: v.TESSERA_DATABASE_URL, schema: v.TESSERA_DATABASE_SCHEMA },
      ),
    database:
      v.TESSERA_DATABASE_URL === undefined
        ? undefined
        : {
            url: v.TESSERA_DATABASE_URL,
            poolSize: v.TESSERA_DATABASE_POOL_SIZE,
            schema: v.TESSERA_DATABASE_SCHEMA,
          },
    argon2: {
      memoryKiB: v.TESSERA_ARGON2_MEMORY_KIB,
      timeCost: v.TESSERA_ARGON2_TIME_COST,
      parallelism: v.TESSERA_ARGON2_PARALLELISM,
    },
    stepUpThrottle: {
      maxFailuresPerClient: v.TESSERA_STEP_UP_MAX_FAILURES_PER_CLIENT,
      maxFailuresPerIp: v.TESSERA_STEP_UP_MAX_FAILURES_PER_IP,
      windowSeconds: v.TESSERA_STEP_UP_WINDOW_SECONDS,
    },
    tokenApiRateLimit: {
      perClientPerMinute: v.TESSERA_TOKEN_API_REQUESTS_PER_MINUTE_PER_CLIENT,
      perIpPerMinute: v.TESSERA_TOKEN_API_REQUESTS_PER_MINUTE_PER_IP,
    },
    purge: {
      intervalSeconds: v.TESSERA_PURGE_INTERVAL_SECONDS,
      retentionDays: v.TESSERA_PURGE_RETENTION_DAYS,
    },
    keyRotation: {
      checkSeconds: v.TESSERA_KEY_ROTATION_CHECK_SECONDS,
    },
    loginThrottle: {
      maxFailuresPerUserAndIp: v.TESSERA_LOGIN_MAX_FAILURES_PER_USER_IP,
      maxFailuresPerIp: v.TESSERA_LOGIN_MAX_FAILURES_PER_IP,
      maxFailuresPerUser: v.TESSERA_LOGIN_MAX_FAILURES_PER_USER,
      windowSeconds: v.TESSERA_LOGIN_WINDOW_SECONDS,
    },
  };
}
