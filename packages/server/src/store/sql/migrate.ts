import { type Kysely, type Migration, type MigrationResultSet, Migrator } from "kysely";
import type { SqlDialectName } from "./dialect.js";
import * as initial from "./migrations/0001-initial.js";
import * as roles from "./migrations/0002-roles.js";
import * as automation from "./migrations/0003-automation.js";
import * as purgeIndexes from "./migrations/0004-purge-indexes.js";

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
];

/** The versions this build knows, for `tessera migrate --status`. */
export const KNOWN_MIGRATIONS: readonly string[] = MIGRATIONS.map((m) => m.name);

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
  options: { readonly schema?: string } = {},
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
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`Migration ${failed} failed`, { cause: error });
  }
  return appliedNames(results);
}

function appliedNames(results: MigrationResultSet["results"]): string[] {
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
