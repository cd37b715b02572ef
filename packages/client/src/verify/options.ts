/**
 * The algorithms Tessera signs with (its keyring: ES256 by default, RS256 and
 * EdDSA selectable per tenant). Nothing else is ever accepted: no `HS*`,
 * whose key a verifier holding only public keys could be tricked into
 * using, and never `none`.
 *
 * @example
 * const algorithms: readonly TesseraSigningAlgorithm[] = ["ES256"];
 */
export type TesseraSigningAlgorithm = "ES256" | "RS256" | "EdDSA";

/** Every {@link TesseraSigningAlgorithm}: the default allow-list. */
const SIGNING_ALGORITHMS: readonly TesseraSigningAlgorithm[] = ["ES256", "RS256", "EdDSA"];

/**
 * The `typ` header of a Tessera access token (RFC 8725 §3.11, explicit
 * typing): `at+jwt` (RFC 9068) for the session API's access tokens, OAuth
 * client tokens and delegated tokens; `automation+jwt` for the token API's
 * short-term tokens, typed apart so a machine's token is never taken for a
 * user's. ID and operation tokens say `JWT` and are never access tokens.
 *
 * @example
 * const typ: AccessTokenType = "automation+jwt";
 */
export type AccessTokenType = "at+jwt" | "automation+jwt";

/**
 * Which of Tessera's access tokens a token is, told by its `typ` and the
 * claims each kind carries:
 *
 * | kind | `typ` | marks |
 * | --- | --- | --- |
 * | `access_token` | `at+jwt` | a user's, from the session API: `token_use: "access"`, `sid`, `username` |
 * | `delegated_access_token` | `at+jwt` | an actor's for a user (RFC 8693): `token_use: "delegated"`, `sid`, `act` |
 * | `client_access_token` | `at+jwt` | a client's own (`client_credentials`, `jwt-bearer`): no `token_use`, no `sid`, `sub` = `client_id` |
 * | `short_term_token` | `automation+jwt` | the token API's: `token_use: "automation"` |
 *
 * @example
 * const userTokensOnly: readonly AccessTokenKind[] = ["access_token", "delegated_access_token"];
 */
export type AccessTokenKind =
  | "access_token"
  | "delegated_access_token"
  | "client_access_token"
  | "short_term_token";

/** The `typ` each kind carries. */
export const TYP_OF_KIND = {
  access_token: "at+jwt",
  delegated_access_token: "at+jwt",
  client_access_token: "at+jwt",
  short_term_token: "automation+jwt",
} as const satisfies Record<AccessTokenKind, AccessTokenType>;

const KINDS = Object.keys(TYP_OF_KIND) as AccessTokenKind[];

/**
 * The `fetch` the verifier uses for discovery and the JWKS. The global
 * `fetch` fits; pass another to add headers, a proxy or an agent.
 *
 * @example
 * const fetchThroughProxy: FetchLike = (url, init) => fetch(url, { ...init, keepalive: true });
 */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * A source of the current time, as Tessera's own `Clock`: milliseconds
 * since the epoch.
 *
 * @example
 * const clock: VerifierClock = { now: () => Date.now() };
 */
export interface VerifierClock {
  now(): number;
}

/**
 * How a resource server accepts Tessera access tokens.
 *
 * @example
 * const options: AccessTokenVerifierOptions = {
 *   issuer: "https://auth.example.com/tenants/default",
 *   audience: "https://reports.example.com",
 *   requiredScopes: ["reports:read"],
 * };
 */
