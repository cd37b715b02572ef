import { type Kysely, type Migration, type MigrationResultSet, Migrator, sql } from "kysely";
import type { SqlDialectName } from "./dialect.js";
import * as initial from "./migrations/0001-initial.js";
import * as roles from "./migrations/0002-roles.js";
import * as automation from "./migrations/0003-automation.js";
import * as purgeIndexes from "./migrations/0004-purge-indexes.js";
import * as clientAudiences from "./migrations/0005-client-audiences.js";
import * as oneClient from "./migrations/0006-one-client.js";
import * as oauthPasswordGrant from "./migrations/0007-oauth-password-grant.js";
import * as auditSearch from "./migrations/0008-audit-search.js";
import * as clientSecretOverlap from "./migrations/0009-client-secret-overlap.js";
import * as firstPartyClients from "./migrations/0010-first-party-clients.js";
import * as keyRotationDays from "./migrations/0011-key-rotation-days.js";

interface VersionedMigration {
  readonly name: string;
  up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void>;
}

/**
 * Every schema version, oldest first. Migrations run forward only: a new
 * version is a new entry, and an applied one is never edited.
 */
const MIGRATIONS: readonly VersionedMigration[] = [
  { name: "0001-initial", up: initial.up },
  { name: "0002-roles", up: roles.up },
  { name: "0003-automation", up: automation.up },
  { name: "0004-purge-indexes", up: purgeIndexes.up },
  { name: "0005-client-audiences", up: clientAudiences.up },
  { name: "0006-one-client", up: oneClient.up },
  { name: "0007-oauth-password-grant", up: oauthPasswordGrant.up },
  { name: "0008-audit-search", up: auditSearch.up },
  { name: "0009-client-secret-overlap", up: clientSecretOverlap.up },
  { name: "0010-first-party-clients", up: firstPartyClients.up },
  { name: "0011-key-rotation-days", up: keyRotationDays.up },
];

/** The versions this build knows, for `tessera migrate --status`. */
export const KNOWN_MIGRATIONS: readonly string[] = MIGRATIONS.map((m) => m.name);

/**
 * What opening a store may create when it is missing: the database itself
 * (the SQLite file, the PostgreSQL schema) and Tessera's tables (what
 * `serve` and `init` do), only the tables in a database that exists
 * (`migrate`), or nothing (every other command: it works on a deployment
 * that exists, or fails).
 */
export type StoreCreation = "database" | "tables" | "nothing";

/** A database that is not Tessera's (yet): no file, or none of Tessera's tables. */
export class NoTesseraDatabaseError extends Error {
  constructor(
    /** `database`: the SQLite file does not exist; `tables`: the database holds no Tessera tables. */
    readonly missing: "database" | "tables",
  ) {
    super(missing === "database" ? "No database file" : "No Tessera tables in the database");
    this.name = "NoTesseraDatabaseError";
  }
}

/**
 * Whether the database holds Tessera's record of migrations, that is, was
 * made by Tessera: in `schema` when given, else where the connection's
 * search path (or SQLite's main database) finds it.
 */
export async function hasTesseraTables(
  db: Kysely<unknown>,
  dialect: SqlDialectName,
  schema?: string,
): Promise<boolean> {
  if (dialect === "sqlite") {
    const found = await sql<{ name: string }>`
      select name from sqlite_master where type = 'table' and name = 'tessera_migrations'
    `.execute(db);
    return found.rows.length > 0;
  }
  const name = schema === undefined ? "tessera_migrations" : `${schema}.tessera_migrations`;
  const found = await sql<{
    found: string | null;
  }>`select to_regclass(${name})::text as found`.execute(db);
  return found.rows[0]?.found !== null && found.rows[0]?.found !== undefined;
}

/**
 * Applies every pending migration, each in its own transaction, recording it
 * in `tessera_migrations`. Kysely's migrator holds a lock while it runs, so
 * processes that start at once apply each version exactly once.
 *
 * @returns the names applied by this call (empty when up to date).
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: SqlDialectName,
  options: {
    readonly schema?: string;
    /** Stop after this version instead of the latest: tests build older databases so. */
    readonly upTo?: string;
  } = {},
): Promise<string[]> {
  const migrations: Record<string, Migration> = {};
  for (const migration of MIGRATIONS) {
    migrations[migration.name] = { up: (tx) => migration.up(tx, dialect) };
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: "tessera_migrations",
    migrationLockTableName: "tessera_migrations_lock",
    // In a schema of its own, the record of migrations lives there too (and
    // another schema's record is not taken for this one's).
    ...(options.schema === undefined ? {} : { migrationTableSchema: options.schema }),
  });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await (options.upTo === undefined
      ? migrator.migrateToLatest()
      : migrator.migrateTo(options.upTo));
    if (error === undefined) {
      return appliedNames(results);
    }
    // Before it takes its lock, the migrator looks the catalog up and creates
    // its own tables; a server starting beside it (creating, or dropping a
    // schema) can make that step fail. Nothing was applied then: try again.
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    if (failed === undefined && attempt < 5 && isCatalogRace(error)) {
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      continue;
    }
    throw new Error(`Migration ${failed ?? "setup"} failed`, { cause: error });
  }
}

/** PostgreSQL errors of a concurrent catalog change: undefined table, duplicate object, deadlock. */
function isCatalogRace(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "42P01" || code === "42P07" || code === "23505" || code === "40P01";
}

function appliedNames(results: MigrationResultSet["results"]): string[] {
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
