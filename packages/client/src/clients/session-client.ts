import { decodeJwt } from "jose";
import type { ConfigurationParameters } from "../configuration.js";
import type { SessionTokenResponse } from "../models.js";
import { SessionApi } from "../session-api.js";
import type { RequestOptions } from "../transport.js";
import { type Clock, renewalTime, skewMsOf, systemClock } from "./clock.js";
import { deriveConfiguration } from "./derive-configuration.js";
import { NoSessionError, SessionEndedError } from "./errors.js";
import { refusesToken } from "./refused-token.js";
import { SingleFlight } from "./single-flight.js";

/**
 * Receives the session's tokens whenever they change, to persist them:
 * after `login`, every refresh (with the policy `rotate`, the answer's new
 * refresh token is the only one that still works) and `impersonate`; `null`
 * when the client forgets them (`logout`, or the session ended). Awaited
 * before the new tokens are handed out; its rejection is the call's. The
 * client keeps tokens it rejected (after a rotation the old refresh token
 * no longer works) and hands them to it again at the start of every later
 * call, which rejects while it fails.
 *
 * @example
 * const onTokens: SessionTokensListener = async (tokens) => {
 *   if (tokens === null) await store.delete("session");
 *   else await store.put("session", JSON.stringify(tokens));
 * };
 */
export type SessionTokensListener = (tokens: SessionTokenResponse | null) => void | Promise<void>;

/**
 * What a {@link SessionClient} is built from.
 *
 * @example
 * const options: SessionClientOptions = {
 *   configuration: { basePath: "https://auth.example.com", apiKey },
 *   refreshSkewSeconds: 120,
 * };
 */
export interface SessionClientOptions {
  /**
   * The server (`basePath`), the API key sent as `X-API-Key` (`apiKey`) and
   * the transport (`fetch`, `timeoutMs`, `retry`, `headers`); its
   * `accessToken`, `username` and `password` are not used.
   */
  readonly configuration: ConfigurationParameters;
  /** Refresh this long before the access token's `expireEpoch` (default 60). */
  readonly refreshSkewSeconds?: number;
  /** The time, in epoch milliseconds (default `Date.now`). */
  readonly clock?: Clock;
  /** A session persisted earlier (what `onTokens` received), to carry on without logging in. */
  readonly tokens?: SessionTokenResponse;
  readonly onTokens?: SessionTokensListener;
}

/** The tokens held, and when they are due for a refresh. */
interface Held {
  readonly response: SessionTokenResponse;
  readonly renewAt: number;
}

