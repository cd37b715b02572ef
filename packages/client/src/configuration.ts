/**
 * The client's settings, shaped as the token API's generated TypeScript
 * client (spec 004, OpenAPI Generator `typescript-axios`) shapes them, so
 * code written against that client keeps working: `new Configuration({
 * basePath, apiKey, accessToken, username, password })`. Tessera's own
 * options (`fetch`, `timeoutMs`, `retry`, `headers`) replace the axios ones.
 */

import type { FetchLike } from "./verify/options.js";

/**
 * The API key (`X-API-Key`), or a function asked for it by header name on
 * every request, as the generated client asks (`apiKey("X-API-Key")`).
 *
 * @example
 * const apiKey: ApiKeySource = async (name) => secrets.read(name);
 */
export type ApiKeySource =
  | string
  | Promise<string>
  | ((name: string) => string)
  | ((name: string) => Promise<string>);

/**
 * The Bearer token, or a function asked for it on every request. The
 * function receives the security scheme the operation declares
 * (`LongTokenAuth`, `ShortTokenAuth`, `OperationToken`), so one
 * function can hand out the right token per operation; the generated client
 * passes nothing for Bearer schemes, and a function that ignores its
 * arguments works the same.
 *
 * @example
 * const accessToken: AccessTokenSource = (name) =>
 *   name === "LongTokenAuth" ? longTermToken : shortTermToken;
 */
export type AccessTokenSource =
  | string
  | Promise<string>
  | ((name?: string, scopes?: string[]) => string)
  | ((name?: string, scopes?: string[]) => Promise<string>);

/**
 * When and how often a failed call is tried again. Only operations marked
 * safe or idempotent are retried, only after a 429 or a 503 (and, for safe
 * ones, a network failure or a timeout), with full jitter
 * (`random(0, min(maxDelayMs, baseDelayMs * 2^attempt))`) and never sooner
 * than the answer's `Retry-After`.
 *
 * @example
 * new Configuration({ retry: { retries: 4, maxRetryAfterMs: 10_000 } });
 */
export interface RetryOptions {
  /** Retries after the first attempt (default 2). */
  readonly retries?: number;
  /** The first backoff's ceiling (default 200 ms). */
  readonly baseDelayMs?: number;
  /** No backoff's ceiling exceeds this (default 5 s). */
  readonly maxDelayMs?: number;
  /**
   * A `Retry-After` longer than this is not waited for: the call fails at
   * once with the answer's typed error (default 30 s).
   */
  readonly maxRetryAfterMs?: number;
  /** A number in [0, 1); injectable for tests (default `Math.random`). */
  readonly random?: () => number;
  /**
   * Waits `ms`, and rejects as soon as `signal` aborts; injectable for tests
   * that record waits instead of waiting.
   */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/**
 * What `new Configuration(…)` takes: the generated client's parameters
 * (less the axios-only `baseOptions`, `serverIndex`, `formDataCtor` and
 * `awsv4`) and Tessera's own.
 *
 * @example
 * const parameters: ConfigurationParameters = { basePath: "https://auth.example.com" };
 */
export interface ConfigurationParameters {
  /** The server's URL, e.g. `https://auth.example.com` (default {@link BASE_PATH}). */
  basePath?: string;
  apiKey?: ApiKeySource;
  /** For HTTP Basic: a user (session and operations APIs) or a client id (OAuth). */
  username?: string;
  password?: string;
  accessToken?: AccessTokenSource;
  /** The fetch to send requests with (default: the platform's `fetch`). */
  fetch?: FetchLike;
  /** How long one attempt may take, in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Retries of safe and idempotent calls; `false` turns them off. */
  retry?: RetryOptions | false;
  /** Headers sent with every request (a call's own `headers` win). */
  headers?: Record<string, string>;
}

/**
 * Where Tessera listens when started without settings (`tessera serve`):
 * the base path of an API built without one.
 *
 * @example
 * new AuthApi(); // calls http://127.0.0.1:8080
 */
export const BASE_PATH = "http://127.0.0.1:8080";

/**
 * The default time one attempt may take, in milliseconds.
 *
 * @example
 * new Configuration({ timeoutMs: DEFAULT_TIMEOUT_MS * 3 });
 */
export const DEFAULT_TIMEOUT_MS = 10_000;

const JSON_MIME = /^(application\/json|[^;/ \t]+\/[^;/ \t]+[+]json)[ \t]*(;.*)?$/i;

/** What a printed configuration shows in place of a credential or a header's value. */
const REDACTED = "[redacted]";

/** The options that hold credentials; kept out of every listing of the object's properties. */
const SECRETS = ["apiKey", "password", "accessToken"] as const;

/**
 * The settings every API class reads. Credentials may be changed on the
 * instance between calls (the generated client reads them per request too),
 * so a token that was renewed is used by the next call.
 *
 * `apiKey`, `password` and `accessToken` are non-enumerable properties, and
 * `JSON.stringify` and `console.log` show them (and every header's value)
 * as `[redacted]`: an API object logged whole, as its configuration, does
 * not print its credentials. Spreading a configuration drops them too.
 *
 * @example
 * const configuration = new Configuration({
 *   basePath: "https://auth.example.com",
 *   apiKey: process.env.TESSERA_API_KEY,
 *   accessToken: async () => tokens.current(),
 * });
 * const api = new AuthApi(configuration);
 */
export class Configuration {
  basePath?: string;
  declare apiKey?: ApiKeySource;
  username?: string;
  declare password?: string;
  declare accessToken?: AccessTokenSource;
  fetch?: FetchLike;
  timeoutMs?: number;
  retry?: RetryOptions | false;
  headers?: Record<string, string>;

