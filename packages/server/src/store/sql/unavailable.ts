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

function mapError(error: unknown, isUnavailable: UnavailablePredicate): unknown {
  if (isUnavailable(error)) {
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
    private readonly isUnavailable: UnavailablePredicate,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (error) {
      throw mapError(error, this.isUnavailable);
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
    private readonly isUnavailable: UnavailablePredicate,
  ) {}

  async init(): Promise<void> {
    try {
      await this.inner.init();
    } catch (error) {
      throw mapError(error, this.isUnavailable);
    }
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    let connection: DatabaseConnection;
    try {
      connection = await this.inner.acquireConnection();
    } catch (error) {
      throw mapError(error, this.isUnavailable);
    }
    let mapped = this.#connections.get(connection);
    if (mapped === undefined) {
      mapped = new MappedConnection(connection, this.isUnavailable);
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
      throw mapError(error, this.isUnavailable);
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await this.inner.commitTransaction(this.#unwrap(connection));
    } catch (error) {
      throw mapError(error, this.isUnavailable);
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // A rollback on a connection that has just died fails as well; its error
    // must read as the outage it is, not replace the mapped one with a 500.
    try {
      await this.inner.rollbackTransaction(this.#unwrap(connection));
    } catch (error) {
      throw mapError(error, this.isUnavailable);
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
 * `Retry-After`. The one place store outages are recognised.
 */
export class UnavailableMappingDialect implements Dialect {
  constructor(
    private readonly inner: Dialect,
    private readonly isUnavailable: UnavailablePredicate,
  ) {}

  createDriver(): Driver {
    return new MappedDriver(this.inner.createDriver(), this.isUnavailable);
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
