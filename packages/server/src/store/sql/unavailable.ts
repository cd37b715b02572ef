import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from "kysely";
import { TesseraError } from "../../core/errors.js";

/**
 * Decides whether a driver error means "the database cannot serve right now"
 * (as opposed to a bug or a constraint violation).
 */
export type UnavailablePredicate = (error: unknown) => boolean;

/**
 * Decides whether a driver error means "this text cannot be stored or
 * compared": a value the caller sent, never the server's fault.
 */
export type InvalidTextPredicate = (error: unknown) => boolean;

function code(error: unknown): string {
  const value = (error as { code?: unknown } | null)?.code;
  return typeof value === "string" ? value : "";
}

/** SQLite: another process holds the write lock past busy_timeout, or the disk failed. */
export const isSqliteUnavailable: UnavailablePredicate = (error) =>
  /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY)/.test(code(error));

/** Connection-level failures: the server is down, restarting, or dropped us. */
const POSTGRES_UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01", // admin_shutdown (also pg_terminate_backend)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);

/**
 * PostgreSQL: the server cannot be reached, is restarting, ended our
 * connection, or the pool could not get one in time.
 */
export const isPostgresUnavailable: UnavailablePredicate = (error) => {
  if (POSTGRES_UNAVAILABLE_CODES.has(code(error))) {
    return true;
  }
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed/i.test(
    message,
  );
};

/**
 * PostgreSQL's invalid-text errors (SQLSTATE class 22): a NUL or an invalid
 * byte sequence in text (22021 character_not_in_repertoire), and a
 * character that has no equivalent in the server's encoding (22P05
 * untranslatable_character, also JSON's `\u0000`). SQLite stores any text
 * it is given, so it has none.
 */
const POSTGRES_INVALID_TEXT_CODES = new Set(["22021", "22P05"]);

/** PostgreSQL: text the database cannot hold. */
export const isPostgresInvalidText: InvalidTextPredicate = (error) =>
  POSTGRES_INVALID_TEXT_CODES.has(code(error));

/** How one engine's driver errors are told apart. */
export interface DriverErrorPredicates {
  readonly isUnavailable: UnavailablePredicate;
  readonly isInvalidText?: InvalidTextPredicate;
}

function mapError(error: unknown, predicates: DriverErrorPredicates): unknown {
  if (predicates.isInvalidText?.(error) === true) {
    // Whatever checks ran before, text the database refuses is the caller's mistake: a 400.
    return new TesseraError("invalid_request", "The request holds text that cannot be stored", {
      detail: `store: ${code(error)}`,
      cause: error,
    });
  }
  if (predicates.isUnavailable(error)) {
    return new TesseraError("unavailable", "The service is temporarily unavailable; try again", {
      retryAfterSeconds: 1,
      detail: `store: ${code(error)}`,
      cause: error,
    });
  }
  return error;
}

class MappedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly predicates: DriverErrorPredicates,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (error) {
      throw mapError(error, this.predicates);
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class MappedDriver implements Driver {
  readonly #connections = new WeakMap<DatabaseConnection, MappedConnection>();

  constructor(
    private readonly inner: Driver,
    private readonly predicates: DriverErrorPredicates,
  ) {}

  async init(): Promise<void> {
    try {
      await this.inner.init();
    } catch (error) {
      throw mapError(error, this.predicates);
    }
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    let connection: DatabaseConnection;
    try {
      connection = await this.inner.acquireConnection();
    } catch (error) {
      throw mapError(error, this.predicates);
    }
    let mapped = this.#connections.get(connection);
    if (mapped === undefined) {
      mapped = new MappedConnection(connection, this.predicates);
      this.#connections.set(connection, mapped);
    }
    return mapped;
  }

  #unwrap(connection: DatabaseConnection): DatabaseConnection {
    return connection instanceof MappedConnection ? connection.inner : connection;
  }

  async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    try {
      await this.inner.beginTransaction(this.#unwrap(connection), settings);
    } catch (error) {
      throw mapError(error, this.predicates);
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await this.inner.commitTransaction(this.#unwrap(connection));
    } catch (error) {
      throw mapError(error, this.predicates);
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // A rollback on a connection that has just died fails as well; its error
    // must read as the outage it is, not replace the mapped one with a 500.
    try {
      await this.inner.rollbackTransaction(this.#unwrap(connection));
    } catch (error) {
      throw mapError(error, this.predicates);
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.inner.releaseConnection(this.#unwrap(connection));
  }

  async destroy(): Promise<void> {
    await this.inner.destroy();
  }
}

/**
 * Wraps a Kysely dialect so that driver errors meaning "unavailable" surface
 * as `TesseraError("unavailable")`, which every dialect renders as 503 with
 * `Retry-After`, and errors meaning "this text cannot be stored" as
 * `TesseraError("invalid_request")`, a 400. The one place driver errors
 * become core errors, so no query anywhere answers such a failure with a 500.
 */
export class UnavailableMappingDialect implements Dialect {
  readonly #predicates: DriverErrorPredicates;

  constructor(
    private readonly inner: Dialect,
    isUnavailable: UnavailablePredicate,
    isInvalidText?: InvalidTextPredicate,
  ) {
    this.#predicates = { isUnavailable, ...(isInvalidText === undefined ? {} : { isInvalidText }) };
  }

  createDriver(): Driver {
    return new MappedDriver(this.inner.createDriver(), this.#predicates);
  }

  createQueryCompiler(): QueryCompiler {
    return this.inner.createQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return this.inner.createAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return this.inner.createIntrospector(db);
  }
}
