import { createHash } from "node:crypto";
import { parse } from "pg-connection-string";

/** The longest `TESSERA_REDIS_PREFIX` accepted: keys stay short and readable in `redis-cli`. */
export const MAX_REDIS_PREFIX_LENGTH = 100;

/**
 * What a `TESSERA_REDIS_PREFIX` may hold: printable ASCII without spaces, so a
 * key reads the same in `redis-cli`, in a log line and in a terminal.
 */
export const REDIS_PREFIX_PATTERN = /^[\x21-\x7e]+$/;

/** Where a deployment keeps its data, as far as its identity goes. */
export type DeploymentStore =
  | { readonly kind: "postgres"; readonly url: string; readonly schema: string | undefined }
  | { readonly kind: "sqlite"; readonly dataDir: string };

/**
 * The Redis key prefix of a deployment that sets no `TESSERA_REDIS_PREFIX`:
 * `tessera:` and 16 hex digits of a SHA-256 over what makes the deployment
 * itself. On PostgreSQL that is the database (host, port and database name,
 * never the user or password) and the schema; on SQLite, the data dir's
 * absolute path. Every instance of one deployment configured alike gets the
 * same prefix and shares its rate-limit counters; another deployment on the
 * same Redis gets another. The hash keeps host names, paths and schema
 * names out of Redis.
 *
 * Instances that reach one database under different names (a host name on
 * one, an IP address on another) get different prefixes: they must set one
 * `TESSERA_REDIS_PREFIX` between them.
 */
export function defaultRedisPrefix(store: DeploymentStore): string {
  const identity =
    store.kind === "postgres"
      ? ["postgres", ...databaseOf(store.url), store.schema ?? "public"]
      : ["sqlite", store.dataDir];
  const digest = createHash("sha256").update(JSON.stringify(identity)).digest("hex");
  return `tessera:${digest.slice(0, 16)}`;
}

/**
 * Host, port and database name of a PostgreSQL connection string, read by
 * the driver's own parser (so a `host` parameter naming a socket directory
 * counts as the host), with the driver's defaults: port 5432, and the
 * user's name as the database.
 */
function databaseOf(url: string): [host: string, port: string, database: string] {
  const parsed = parse(url);
  return [
    (parsed.host ?? "").toLowerCase(),
    parsed.port || "5432",
    parsed.database || parsed.user || "",
  ];
}

/** True when the PostgreSQL driver can read `url` (a malformed one makes it throw). */
export function isConnectionUrl(url: string): boolean {
  try {
    parse(url);
    return true;
  } catch {
    return false;
  }
}
