import { BASE_PATH, type ConfigurationParameters } from "../configuration.js";
import type {
  OAuthClientAuthentication,
  OAuthTokenRequest,
  OAuthTokenResponse,
} from "../models.js";
import { OAuthApi } from "../oauth-api.js";
import { namesAnotherPath } from "../transport.js";
import { type Clock, renewalTime, skewMsOf, systemClock } from "./clock.js";
import { deriveConfiguration } from "./derive-configuration.js";
import { ClientClosedError } from "./errors.js";
import { SingleFlight } from "./single-flight.js";

/**
 * What a {@link ClientCredentialsClient} is built from: where the token
 * endpoint is (`tokenEndpoint`, or `basePath` and `tenantId`), the client's
 * credentials, and what to ask for.
 *
 * @example
 * const options: ClientCredentialsClientOptions = {
 *   tokenEndpoint: "https://auth.example.com/tenants/acme/oauth/token",
 *   clientId: "reports-bot",
 *   clientSecret,
 *   scope: ["reports:read"],
 *   resource: "https://reports.example.com",
 * };
 */
export interface ClientCredentialsClientOptions {
  /** The server, e.g. `https://auth.example.com` (default: `configuration.basePath`, else {@link BASE_PATH}). */
  readonly basePath?: string;
  /**
   * The token endpoint's URL, as the tenant's metadata gives it
   * (`<issuer>/oauth/token`, or `/oauth/token` for the default tenant),
   * in place of `basePath` and `tenantId`.
   */
  readonly tokenEndpoint?: string;
  /** The tenant (default: the default tenant's unprefixed endpoints). */
  readonly tenantId?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** How the client authenticates, as it was registered (default `client_secret_basic`). */
  readonly authMethod?: "client_secret_basic" | "client_secret_post";
  /** Only these scopes (space-separated, or a list; default: the client's). */
  readonly scope?: string | readonly string[];
  /** RFC 8707 resource indicators: the tokens' audience. */
  readonly resource?: string | readonly string[];
  /** The tokens' audience, by name (RFC 8693's `audience`). */
  readonly audience?: string | readonly string[];
  /** The transport (`fetch`, `timeoutMs`, `retry`, `headers`); its credentials are not used. */
  readonly configuration?: ConfigurationParameters;
  /** Renew this long before `expires_in` ends (default 60; at most half the token's life). */
  readonly refreshSkewSeconds?: number;
  /** The time, in epoch milliseconds (default `Date.now`). */
  readonly clock?: Clock;
}

