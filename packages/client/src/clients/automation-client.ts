import { decodeJwt } from "jose";
import { AuthApi } from "../auth-api.js";
import type { ConfigurationParameters } from "../configuration.js";
import { TesseraApiError } from "../errors.js";
import type { LongTokenResponse, ShortTokenRequest, ShortTokenResponse } from "../models.js";
import { type Clock, renewalTime, skewMsOf, systemClock } from "./clock.js";
import { deriveConfiguration } from "./derive-configuration.js";
import { ClientClosedError, RotationWindowError } from "./errors.js";
import { refusesToken } from "./refused-token.js";
import { Serial } from "./serial.js";
import { SingleFlight } from "./single-flight.js";

const DAY_MS = 24 * 3600 * 1000;
/** The shortest short-term token the server issues: enough for one step-up. */
const STEP_UP_TTL_SECONDS = 60;
/** How long after a failed automatic rotation `getAccessToken` leaves rotating alone. */
const ROTATION_RETRY_MS = 5 * 60 * 1000;
/** The longest lifetime the server gives a long-term token, in days. */
const MAX_LONG_TERM_DAYS = 90;

/**
 * What an {@link AutomationClient} is built from.
 *
 * @example
 * const options: AutomationClientOptions = {
 *   configuration: { basePath: "https://auth.example.com", apiKey },
 *   longTermToken: process.env.TESSERA_TOKEN ?? "",
 *   scopes: ["deploy:staging"],
 * };
 */
export interface AutomationClientOptions {
  /**
   * The server (`basePath`), the API key (`apiKey`, `X-API-Key`: needed only
   * to rotate) and the transport (`fetch`, `timeoutMs`, `retry`,
   * `headers`); its `accessToken`, `username` and `password` are not used.
   */
  readonly configuration?: ConfigurationParameters;
  /** The long-term token (`tsr_lt_…`). */
  readonly longTermToken: string;
  /** Its id (`token_id`, `lt_…`), when known; else read from its first short-term token. */
  readonly longTermTokenId?: string;
  /**
   * When it expires (the issue answer's ISO 8601 `expires_at`, or epoch
   * milliseconds), when known; else, if `rotateBeforeDays` needs it, read
   * from the client's token list.
   */
  readonly longTermTokenExpiresAt?: string | number;
  /** Short-term tokens with only these scopes (default: all the long-term token's). */
  readonly scopes?: readonly string[];
  /** Short-term tokens for this audience (default: the tenant's issuer). */
  readonly audience?: string;
  /** Short-term token lifetime, 60 to 900 seconds (default: the server's, 900). */
  readonly ttlSeconds?: number;
  /** Renew a short-term token this long before it expires (default 60; at most half its life). */
  readonly refreshSkewSeconds?: number;
  /** The time, in epoch milliseconds (default `Date.now`). */
  readonly clock?: Clock;
  /**
   * Rotate the long-term token inside `getAccessToken` once it is this
   * close to its end, in days. Needs `configuration.apiKey`. A rotation
   * that fails there (a 403 for a token without `tokens:write`, a 5xx, the
   * network) does not fail `getAccessToken`: the client carries on with the
   * current long-term token, records the failure (`lastRotationError`,
   * `onRotationError`) and tries again 5 minutes later, by `clock`. Only the
   * long-term token itself being refused fails it. Above 0 and below 90 (and
   * below `rotationTtlDays`); a rotated token already this close to its end
   * is not rotated again by itself ({@link RotationWindowError}).
   */
  readonly rotateBeforeDays?: number;
  /** The rotated token's lifetime, 30 to 90 days (default: the server's, 30). */
  readonly rotationTtlDays?: number;
  /** The rotated token's name, for operators' listings. */
  readonly rotationName?: string;
  /**
   * End the replaced long-term token as soon as the rotation is persisted,
   * instead of letting it work on through the server's overlap (15 minutes,
   * so the other holders of a shared token can roll over). For a token only
   * this process holds. Should that revocation fail, `rotate` rejects,
   * though the rotation stands and `onRotate` has the new token.
   */
  readonly revokeReplacedToken?: boolean;
  /**
   * Receives the new long-term token after a rotation, to persist it; the
   * client switches to it only once this resolves. Should it reject, the
   * call that rotated rejects with its error, and the client keeps using the
   * old token (which works on through the server's 15-minute overlap) with
   * the new one pending: every later call first hands that same token to
   * `onRotate` again, rejecting while it fails, and no other rotation starts
   * meanwhile.
   */
  readonly onRotate?: (longTermToken: LongTokenResponse) => void | Promise<void>;
  /**
   * Told when a rotation inside `getAccessToken` fails, once per failure,
   * to log or alert on it: the client goes on with the current token. Told
   * too, with a {@link RotationWindowError}, when a rotation gives a token
   * already inside `rotateBeforeDays`. Awaited; its own failure is ignored.
   */
  readonly onRotationError?: (error: unknown) => void | Promise<void>;
  /** Let `close()` revoke the long-term token too: a CI job's own, single-use token. */
  readonly revokeLongTermTokenOnClose?: boolean;
}

