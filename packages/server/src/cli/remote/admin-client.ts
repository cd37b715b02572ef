import { ERROR_CODES, type ErrorCode, TesseraError } from "../../core/errors.js";
import { ADMIN_API_PREFIX } from "../../http/admin-api/paths.js";
import { CliError } from "../errors.js";
import type { CredentialStore, StoredLogin } from "./credentials.js";
import { jsonOf, member, send } from "./http.js";
import { OAuthRefusal, renew } from "./oauth.js";

/** An access token this close to its end is renewed before it is used. */
const RENEW_BEFORE_MS = 30_000;

/** An admin API answer: its body (JSON), and its `ETag` when it has one. */
export interface AdminAnswer<T> {
  readonly status: number;
  readonly body: T;
  readonly etag: string | undefined;
}

/** A request to the admin API, below `/admin/v1`. */
export interface AdminRequest {
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  /** Sent as `If-Match`, so a change made meanwhile fails (412) instead of being overwritten. */
  readonly ifMatch?: string;
}

/**
 * The admin API of a server the CLI is logged in to. Renews the access
 * token when it is about to end (and once more when the server refused
 * it), writing the renewed login back at once: a user's refresh token
 * rotates, and the old one must not be sent again.
 */
export class AdminClient {
  #login: StoredLogin;

  constructor(
    login: StoredLogin,
    private readonly store: CredentialStore,
  ) {
    this.#login = login;
  }

  get login(): StoredLogin {
    return this.#login;
  }

  /** The path of a tenant's resources, below `/admin/v1`. */
  static tenantPath(tenant: string, below = ""): string {
    return `/tenants/${encodeURIComponent(tenant)}${below}`;
  }

  async get<T>(path: string, request: AdminRequest = {}): Promise<AdminAnswer<T>> {
    return this.call<T>("GET", path, request);
  }

  /** Every item of a cursor-paged list (`{items, next}`), page after page. */
  async all<T>(path: string, query: AdminRequest["query"] = {}): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.get<{ items: T[]; next: string | null }>(path, {
        query: { ...query, limit: 200, ...(cursor === undefined ? {} : { cursor }) },
      });
      items.push(...page.body.items);
      cursor = page.body.next ?? undefined;
    } while (cursor !== undefined);
    return items;
  }

  async call<T>(method: string, path: string, request: AdminRequest = {}): Promise<AdminAnswer<T>> {
    if (this.#login.expiresAt - RENEW_BEFORE_MS <= Date.now()) {
      await this.#renew();
    }
    let response = await this.#send(method, path, request);
    if (response.status === 401) {
      // Ended early (revoked, or a clock apart): renewed once, and asked again.
      await this.#renew();
      response = await this.#send(method, path, request);
    }
    const body = response.status === 204 ? undefined : await jsonOf(response);
    if (!response.ok) {
      throw this.#failure(response.status, body);
    }
    return {
      status: response.status,
      body: body as T,
      etag: response.headers.get("etag") ?? undefined,
    };
  }

  /** The raw answer of a streamed resource (the audit export's NDJSON). */
  async stream(path: string, request: AdminRequest = {}): Promise<Response> {
    if (this.#login.expiresAt - RENEW_BEFORE_MS <= Date.now()) {
      await this.#renew();
    }
    const response = await this.#send("GET", path, request);
    if (!response.ok) {
      throw this.#failure(response.status, await jsonOf(response));
    }
    return response;
  }

  async #send(method: string, path: string, request: AdminRequest): Promise<Response> {
    const url = new URL(`${this.#login.server}${ADMIN_API_PREFIX}${path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) {
        url.searchParams.set(name, String(value));
      }
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#login.accessToken}`,
      accept: "application/json",
    };
    if (request.body !== undefined) {
      headers["content-type"] = "application/json";
    }
    if (request.ifMatch !== undefined) {
      headers["if-match"] = request.ifMatch;
    }
    return send(this.#login.server, url.toString(), {
      method,
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    });
  }

  async #renew(): Promise<void> {
    // Another command may have renewed this login since this one read it
    // (a user's refresh token rotates): take its result rather than send a
    // refresh token that is already used up.
    const stored = this.store.get(this.#login.server);
    if (
      stored !== undefined &&
      stored.accessToken !== this.#login.accessToken &&
      stored.expiresAt - RENEW_BEFORE_MS > Date.now()
    ) {
      this.#login = stored;
      return;
    }
    const login = stored ?? this.#login;
    let renewed: Awaited<ReturnType<typeof renew>>;
    try {
      renewed = await renew(login);
    } catch (error) {
      if (error instanceof OAuthRefusal) {
        throw new CliError(
          "not_logged_in",
          `Your login to ${login.server} has ended (${error.message}): run tessera login --server ${login.server}`,
        );
      }
      throw error;
    }
    this.#login = {
      ...login,
      accessToken: renewed.accessToken,
      expiresAt: renewed.expiresAt,
      refreshToken: renewed.refreshToken ?? login.refreshToken,
    };
    this.store.save(this.#login, { current: false });
  }

  #failure(status: number, body: unknown): CliError | TesseraError {
    const code = member(body, "code");
    const detail = member(body, "detail") ?? member(body, "title");
    if (code === undefined || detail === undefined) {
      return new CliError(
        "unreachable",
        `${this.#login.server} did not answer as a Tessera server would (HTTP ${status})`,
      );
    }
    if (status === 401) {
      return new CliError(
        "not_logged_in",
        `${this.#login.server} refused this login (${detail}): run tessera login --server ${this.#login.server}`,
      );
    }
    // The core's own error, as local mode raises it: the same code and words either way.
    return (ERROR_CODES as readonly string[]).includes(code)
      ? new TesseraError(code as ErrorCode, detail)
      : new CliError("failed", detail);
  }
}
