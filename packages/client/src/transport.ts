import { createApiError } from "./api-errors.js";
import { type Configuration, DEFAULT_TIMEOUT_MS } from "./configuration.js";
import { classifyError } from "./error-dialects.js";
import type { ApiResponse, TesseraApiError } from "./errors.js";
import type { OperationSpec, Security } from "./operation-spec.js";
import { backoffMs, retriesStatus, retryDelayMs, retryPolicyOf } from "./retry.js";
import { credentialHeaders } from "./security.js";
import {
  RequiredError,
  TesseraNetworkError,
  TesseraRedirectError,
  TesseraTimeoutError,
} from "./transport-errors.js";
import type { FetchLike } from "./verify/options.js";

/**
 * What every method takes last, in place of the generated client's axios
 * request config.
 *
 * @example
 * const controller = new AbortController();
 * await api.listTokens(undefined, { signal: controller.signal, timeoutMs: 2_000 });
 */
export interface RequestOptions {
  /** Aborts the call: before it is sent, while it is in flight, or while it waits to retry. */
  readonly signal?: AbortSignal;
  /** How long one attempt may take, in place of the configuration's. */
  readonly timeoutMs?: number;
  /** Headers for this call; they win over the configuration's and the SDK's own. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A request body: JSON, or an OAuth form (RFC 6749 §3.2).
 *
 * @example
 * const body: RequestBody = { form: { grant_type: "client_credentials" } };
 */
export type RequestBody = { readonly json: unknown } | { readonly form: object };

/**
 * One call of an operation: its row, and what this call fills in.
 *
 * @example
 * const call: Call = { operation: AUTH_API_OPERATIONS.revokeToken, pathParams: { tokenId } };
 */
export interface Call {
  readonly operation: OperationSpec;
  readonly pathParams?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** Header parameters (spec 003's `Authorization` and `AccessToken`); undefined ones are left out. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: RequestBody;
  /** The security applied, when the call narrows its operation's (a form that carries its own client credentials). */
  readonly security?: Security;
  /** The `Accept` header (default `application/json`). */
  readonly accept?: string;
}

/**
 * True for a path parameter that would name another path: an empty one
 * (`/auth/tokens//revoke`), or `.` or `..`, plain or percent-encoded, which
 * `encodeURIComponent` leaves as they are and URL parsers and servers
 * resolve as dot-segments (RFC 3986 §5.2.4): a tenant `..` would send a
 * client secret to the default tenant's `/oauth/token`.
 *
 * @example
 * namesAnotherPath("%2e%2e"); // true
 */
export function namesAnotherPath(value: string): boolean {
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    // Not percent-encoding: the value as it is.
  }
  return [value, decoded].some((form) => form === "" || form === "." || form === "..");
}

/** The call's URL; throws {@link RequiredError} for a path parameter that is missing or names another path. */
function urlOf(basePath: string, call: Call): string {
  const path = call.operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = call.pathParams?.[name] ?? "";
    if (namesAnotherPath(value)) {
      throw new RequiredError(
        name,
        `Required parameter ${name} was empty, "." or ".." when calling ${call.operation.operationId}.`,
      );
    }
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(call.query ?? {})) {
    if (value !== undefined) {
      query.set(name, value);
    }
  }
  const search = query.toString() === "" ? "" : `?${query.toString()}`;
  return `${basePath.replace(/\/+$/, "")}${path}${search}`;
}

/** A form's fields, a repeatable one (RFC 8707 `resource`) once per value; undefined ones left out. */
function formOf(fields: object): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields) as [string, unknown][]) {
    for (const one of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (one !== undefined && one !== null) {
        form.append(name, String(one));
      }
    }
  }
  return form.toString();
}

/** The request's headers and body; headers set later win, whatever their case. */
async function prepare(
  configuration: Configuration | undefined,
  call: Call,
  options: RequestOptions | undefined,
): Promise<{ headers: Headers; body: string | undefined }> {
  const headers = new Headers({ Accept: call.accept ?? "application/json" });
  let body: string | undefined;
  if (call.body !== undefined && "json" in call.body && call.body.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(call.body.json);
  } else if (call.body !== undefined && "form" in call.body) {
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    body = formOf(call.body.form);
  }
  const credentials = await credentialHeaders(
    configuration,
    call.security ?? call.operation.security,
  );
  const layers = [credentials, configuration?.headers, call.headers, options?.headers];
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer ?? {})) {
      if (value !== undefined) {
        headers.set(name, value);
      }
    }
  }
  return { headers, body };
}