export interface AccessTokenVerifierOptions {
  /**
   * The tenant's issuer, `<public url>/tenants/<id>`, exactly as in the
   * tokens' `iss`. A token of another tenant is refused.
   */
  readonly issuer: string;
  /**
   * This resource server: the `aud` a token must carry (one of them, when
   * several are given). A session API access token's `aud` is its API key's
   * client id; a client, delegated or short-term token's is the audience it
   * was minted for (the issuer when none was asked). RFC 9068 §4 requires
   * the check, so there is no default.
   */
  readonly audience: string | readonly string[];
  /**
   * The tenant's JWKS. Found by discovery from `issuer` when left out
   * (`<issuer>/.well-known/openid-configuration`, then RFC 8414's
   * `/.well-known/oauth-authorization-server/<issuer path>`), with the
   * metadata's `issuer` checked against `issuer`.
   */
  readonly jwksUri?: string | URL;
  /** The algorithms accepted; a subset of Tessera's. Default: all three. */
  readonly algorithms?: readonly TesseraSigningAlgorithm[];
  /**
   * The `typ` accepted. Default: the `typ` of `kinds` when given, else
   * `at+jwt` (RFC 9068 §4), which takes the session API's, OAuth client and
   * delegated access tokens, and refuses short-term tokens. A service for
   * machines passes `automation+jwt`; one for both, both.
   */
  readonly typ?: AccessTokenType | readonly AccessTokenType[];
  /**
   * Narrows the kinds accepted, e.g. `["access_token"]` for users' tokens
   * only. Default: every kind `typ` carries.
   */
  readonly kinds?: readonly AccessTokenKind[];
  /**
   * Seconds of clock skew allowed on `exp`, `nbf` and `iat`: default 5,
   * at most 300.
   */
  readonly clockToleranceSeconds?: number;
  /** Scopes every token must hold (in its `scope`, space-separated, or `scopes`). */
  readonly requiredScopes?: readonly string[];
  /** The time to check against, for one verification (tests, replays). */
  readonly currentDate?: Date;
  /** The time to check against, read at each verification. Default: the system clock. */
  readonly clock?: VerifierClock;
  /** The `fetch` for discovery and the JWKS. Default: the global `fetch`. */
  readonly fetch?: FetchLike;
  /**
   * How long fetched keys are used before the JWKS is fetched again:
   * default 600 s. Tessera publishes its next key before it signs with
   * it and keeps a retired key published for 31 days, so a rotation needs
   * no early refetch; this bounds how long a key removed from the JWKS keeps
   * verifying here.
   */
  readonly jwksCacheMaxAgeSeconds?: number;
  /**
   * After a fetch, how long a token naming an unknown `kid` is refused
   * without fetching the JWKS again: default 30 s, so made-up kids cannot
   * make this server hammer the issuer. 0 fetches on every unknown kid.
   */
  readonly jwksCooldownSeconds?: number;
  /** Seconds before a discovery or JWKS request is abandoned: default 5. */
  readonly timeoutSeconds?: number;
}

/**
 * A verifier's options, checked once and completed with their defaults:
 * what it really enforces, to log at start-up.
 *
 * @example
 * const { algorithms, clockToleranceSeconds } = createAccessTokenVerifier(options).options;
 * console.log(`accepting ${algorithms.join(", ")}, ${clockToleranceSeconds}s of skew`);
 */
export interface ResolvedVerifierOptions {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly jwksUri: URL | undefined;
  readonly algorithms: readonly TesseraSigningAlgorithm[];
  readonly typs: ReadonlySet<AccessTokenType>;
  readonly kinds: ReadonlySet<AccessTokenKind>;
  readonly clockToleranceSeconds: number;
  readonly requiredScopes: readonly string[];
  readonly now: () => number;
  readonly fetch: FetchLike | undefined;
  readonly jwksCacheMaxAgeMs: number;
  readonly jwksCooldownMs: number;
  readonly timeoutMs: number;
}

const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;
const MAX_CLOCK_TOLERANCE_SECONDS = 300;
const DEFAULT_JWKS_CACHE_MAX_AGE_SECONDS = 600;
const MAX_JWKS_CACHE_MAX_AGE_SECONDS = 86_400;
const DEFAULT_JWKS_COOLDOWN_SECONDS = 30;
const DEFAULT_TIMEOUT_SECONDS = 5;
const MAX_TIMEOUT_SECONDS = 60;

/** A scope-token of RFC 6749 §3.3: printable ASCII but space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Checks the options and fills in the defaults. Throws `TypeError` or
 * `RangeError` for options no resource server should run with, at once,
 * rather than at its first request.
 */