/** The long-term token in use; id and expiry as far as known. */
interface LongTerm {
  readonly token: string;
  readonly id: string | undefined;
  readonly expiresAt: number | undefined;
}

/** A rotated long-term token `onRotate` has not yet taken, and the id of the token it replaces. */
interface PendingRotation {
  readonly response: LongTokenResponse;
  readonly replacedId: string;
}

/** A short-term token held, and when to renew it. */
interface ShortTerm {
  readonly response: ShortTokenResponse;
  readonly renewAt: number;
}

function expiryOf(value: string | number | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const ms = typeof value === "number" ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new RangeError("longTermTokenExpiresAt must be an ISO 8601 date or epoch milliseconds");
  }
  return ms;
}

/** The long-term token a short-term token was issued from (its `parent_token_id` claim). */
function parentTokenIdOf(shortTermToken: string): string {
  const { parent_token_id: parent } = decodeJwt(shortTermToken);
  if (typeof parent !== "string" || parent === "") {
    throw new Error("The short-term token names no parent_token_id");
  }
  return parent;
}

/** A revocation on close that finds nothing left to revoke (idempotent `close`). */
async function revokeIgnoringEnded(revocation: Promise<unknown>): Promise<void> {
  try {
    await revocation;
  } catch (error) {
    if (!refusesToken(error) && !(error instanceof TesseraApiError && error.code === "not_found")) {
      throw error;
    }
  }
}

/**
 * Automation over the token API (spec 004): a long-term token in, short-term
 * access tokens out. `getAccessToken()` keeps one short-term token cached
 * and renews it before it expires, once for all concurrent callers;
 * `rotate()` replaces the long-term token (`rotate_token_id`, stepping up
 * with a short-term token of scope `tokens:write`) and hands the new one to
 * `onRotate`; with `rotateBeforeDays` that happens by itself; `close()`
 * revokes what the client holds. Renewal, rotation and close never overlap.
 *
 * A long-term token the server refuses as revoked, expired or invalid ends
 * the client: every waiting caller gets that typed error, and later calls
 * get it at once, without a request.
 *
 * @example
 * const automation = new AutomationClient({
 *   configuration: new Configuration({ basePath: "https://auth.example.com", apiKey }),
 *   longTermToken: saved.token,
 *   longTermTokenId: saved.token_id,
 *   longTermTokenExpiresAt: saved.expires_at,
 *   rotateBeforeDays: 7,
 *   onRotate: (next) => secrets.write("tessera-token", next),
 * });
 * await deploy({ token: await automation.getAccessToken() });
 * await automation.close();
 */