async function readData(response: Response, configuration: Configuration | undefined) {
  const text = await response.text();
  if (text === "") {
    return undefined;
  }
  const type = response.headers.get("content-type") ?? "";
  const json = configuration?.isJsonMime(type) ?? /^application\/([\w.-]+\+)?json/i.test(type);
  if (!json) {
    return text;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** What one attempt ended with: an answer, a redirect not followed, or a failure to get one. */
type Attempt =
  | { readonly response: ApiResponse<unknown> }
  | { readonly redirect: TesseraRedirectError }
  | { readonly failure: TesseraTimeoutError | TesseraNetworkError };

/**
 * A redirect, as fetch hands it back under `redirect: "manual"`: a 3xx in
 * Node, Deno and Bun; in a browser an opaque redirect, of status 0.
 */
function isRedirect(response: Response): boolean {
  return response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400);
}

/** The origin a redirect's `Location` points to, resolved against the request's URL. */
function locationOriginOf(response: Response, url: string): string | undefined {
  const location = response.headers.get("location");
  if (location === null) {
    return undefined;
  }
  try {
    const { origin } = new URL(location, url);
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * One attempt, under a signal that aborts on the caller's signal or after
 * `timeoutMs`, whichever comes first (combined by hand: `AbortSignal.any`
 * is missing before Node 20.3, and this way the timer is always cleared).
 * A caller's abort rejects with the caller's reason, as fetch does.
 * Redirects are never followed (`redirect: "manual"`): fetch would send the
 * request's credentials and body on to wherever `Location` points,
 * stripping only `Authorization`.
 */
async function attempt(
  fetchImpl: FetchLike,
  url: string,
  init: { method: string; headers: Headers; body: string | undefined },
  context: {
    readonly operationId: string;
    readonly timeoutMs: number;
    readonly signal: AbortSignal | undefined;
    readonly configuration: Configuration | undefined;
  },
): Promise<Attempt> {
  const { operationId, timeoutMs, signal } = context;
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer =
    Number.isFinite(timeoutMs) && timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort(new TesseraTimeoutError(operationId, timeoutMs));
        }, timeoutMs)
      : undefined;
  try {
    const response = await fetchImpl(url, {
      method: init.method,
      headers: init.headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      signal: controller.signal,
      redirect: "manual",
    });
    if (isRedirect(response)) {
      await response.body?.cancel();
      const origin = new URL(url).origin;
      const target = locationOriginOf(response, url);
      return { redirect: new TesseraRedirectError(operationId, response.status, origin, target) };
    }
    const data = await readData(response, context.configuration);
    const headers = Object.fromEntries(response.headers.entries());
    return { response: { status: response.status, data, headers } };
  } catch (error) {
    if (signal?.aborted === true) {
      throw signal.reason;
    }
    if (timedOut) {
      return { failure: new TesseraTimeoutError(operationId, timeoutMs) };
    }
    return { failure: new TesseraNetworkError(operationId, new URL(url).origin, error) };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Sends one call of an operation and resolves to its 2xx answer as
 * `{ status, data, headers }`; any other answer rejects with its typed
 * {@link TesseraApiError}, except a redirect, which is not followed and
 * rejects with {@link TesseraRedirectError}. Retries follow the operation's
 * {@link RetryClass} and the configuration's `retry`: a 429 or 503 of a
 * safe or idempotent operation, and a network failure or timeout of a safe
 * one, are tried again after a full-jitter backoff that is never shorter
 * than `Retry-After`. A `Retry-After` past `maxRetryAfterMs`, or the
 * signal aborting while waiting, ends the call with the answer's typed
 * error. An already-aborted signal rejects before anything is sent, as
 * does a path parameter that is empty, `.` or `..` ({@link RequiredError}).
 *
 * @example
 * const { data } = await send<TokenList>(configuration, BASE_PATH, {
 *   operation: AUTH_API_OPERATIONS.listTokens,
 * });
 */
export async function send<T>(
  configuration: Configuration | undefined,
  basePath: string,
  call: Call,
  options?: RequestOptions,
): Promise<ApiResponse<T>> {
  const signal = options?.signal;
  signal?.throwIfAborted();
  const { operation } = call;
  const policy = retryPolicyOf(configuration?.retry);
  const fetchImpl: FetchLike = configuration?.fetch ?? ((input, init) => fetch(input, init));
  const url = urlOf(configuration?.basePath ?? basePath, call);
  const prepared = await prepare(configuration, call, options);
  signal?.throwIfAborted();
  const context = {
    operationId: operation.operationId,
    timeoutMs: options?.timeoutMs ?? configuration?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    signal,
    configuration,
  };
  for (let attemptNo = 0; ; attemptNo++) {
    const result = await attempt(
      fetchImpl,
      url,
      { method: operation.method, ...prepared },
      context,
    );
    const mayRetry = attemptNo < policy.retries;
    if ("redirect" in result) {
      throw result.redirect;
    }
    if ("failure" in result) {
      if (!mayRetry || operation.retry !== "safe") {
        throw result.failure;
      }
      await policy.sleep(backoffMs(policy, attemptNo), signal);
      continue;
    }
    const { response } = result;
    if (response.status >= 200 && response.status < 300) {
      return response as ApiResponse<T>;
    }
    const error: TesseraApiError = createApiError({
      ...classifyError(operation.dialect, response),
      operationId: operation.operationId,
      response,
    });
    const delay =
      mayRetry && retriesStatus(operation.retry, response.status)
        ? retryDelayMs(policy, attemptNo, error.retryAfter)
        : undefined;
    if (delay === undefined) {
      throw error;
    }
    try {
      await policy.sleep(delay, signal);
    } catch {
      // Aborted while waiting: the answer the server gave is the outcome.
      throw error;
    }
  }
}