/** Epoch milliseconds of a JWT's `iat`, or undefined when it has none or is no JWT. */
function issuedAtOf(token: string): number | undefined {
  try {
    const { iat } = decodeJwt(token);
    return typeof iat === "number" ? iat * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A user's session over the session API (spec 000, 001, 003), kept usable:
 * `getAccessToken()` hands out the cached access token and refreshes it
 * `refreshSkewSeconds` before its `expireEpoch`, once for all concurrent
 * callers. A refresh follows the tenant's refresh policy without being
 * told it: with `rotate` the answer's new refresh token replaces the old
 * one together with the access and ID tokens, in one step; with `none` it
 * is the same token. When the server refuses the refresh token (the session
 * was revoked, logged out elsewhere, expired, or a rotated token was
 * reused), every waiting caller gets a {@link SessionEndedError}, the tokens
 * are cleared, and later calls fail with it at once, without a request,
 * until `login`.
 *
 * The access token handed out is checked by resource servers against its
 * session, so one handed out just before a revocation stops working there
 * at once; the client learns of it at its next refresh.
 *
 * @example
 * const session = new SessionClient({
 *   configuration: new Configuration({ basePath: "https://auth.example.com", apiKey }),
 *   onTokens: (tokens) => save(tokens),
 * });
 * await session.login("alice", password);
 * const response = await fetch(url, {
 *   headers: { AccessToken: await session.getAccessToken() },
 * });
 */
export class SessionClient {
  readonly #options: SessionClientOptions;
  readonly #api: SessionApi;
  readonly #clock: Clock;
  readonly #skewMs: number;
  readonly #refreshing = new SingleFlight<SessionTokenResponse>();
  #held: Held | undefined;
  /** The tokens held, when `onTokens` rejected them: to be handed to it again. */
  #unsaved: Held | undefined;
  readonly #saving = new SingleFlight<void>();
  #ended: SessionEndedError | undefined;

  constructor(options: SessionClientOptions) {
    this.#options = options;
    this.#api = new SessionApi(deriveConfiguration(options.configuration));
    this.#clock = options.clock ?? systemClock;
    this.#skewMs = skewMsOf(options.refreshSkewSeconds);
    if (options.tokens !== undefined) {
      this.#held = this.#hold(options.tokens);
    }
  }

  /**
   * The whole session answer held (what `onTokens` receives), or undefined.
   *
   * @example
   * localStorage.setItem("session", JSON.stringify(session.tokens));
   */
  get tokens(): SessionTokenResponse | undefined {
    return this.#held?.response;
  }

  /**
   * The ID token (`session.authorization`), refreshed with the access
   * token: spec 003's `Authorization` header, and who the user is.
   *
   * @example
   * const claims = decodeJwt(session.idToken ?? "");
   */
  get idToken(): string | undefined {
    return this.#held?.response.session.authorization;
  }

  /**
   * When the access token held expires, in epoch milliseconds (the
   * answer's `expireEpoch`); refreshing moves it on.
   *
   * @example
   * const minutesLeft = ((session.expireEpoch ?? 0) - Date.now()) / 60_000;
   */
  get expireEpoch(): number | undefined {
    return this.#held?.response.session.expireEpoch;
  }

  /**
   * The user of the session held.
   *
   * @example
   * console.log(`signed in as ${session.username}`);
   */
  get username(): string | undefined {
    return this.#held?.response.username;
  }

  /**
   * Starts a session with the user's password in the body (spec 001),
   * replacing any session held (without ending it on the server: `logout`
   * first for that).
   *
   * @example
   * await session.login("alice", password);
   */
  async login(
    username: string,
    password: string,
    options?: RequestOptions,
  ): Promise<SessionTokenResponse> {
    const { data } = await this.#api.createToken({ username, password }, options);
    this.#ended = undefined;
    this.#held = this.#hold(data);
    await this.#save(this.#held);
    return data;
  }

  /**
   * Refreshes now, whatever the access token's expiry; joins a refresh
   * already in flight instead of starting a second one.
   *
   * @example
   * const { session: tokens } = await session.refresh();
   */
  async refresh(): Promise<SessionTokenResponse> {
    await this.#saved();
    const held = this.#current();
    return this.#refreshing.run(() => this.#refresh(held));
  }

  /**
   * The access token (spec 001's `AccessToken` header): the one held
   * until `refreshSkewSeconds` before it expires, then a refreshed one,
   * one refresh for all concurrent callers. Rejects with
   * {@link SessionEndedError} once the session has ended, and with
   * {@link NoSessionError} before `login` or after `logout`.
   *
   * @example
   * headers.AccessToken = await session.getAccessToken();
   */
  async getAccessToken(): Promise<string> {
    await this.#saved();
    const held = this.#current();
    if (this.#clock() < held.renewAt) {
      return held.response.session.accessToken;
    }
    const response = await this.#refreshing.run(() => this.#refresh(held));
    return response.session.accessToken;
  }

  /**
   * Ends the session on the server (`DELETE /auth/token`, with every
   * impersonation session born of it) and forgets its tokens. Waits for a
   * refresh in flight first, so the token it ends is the latest. The tokens
   * are forgotten even when the request fails, and the failure is thrown.
   * Without a session, does nothing.
   *
   * @example
   * await session.logout();
   */
  async logout(options?: RequestOptions): Promise<void> {
    await this.#refreshing.settled();
    const held = this.#held;
    this.#held = undefined;
    this.#unsaved = undefined;
    this.#ended = undefined;
    if (held === undefined) {
      return;
    }
    const { refreshToken, accessToken } = held.response.session;
    try {
      await this.#api.revokeSessionToken({ session: { refreshToken, accessToken } }, options);
    } finally {
      await this.#options.onTokens?.(null);
    }
  }

  /**
   * A session as another user (spec 003, for a caller holding
   * `impersonate`), as a client of its own: it refreshes on its own and
   * ends when this session ends. It shares this client's configuration,
   * clock and skew, not its `onTokens`.
   *
   * @example
   * const asBob = await admin.impersonate("bob");
   * await callApiAs(await asBob.getAccessToken());
   * await asBob.logout();
   */
  async impersonate(
    username: string,
    options: { readonly onTokens?: SessionTokensListener; readonly request?: RequestOptions } = {},
  ): Promise<SessionClient> {
    // A fresh access token, and the ID token refreshed with it: one session's pair.
    await this.getAccessToken();
    const { session } = this.#current().response;
    const { data } = await this.#api.impersonate(
      { username },
      { authorization: session.authorization, accessToken: session.accessToken },
      options.request,
    );
    const { configuration, clock, refreshSkewSeconds } = this.#options;
    const impersonated = new SessionClient({
      configuration,
      tokens: data,
      ...(clock === undefined ? {} : { clock }),
      ...(refreshSkewSeconds === undefined ? {} : { refreshSkewSeconds }),
      ...(options.onTokens === undefined ? {} : { onTokens: options.onTokens }),
    });
    await options.onTokens?.(data);
    return impersonated;
  }

  /** The tokens held; the session's end, or that there is none, otherwise. */
  #current(): Held {
    if (this.#ended !== undefined) {
      throw this.#ended;
    }
    if (this.#held === undefined) {
      throw new NoSessionError();
    }
    return this.#held;
  }

  /**
   * Hands `held` to `onTokens`; should it reject, `held` stays unsaved (and
   * in use: under `rotate` the refresh token it replaced is dead) until
   * a later call's `#saved` gets it through.
   */
  async #save(held: Held): Promise<void> {
    this.#unsaved = held;
    await this.#options.onTokens?.(held.response);
    if (this.#unsaved === held) {
      this.#unsaved = undefined;
    }
  }

  /** Hands tokens `onTokens` rejected to it again, once for concurrent callers; rejects while it fails. */
  async #saved(): Promise<void> {
    if (this.#unsaved === undefined) {
      return;
    }
    await this.#saving.run(async () => {
      const unsaved = this.#unsaved;
      if (unsaved === undefined) {
        return;
      }
      if (unsaved !== this.#held) {
        // Replaced since (a login): those tokens went to onTokens themselves.
        this.#unsaved = undefined;
        return;
      }
      await this.#save(unsaved);
    });
  }

  #hold(response: SessionTokenResponse): Held {
    const { accessToken, expireEpoch } = response.session;
    const issuedAt = issuedAtOf(accessToken) ?? Number.NEGATIVE_INFINITY;
    return { response, renewAt: renewalTime(issuedAt, expireEpoch, this.#skewMs) };
  }

  /**
   * One refresh of `held`. Its outcome is applied only if `held` is still
   * what the client holds: a logout or login while it ran wins.
   */
  async #refresh(held: Held): Promise<SessionTokenResponse> {
    const refreshToken = held.response.session.refreshToken;
    let data: SessionTokenResponse;
    try {
      ({ data } = await this.#api.createToken({ session: { refreshToken } }));
    } catch (error) {
      if (this.#held !== held) {
        return this.#current().response;
      }
      if (!refusesToken(error)) {
        throw error;
      }
      const ended = new SessionEndedError(error);
      this.#held = undefined;
      this.#unsaved = undefined;
      this.#ended = ended;
      try {
        await this.#options.onTokens?.(null);
      } catch {
        // The session's end is what every caller must learn; a failure to forget is the app's own.
      }
      throw ended;
    }
    if (this.#held !== held) {
      return this.#current().response;
    }
    // One assignment: the access, ID and (under `rotate`) refresh token change together.
    const response =
      data.session.refreshToken === ""
        ? { ...data, session: { ...data.session, refreshToken } }
        : data;
    this.#held = this.#hold(response);
    await this.#save(this.#held);
    return response;
  }
}