export class AutomationClient {
  readonly #options: AutomationClientOptions;
  readonly #clock: Clock;
  readonly #skewMs: number;
  readonly #serial = new Serial();
  readonly #renewal = new SingleFlight<ShortTokenResponse>();
  readonly #rotation = new SingleFlight<LongTokenResponse>();
  readonly #lookup = new SingleFlight<number>();
  #long: LongTerm;
  #short: ShortTerm | undefined;
  #pending: PendingRotation | undefined;
  #rotationError: unknown;
  /** When `getAccessToken` may rotate again after a failed rotation (epoch milliseconds). */
  #rotationRetryAt = Number.NEGATIVE_INFINITY;
  /** A rotated token born inside the rotation window, which `getAccessToken` leaves alone. */
  #notRotatedId: string | undefined;
  #ended: TesseraApiError | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: AutomationClientOptions) {
    if (options.longTermToken === "") {
      throw new TypeError("longTermToken is required");
    }
    const { rotateBeforeDays } = options;
    if (rotateBeforeDays !== undefined) {
      if (
        !Number.isFinite(rotateBeforeDays) ||
        rotateBeforeDays <= 0 ||
        rotateBeforeDays >= MAX_LONG_TERM_DAYS
      ) {
        throw new RangeError(
          `rotateBeforeDays must be a number of days above 0 and below ${MAX_LONG_TERM_DAYS}`,
        );
      }
      const { rotationTtlDays } = options;
      if (rotationTtlDays !== undefined && rotateBeforeDays >= rotationTtlDays) {
        throw new RangeError(
          "rotateBeforeDays must be below rotationTtlDays: each rotated token would be due at once",
        );
      }
      if (options.configuration?.apiKey === undefined) {
        throw new TypeError(
          "rotateBeforeDays needs configuration.apiKey: rotating sends X-API-Key",
        );
      }
    }
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#skewMs = skewMsOf(options.refreshSkewSeconds);
    this.#long = {
      token: options.longTermToken,
      id: options.longTermTokenId,
      expiresAt: expiryOf(options.longTermTokenExpiresAt),
    };
  }

  /**
   * The id of the long-term token in use, once known.
   *
   * @example
   * console.log(`using ${automation.longTermTokenId}`);
   */
  get longTermTokenId(): string | undefined {
    return this.#long.id;
  }

  /**
   * When the long-term token in use expires (epoch milliseconds), once known.
   *
   * @example
   * const daysLeft = ((automation.longTermTokenExpiresAt ?? 0) - Date.now()) / 86_400_000;
   */
  get longTermTokenExpiresAt(): number | undefined {
    return this.#long.expiresAt;
  }

  /**
   * Why the last rotation inside `getAccessToken` failed, until a rotation
   * succeeds; undefined when none has failed. The client still works on the
   * current long-term token, which nears its end: worth an alert. A
   * {@link RotationWindowError} when the last rotation gave a token already
   * inside `rotateBeforeDays`, which is not rotated again by itself.
   *
   * @example
   * if (automation.lastRotationError !== undefined) log.warn("rotation failing", automation.lastRotationError);
   */
  get lastRotationError(): unknown {
    return this.#rotationError;
  }

  /**
   * A short-term access token: the one cached, until `refreshSkewSeconds`
   * before it expires (at most half its life), then a new one, one request
   * for all concurrent callers. With `rotateBeforeDays`, rotates the
   * long-term token first once it is that close to its end (a failed
   * rotation is recorded in `lastRotationError`, not thrown). Hands a rotated
   * token that `onRotate` has not yet taken to it again first, and rejects
   * while it fails. Rejects with {@link ClientClosedError} after `close()`.
   *
   * @example
   * const response = await fetch(url, {
   *   headers: { Authorization: `Bearer ${await automation.getAccessToken()}` },
   * });
   */
  async getAccessToken(): Promise<string> {
    this.#checkUsable();
    if (this.#pending !== undefined) {
      // Completes the rotation whose token onRotate has not taken: no new one starts.
      await this.rotate();
    }
    await this.#rotateIfDue();
    const short = this.#short;
    if (short !== undefined && this.#clock() < short.renewAt) {
      return short.response.access_token;
    }
    const renewed = await this.#renewal.run(() => this.#serial.run(() => this.#renew()));
    return renewed.access_token;
  }

  /**
   * Rotates the long-term token now: a short-term token of every scope the
   * long-term token holds (which must include `tokens:write`) steps up for
   * `POST /auth/tokens/long` with `rotate_token_id`, under
   * `configuration.apiKey`; the client hands the new token to `onRotate`,
   * switches to it once that resolves, and revokes the step-up token (or,
   * with `revokeReplacedToken`, the replaced token and everything issued
   * from it). Concurrent calls share one rotation. The replaced token
   * otherwise keeps working through the server's 15-minute overlap. While
   * a rotated token waits for `onRotate` (it rejected before), this hands
   * that token to it again instead of rotating anew.
   *
   * @example
   * const next = await automation.rotate();
   * console.log(`rotated to ${next.token_id}, valid until ${next.expires_at}`);
   */
  async rotate(): Promise<LongTokenResponse> {
    this.#checkUsable();
    return this.#rotation.run(() => this.#serial.run(() => this.#rotate()));
  }

  /**
   * Revokes the short-term token held (with `revokeLongTermTokenOnClose`,
   * the long-term token, and every short-term token with it) after any
   * renewal or rotation in flight, and refuses later calls. Idempotent: a
   * second call waits for the first and sends nothing; a token already
   * ended is not an error.
   *
   * @example
   * try {
   *   await runJob(await automation.getAccessToken());
   * } finally {
   *   await automation.close();
   * }
   */
  close(): Promise<void> {
    this.#closing ??= this.#serial.run(() => this.#close());
    return this.#closing;
  }

  #checkUsable(): void {
    if (this.#closing !== undefined) {
      throw new ClientClosedError("AutomationClient");
    }
    if (this.#ended !== undefined) {
      throw this.#ended;
    }
  }

  /**
   * The token API with `bearer` as its Bearer token. `X-API-Key` goes only
   * where an operation asks for it (`issueLongTermToken`).
   */
  #api(bearer: string): AuthApi {
    return new AuthApi(deriveConfiguration(this.#options.configuration, { accessToken: bearer }));
  }

  /**
   * The automatic rotation, when due and not within 5 minutes of a failed
   * one. Its failure is recorded and reported, and the client goes on with
   * the current long-term token, unless the failure is one every call must
   * see: the long-term token refused (the client has ended), a rotated
   * token `onRotate` rejected, or `close()`.
   */
  async #rotateIfDue(): Promise<void> {
    if (this.#clock() < this.#rotationRetryAt) {
      return;
    }
    try {
      if (await this.#rotationDue()) {
        await this.rotate();
      }
    } catch (error) {
      if (this.#ended !== undefined || this.#pending !== undefined || this.#closing !== undefined) {
        throw error;
      }
      this.#rotationRetryAt = this.#clock() + ROTATION_RETRY_MS;
      await this.#reportRotationError(error);
    }
  }

  /** Records a failed automatic rotation and tells `onRotationError`, once per failure. */
  async #reportRotationError(error: unknown): Promise<void> {
    if (this.#rotationError === error) {
      // Concurrent callers share one rotation, and so its failure.
      return;
    }
    this.#rotationError = error;
    try {
      await this.#options.onRotationError?.(error);
    } catch {
      // A listener's failure must not fail the token it was told about.
    }
  }

  async #rotationDue(): Promise<boolean> {
    const { rotateBeforeDays } = this.#options;
    if (rotateBeforeDays === undefined) {
      return false;
    }
    if (this.#long.id !== undefined && this.#long.id === this.#notRotatedId) {
      return false;
    }
    const expiresAt =
      this.#long.expiresAt ??
      (await this.#lookup.run(() => this.#serial.run(() => this.#lookUpExpiry())));
    return this.#clock() >= expiresAt - rotateBeforeDays * DAY_MS;
  }

  /** A short-term token from the long-term token in use; ends the client on a dead long-term token. */
  async #issueShortTerm(request: ShortTokenRequest): Promise<ShortTokenResponse> {
    const long = this.#long;
    try {
      const { data } = await this.#api(long.token).issueShortTermToken(request);
      if (long.id === undefined && this.#long === long) {
        this.#long = { ...long, id: parentTokenIdOf(data.access_token) };
      }
      return data;
    } catch (error) {
      if (refusesToken(error) && this.#long === long) {
        this.#ended = error;
        this.#short = undefined;
      }
      throw error;
    }
  }

  async #renew(): Promise<ShortTokenResponse> {
    this.#checkUsable();
    // Queued behind another renewal or a rotation that left a usable token.
    const held = this.#short;
    if (held !== undefined && this.#clock() < held.renewAt) {
      return held.response;
    }
    const { scopes, audience, ttlSeconds } = this.#options;
    const sentAt = this.#clock();
    const response = await this.#issueShortTerm({
      ...(scopes === undefined ? {} : { scopes: [...scopes] }),
      ...(audience === undefined ? {} : { audience }),
      ...(ttlSeconds === undefined ? {} : { ttl_seconds: ttlSeconds }),
    });
    const expiresAt = sentAt + response.expires_in * 1000;
    this.#short = { response, renewAt: renewalTime(sentAt, expiresAt, this.#skewMs) };
    return response;
  }

  async #rotate(): Promise<LongTokenResponse> {
    this.#checkUsable();
    if (this.#pending !== undefined) {
      return this.#adopt(this.#pending);
    }
    if (this.#options.configuration?.apiKey === undefined) {
      throw new TypeError(
        "rotate() needs configuration.apiKey: POST /auth/tokens/long sends X-API-Key",
      );
    }
    // Unnarrowed, so the new token may hold every scope the old one did; for the issuer, which the token API accepts.
    const stepUp = await this.#issueShortTerm({ ttl_seconds: STEP_UP_TTL_SECONDS });
    const oldId = this.#long.id ?? parentTokenIdOf(stepUp.access_token);
    const { rotationTtlDays, rotationName } = this.#options;
    let stepUpRevoked = false;
    try {
      const { data } = await this.#api(stepUp.access_token).issueLongTermToken({
        rotate_token_id: oldId,
        ...(rotationTtlDays === undefined ? {} : { ttl_days: rotationTtlDays }),
        ...(rotationName === undefined ? {} : { name: rotationName }),
      });
      this.#pending = { response: data, replacedId: oldId };
      await this.#adopt(this.#pending);
      // With the old token revoked, its step-up token has ended with it.
      stepUpRevoked = this.#options.revokeReplacedToken === true;
      return data;
    } finally {
      if (!stepUpRevoked) {
        await this.#api(stepUp.access_token)
          .revokeToken(stepUp.token_id)
          .catch(() => undefined);
      }
    }
  }

  /**
   * Hands a rotated token to `onRotate` and, once it resolves, switches to
   * it; until then the token stays pending and the old one in use (the
   * server keeps it working through its overlap), so the client never
   * runs on a token the application has not saved.
   */
  async #adopt(pending: PendingRotation): Promise<LongTokenResponse> {
    const { response, replacedId } = pending;
    await this.#options.onRotate?.(response);
    this.#pending = undefined;
    this.#rotationError = undefined;
    this.#rotationRetryAt = Number.NEGATIVE_INFINITY;
    const expiresAt = Date.parse(response.expires_at);
    this.#long = { token: response.token, id: response.token_id, expiresAt };
    const { rotateBeforeDays } = this.#options;
    if (rotateBeforeDays !== undefined && this.#clock() >= expiresAt - rotateBeforeDays * DAY_MS) {
      // Rotating it when due would rotate on every call: a chain of tokens.
      this.#notRotatedId = response.token_id;
      await this.#reportRotationError(
        new RotationWindowError(response.token_id, expiresAt, rotateBeforeDays),
      );
    }
    if (this.#options.revokeReplacedToken === true) {
      // Ends the old token's short-term tokens with it: the one held and the step-up token.
      this.#short = undefined;
      await this.#api(response.token).revokeToken(replacedId);
    }
    return response;
  }

  /** The long-term token's expiry, from the client's token list, by its id. */
  async #lookUpExpiry(): Promise<number> {
    if (this.#long.expiresAt !== undefined) {
      return this.#long.expiresAt;
    }
    if (this.#long.id === undefined) {
      await this.#renew();
    }
    const long = this.#long;
    const { data } = await this.#api(long.token).listTokens({ limit: 500 });
    const listed = data.tokens.find((token) => token.token_id === long.id);
    if (listed === undefined) {
      throw new Error(
        "The long-term token's expiry is not in the client's token list: pass longTermTokenExpiresAt",
      );
    }
    const expiresAt = Date.parse(listed.expires_at);
    if (this.#long === long) {
      this.#long = { ...long, expiresAt };
    }
    return expiresAt;
  }

  async #close(): Promise<void> {
    const short = this.#short;
    this.#short = undefined;
    const long = this.#long;
    if (this.#ended !== undefined) {
      // The long-term token is dead, and every short-term token with it.
      return;
    }
    if (this.#options.revokeLongTermTokenOnClose === true) {
      const pending = this.#pending?.response;
      if (pending !== undefined) {
        // A rotated token no one saved would otherwise outlive the job by its whole lifetime.
        await revokeIgnoringEnded(this.#api(pending.token).revokeToken(pending.token_id));
      }
      const id =
        long.id ??
        (short === undefined
          ? parentTokenIdOf((await this.#api(long.token).issueShortTermToken()).data.access_token)
          : parentTokenIdOf(short.response.access_token));
      await revokeIgnoringEnded(this.#api(long.token).revokeToken(id));
    } else if (short !== undefined) {
      await revokeIgnoringEnded(this.#api(long.token).revokeToken(short.response.token_id));
    }
  }
}