export function resolveVerifierOptions(
  options: AccessTokenVerifierOptions,
): ResolvedVerifierOptions {
  const issuer = options.issuer;
  if (typeof issuer !== "string") {
    throw new TypeError("issuer must be a string: the tokens' iss, exactly");
  }
  httpUrl(issuer, "issuer");
  const audience = typeof options.audience === "string" ? [options.audience] : options.audience;
  if (
    !Array.isArray(audience) ||
    audience.length === 0 ||
    !audience.every((aud) => typeof aud === "string" && aud.length > 0)
  ) {
    throw new TypeError("audience must be a non-empty string or a non-empty list of them");
  }
  const algorithms = options.algorithms ?? SIGNING_ALGORITHMS;
  if (algorithms.length === 0 || !algorithms.every((alg) => SIGNING_ALGORITHMS.includes(alg))) {
    throw new TypeError(`algorithms must be some of ${SIGNING_ALGORITHMS.join(", ")}`);
  }
  const { typs, kinds } = acceptedKinds(options);
  if (options.currentDate !== undefined && options.clock !== undefined) {
    throw new TypeError("Give currentDate or clock, not both");
  }
  if (options.currentDate !== undefined && Number.isNaN(options.currentDate.getTime())) {
    throw new TypeError("currentDate is not a valid date");
  }
  const requiredScopes = options.requiredScopes ?? [];
  checkScopes(requiredScopes);
  const jwksCacheMaxAgeSeconds = seconds(
    options.jwksCacheMaxAgeSeconds,
    DEFAULT_JWKS_CACHE_MAX_AGE_SECONDS,
    [1, MAX_JWKS_CACHE_MAX_AGE_SECONDS],
    "jwksCacheMaxAgeSeconds",
  );
  const currentDate = options.currentDate;
  const clock = options.clock;
  return {
    issuer,
    audience: [...audience],
    jwksUri: options.jwksUri === undefined ? undefined : httpUrl(options.jwksUri, "jwksUri"),
    algorithms: [...algorithms],
    typs,
    kinds,
    clockToleranceSeconds: seconds(
      options.clockToleranceSeconds,
      DEFAULT_CLOCK_TOLERANCE_SECONDS,
      [0, MAX_CLOCK_TOLERANCE_SECONDS],
      "clockToleranceSeconds",
    ),
    requiredScopes: [...requiredScopes],
    now:
      currentDate !== undefined
        ? () => currentDate.getTime()
        : clock !== undefined
          ? () => clock.now()
          : () => Date.now(),
    fetch: options.fetch,
    jwksCacheMaxAgeMs: jwksCacheMaxAgeSeconds * 1000,
    jwksCooldownMs:
      seconds(
        options.jwksCooldownSeconds,
        DEFAULT_JWKS_COOLDOWN_SECONDS,
        [0, jwksCacheMaxAgeSeconds],
        "jwksCooldownSeconds",
      ) * 1000,
    // Whole milliseconds: jose's timeoutDuration and AbortSignal.timeout refuse a fraction.
    timeoutMs: Math.round(
      seconds(
        options.timeoutSeconds,
        DEFAULT_TIMEOUT_SECONDS,
        [1, MAX_TIMEOUT_SECONDS],
        "timeoutSeconds",
      ) * 1000,
    ),
  };
}

/** Throws unless every scope is a scope-token (RFC 6749 §3.3). */
export function checkScopes(scopes: readonly string[]): void {
  if (
    !Array.isArray(scopes) ||
    !scopes.every((s) => typeof s === "string" && SCOPE_TOKEN.test(s))
  ) {
    throw new TypeError("requiredScopes must be scope names, without spaces or quotes");
  }
}

/** The `typ`s and kinds accepted: `kinds` implies its `typ`s, `typ` all its kinds. */
function acceptedKinds(options: AccessTokenVerifierOptions): {
  typs: ReadonlySet<AccessTokenType>;
  kinds: ReadonlySet<AccessTokenKind>;
} {
  const typOption = typeof options.typ === "string" ? [options.typ] : options.typ;
  if (typOption !== undefined) {
    const known = new Set<string>(Object.values(TYP_OF_KIND));
    if (
      !Array.isArray(typOption) ||
      typOption.length === 0 ||
      !typOption.every((t) => known.has(t))
    ) {
      throw new TypeError(`typ must be some of ${[...known].join(", ")}`);
    }
  }
  if (options.kinds !== undefined) {
    const kinds: readonly AccessTokenKind[] = options.kinds;
    if (
      !Array.isArray(options.kinds) ||
      kinds.length === 0 ||
      !kinds.every((k) => KINDS.includes(k))
    ) {
      throw new TypeError(`kinds must be some of ${KINDS.join(", ")}`);
    }
    const typs = new Set(kinds.map((kind) => TYP_OF_KIND[kind]));
    if (typOption !== undefined && ![...typs].every((typ) => typOption.includes(typ))) {
      throw new TypeError("kinds names a kind whose typ is not in typ");
    }
    return { typs, kinds: new Set(kinds) };
  }
  const typs = new Set<AccessTokenType>(typOption ?? ["at+jwt"]);
  return { typs, kinds: new Set(KINDS.filter((kind) => typs.has(TYP_OF_KIND[kind]))) };
}

function httpUrl(value: string | URL, name: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} must be an absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(`${name} must be an https or http URL`);
  }
  return url;
}

function seconds(
  value: number | undefined,
  fallback: number,
  [min, max]: readonly [number, number],
  name: string,
): number {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a number of seconds from ${min} to ${max}`);
  }
  return value;
}