  constructor(param: ConfigurationParameters = {}) {
    // Defined even when unset, so a credential assigned later is non-enumerable too.
    for (const name of SECRETS) {
      Object.defineProperty(this, name, {
        value: param[name],
        writable: true,
        enumerable: false,
        configurable: true,
      });
    }
    // Assigned one by one, as the generated client does, so an unset option stays unset.
    if (param.basePath !== undefined) {
      this.basePath = param.basePath;
    }
    if (param.username !== undefined) {
      this.username = param.username;
    }
    if (param.fetch !== undefined) {
      this.fetch = param.fetch;
    }
    if (param.timeoutMs !== undefined) {
      this.timeoutMs = param.timeoutMs;
    }
    if (param.retry !== undefined) {
      this.retry = param.retry;
    }
    if (param.headers !== undefined) {
      this.headers = param.headers;
    }
  }

  /**
   * True for a JSON media type (`application/json`, `…+json`), as the
   * generated client decides whether to parse an answer.
   *
   * @example
   * new Configuration().isJsonMime("application/problem+json"); // true
   */
  isJsonMime(mime: string): boolean {
    return JSON_MIME.test(mime) || mime.toLowerCase() === "application/json-patch+json";
  }

  /**
   * What `JSON.stringify` writes: the settings, with each credential that is
   * set and every header's value as `[redacted]`.
   *
   * @example
   * JSON.stringify(new Configuration({ basePath, apiKey: "tsr_ak_…" }));
   * // {"basePath":"https://auth.example.com","apiKey":"[redacted]"}
   */
  toJSON(): Record<string, unknown> {
    const view: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(this) as [string, unknown][]) {
      if (value !== undefined) {
        view[name] = value;
      }
    }
    for (const name of SECRETS) {
      if (this[name] !== undefined) {
        view[name] = REDACTED;
      }
    }
    if (this.headers !== undefined) {
      view.headers = Object.fromEntries(Object.keys(this.headers).map((name) => [name, REDACTED]));
    }
    return view;
  }

  /**
   * What `console.log` and Node's `util.inspect` show: {@link toJSON}'s
   * redacted view, under the class's name.
   *
   * @example
   * console.log(new AuthApi(configuration)); // … configuration: Configuration { apiKey: '[redacted]' } …
   */
  [Symbol.for("nodejs.util.inspect.custom")](
    depth: number,
    options: { readonly depth?: number | null },
    inspect?: (value: unknown, options: object) => string,
  ): string {
    const name = this.constructor.name;
    if (depth < 0) {
      return `[${name}]`;
    }
    const view = this.toJSON();
    const nested = {
      ...options,
      depth: typeof options.depth === "number" ? options.depth - 1 : null,
    };
    return `${name} ${inspect === undefined ? JSON.stringify(view) : inspect(view, nested)}`;
  }
}
