import { type RawBuilder, sql } from "kysely";
import { TesseraError } from "../../core/errors.js";

/** The SQL engines the store runs on. Dialect-specific SQL stays behind this name. */
export type SqlDialectName = "sqlite" | "postgres";

interface DriverError {
  readonly code?: unknown;
}

function driverCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null) {
    const code = (error as DriverError).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

/** True when a driver error is a unique or primary-key violation. */
export function isUniqueViolation(error: unknown): boolean {
  const code = driverCode(error);
  return (
    code === "SQLITE_CONSTRAINT_UNIQUE" ||
    code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    code === "23505"
  );
}

/** True when a driver error is a foreign-key violation. */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === "SQLITE_CONSTRAINT_FOREIGNKEY" || code === "23503";
}

/** Runs `work`, turning a unique violation into a `conflict` error that names `what`. */
export async function insertOrConflict(what: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new TesseraError("conflict", `${what} already exists`, { cause: error });
    }
    throw error;
  }
}

/** A bigint column as a number: PostgreSQL returns strings for int8. */
export function toMs(value: number | string): number {
  return typeof value === "number" ? value : Number(value);
}

/** A nullable bigint column as a number or null. */
export function toMsOrNull(value: number | string | null): number | null {
  return value === null ? null : toMs(value);
}

/**
 * The `updated_at` an update writes: `at`, or one more than the old value
 * when that is not earlier, so every update changes it and a reader's
 * `ifUpdatedAt` never matches a row written after it read.
 */
export function nextUpdatedAt(at: number): RawBuilder<number> {
  return sql<number>`case when updated_at >= ${at} then updated_at + 1 else ${at} end`;
}