/** The token endpoint's path below the server: a tenant's (`/tenants/{id}`) or the default's. */
const TOKEN_ENDPOINT = /^(?<base>.*?)(?:\/tenants\/(?<tenant>[^/?#]+))?\/oauth\/token\/?$/;

/** A tenant id that names another path (empty, `.` or `..`) would send the secret to another endpoint. */
function checkTenantId(tenantId: string | undefined): string | undefined {
  if (tenantId !== undefined && namesAnotherPath(tenantId)) {
    throw new TypeError('tenantId must be a tenant\'s id, not empty, "." or ".."');
  }
  return tenantId;
}

function endpointOf(options: ClientCredentialsClientOptions): {
  readonly basePath: string;
  readonly tenantId: string | undefined;
} {
  if (options.tokenEndpoint === undefined) {
    return {
      basePath: options.basePath ?? options.configuration?.basePath ?? BASE_PATH,
      tenantId: checkTenantId(options.tenantId),
    };
  }
  const match = TOKEN_ENDPOINT.exec(options.tokenEndpoint);
  const base = match?.groups?.base;
  if (base === undefined || base === "") {
    throw new TypeError(
      "tokenEndpoint must be a Tessera token endpoint: <server>[/tenants/<id>]/oauth/token",
    );
  }
  const tenant = match?.groups?.tenant;
  const tenantId = tenant === undefined ? undefined : decodeURIComponent(tenant);
  if (options.tenantId !== undefined && options.tenantId !== tenantId) {
    throw new TypeError("tenantId differs from the tenant of tokenEndpoint");
  }
  return { basePath: base, tenantId: checkTenantId(tenantId) };
}

const spaced = (value: string | readonly string[]) =>
  typeof value === "string" ? value : value.join(" ");
const listed = (value: string | readonly string[]): string[] =>
  typeof value === "string" ? [value] : [...value];

/** An access token held, and when to renew it. */
interface Held {
  readonly response: OAuthTokenResponse;
  readonly renewAt: number;
}

/**
 * OAuth 2.0's client credentials grant (RFC 6749 §4.4) for a service that
 * calls APIs as itself: `getAccessToken()` keeps the access token cached
 * and renews it `refreshSkewSeconds` before its `expires_in` ends, one
 * request for all concurrent callers; `close()` revokes it at the
 * revocation endpoint (RFC 7009). The client authenticates with its secret
 * (`client_secret_basic` or `client_secret_post`).
 *
 * @example
 * const reports = new ClientCredentialsClient({
 *   basePath: "https://auth.example.com",
 *   tenantId: "acme",
 *   clientId: "reports-bot",
 *   clientSecret,
 *   scope: "reports:read",
 * });
 * const response = await fetch(url, {
 *   headers: { Authorization: `Bearer ${await reports.getAccessToken()}` },
 * });
 * await reports.close();
 */
export class ClientCredentialsClient {
  readonly #options: ClientCredentialsClientOptions;
  readonly #api: OAuthApi;
  readonly #tenantId: string | undefined;
  readonly #clock: Clock;
  readonly #skewMs: number;
  readonly #issuing = new SingleFlight<OAuthTokenResponse>();
  #held: Held | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ClientCredentialsClientOptions) {
    if (options.clientId === "" || options.clientSecret === "") {
      throw new TypeError("clientId and clientSecret are required");
    }
    const { basePath, tenantId } = endpointOf(options);
    const basic = (options.authMethod ?? "client_secret_basic") === "client_secret_basic";
    this.#options = options;
    this.#tenantId = tenantId;
    this.#api = new OAuthApi(
      deriveConfiguration(
        options.configuration,
        basic
          ? { basePath, username: options.clientId, password: options.clientSecret }
          : { basePath },
      ),
    );
    this.#clock = options.clock ?? systemClock;
    this.#skewMs = skewMsOf(options.refreshSkewSeconds);
  }

  /**
   * The access token: the one cached until `refreshSkewSeconds` before it
   * expires, then a new one, one request for all concurrent callers.
   * Rejects with {@link ClientClosedError} after `close()`.
   *
   * @example
   * headers.Authorization = `Bearer ${await reports.getAccessToken()}`;
   */
  async getAccessToken(): Promise<string> {
    this.#checkOpen();
    const held = this.#held;
    if (held !== undefined && this.#clock() < held.renewAt) {
      return held.response.access_token;
    }
    const response = await this.#issuing.run(() => this.#issue());
    return response.access_token;
  }

  /**
   * Revokes the access token held (RFC 7009), after a request for one in
   * flight, and refuses later calls. Idempotent: a second call waits for
   * the first and sends nothing.
   *
   * @example
   * process.once("SIGTERM", () => void reports.close());
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  #checkOpen(): void {
    if (this.#closing !== undefined) {
      throw new ClientClosedError("ClientCredentialsClient");
    }
  }

  /** `client_secret_post`'s members of a form; none for Basic. */
  #formCredentials(): OAuthClientAuthentication {
    const { authMethod, clientId, clientSecret } = this.#options;
    return authMethod === "client_secret_post"
      ? { client_id: clientId, client_secret: clientSecret }
      : {};
  }

  async #issue(): Promise<OAuthTokenResponse> {
    this.#checkOpen();
    const { scope, resource, audience } = this.#options;
    const form: OAuthTokenRequest = {
      grant_type: "client_credentials",
      ...this.#formCredentials(),
      ...(scope === undefined ? {} : { scope: spaced(scope) }),
      ...(resource === undefined ? {} : { resource: listed(resource) }),
      ...(audience === undefined ? {} : { audience: listed(audience) }),
    };
    const sentAt = this.#clock();
    const { data } = await this.#api.token(form, this.#tenantId);
    const expiresAt = sentAt + data.expires_in * 1000;
    this.#held = { response: data, renewAt: renewalTime(sentAt, expiresAt, this.#skewMs) };
    return data;
  }

  async #close(): Promise<void> {
    await this.#issuing.settled();
    const held = this.#held;
    this.#held = undefined;
    if (held === undefined) {
      return;
    }
    await this.#api.revoke(
      {
        token: held.response.access_token,
        token_type_hint: "access_token",
        ...this.#formCredentials(),
      },
      this.#tenantId,
    );
  }
}
