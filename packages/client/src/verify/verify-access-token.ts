import { decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from "jose";
import { AccessTokenError } from "./access-token-error.js";
import { type AccessTokenClaims, type ActorClaim, classifyClaims, scopesOf } from "./claims.js";
import { discoverJwksUri } from "./discovery.js";
import { keyResolver } from "./key-sets.js";
import {
  type AccessTokenKind,
  type AccessTokenType,
  type AccessTokenVerifierOptions,
  checkScopes,
  type ResolvedVerifierOptions,
  resolveVerifierOptions,
  type TesseraSigningAlgorithm,
} from "./options.js";

/**
 * The longest token read, as Tessera's own limit: anything longer is
 * refused before it is decoded.
 */
export const MAX_TOKEN_LENGTH = 16_384;

/** The registered claims RFC 9068 §2.2 requires of every access token. */
const REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "jti", "client_id"];

/**
 * A verified access token: its claims, and what a resource server most
 * often reads of them, already checked.
 *
 * @example
 * const token = await verifyAccessToken(bearer, { issuer, audience });
 * if (token.kind === "access_token") {
 *   console.log(`${token.claims.username} via ${token.clientId}`, token.scopes);
 * }
 */
export interface VerifiedAccessToken {
  readonly kind: AccessTokenKind;
  /** The user's id, or a client's for its own and short-term tokens. */
  readonly subject: string;
  readonly clientId: string;
  /** The token's scopes, in its order. */
  readonly scopes: readonly string[];
  /** Who acts for the subject (impersonation, delegation), when someone does. */
  readonly actor: ActorClaim | undefined;
  readonly expiresAt: Date;
  readonly claims: AccessTokenClaims;
  /** The protected header: the key and algorithm that signed it, and its type. */
  readonly header: {
    readonly alg: TesseraSigningAlgorithm;
    readonly kid: string;
    readonly typ: AccessTokenType;
  };
}

/**
 * What one verification may add to a verifier's options.
 *
 * @example
 * await verifier.verify(token, { requiredScopes: ["reports:write"] });
 */
export interface VerifyCallOptions {
  /** Scopes this call requires besides the verifier's own. */
  readonly requiredScopes?: readonly string[];
  /** The time to check against for this call. */
  readonly currentDate?: Date;
}

/**
 * Verifies access tokens with one set of options, checked once. Make one per
 * resource server (or per issuer and audience) and share it.
 *
 * @example
 * const verifier = createAccessTokenVerifier({ issuer, audience: "https://reports.example.com" });
 * const token = await verifier.verify(bearer, { requiredScopes: ["reports:read"] });
 */
export interface AccessTokenVerifier {
  /** Resolves with the verified token, or rejects with {@link AccessTokenError}. */
  verify(token: string, options?: VerifyCallOptions): Promise<VerifiedAccessToken>;
  /** The options it was made with, completed with their defaults. */
  readonly options: ResolvedVerifierOptions;
}

/**
 * Makes a verifier of Tessera access tokens for a resource server. The
 * options are checked here, so a misconfiguration fails at start-up with a
 * `TypeError` or `RangeError`, not at the first request.
 *
 * Every verification checks, before any network request: a compact JWS of
 * at most 16 KiB, an `alg` in the allow-list, an accepted `typ`, a `kid`.
 * Then, with the issuer's JWKS (discovered and cached, see
 * {@link AccessTokenVerifierOptions}): the signature; `iss`; `aud`; `exp`,
 * `nbf` and `iat` within the clock tolerance; RFC 9068's required claims;
 * that the claims make one of the accepted kinds (so an ID token, an
 * operation token or a refresh token is refused); and the required scopes.
 *
 * A signature proves Tessera issued the token, not that it is still live:
 * a revoked token or an ended session keeps verifying until its `exp`.
 * Where that matters, introspect the token as well.
 *
 * @example
 * import { createAccessTokenVerifier } from "@tessera/client";
 *
 * const verifier = createAccessTokenVerifier({
 *   issuer: "https://auth.example.com/tenants/default",
 *   audience: "https://reports.example.com",
 * });
 * const { subject, scopes } = await verifier.verify(bearerToken);
 */
export function createAccessTokenVerifier(
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  const resolved = resolveVerifierOptions(options);
  return {
    options: resolved,
    verify: (token, call = {}) => verifyWith(resolved, token, call),
  };
}

/**
 * Verifies one access token: {@link createAccessTokenVerifier} and its
 * `verify` in one call. Discovery and the JWKS are cached per process
 * across calls, so calling it per request costs no extra fetch; only the
 * options are checked again.
 *
 * @example
 * import { AccessTokenError, verifyAccessToken } from "@tessera/client";
 *
 * try {
 *   const token = await verifyAccessToken(bearer, {
 *     issuer: "https://auth.example.com/tenants/default",
 *     audience: "https://reports.example.com",
 *     requiredScopes: ["reports:read"],
 *   });
 *   console.log(token.subject, token.scopes);
 * } catch (error) {
 *   if (error instanceof AccessTokenError) {
 *     console.log(error.code); // "invalid_token", "token_expired", "insufficient_scope", …
 *   }
 * }
 */
export async function verifyAccessToken(
  token: string,
  options: AccessTokenVerifierOptions,
): Promise<VerifiedAccessToken> {
  return verifyWith(resolveVerifierOptions(options), token, {});
}

async function verifyWith(
  options: ResolvedVerifierOptions,
  token: string,
  call: VerifyCallOptions,
): Promise<VerifiedAccessToken> {
  const requiredScopes = [...options.requiredScopes, ...(call.requiredScopes ?? [])];
  checkScopes(requiredScopes);
  const now = call.currentDate?.getTime() ?? options.now();
  if (!Number.isFinite(now)) {
    throw new TypeError("currentDate is not a valid date");
  }
  const header = checkHeader(options, token);
  const jwksUri =
    options.jwksUri ??
    (await discoverJwksUri(options.issuer, { fetch: options.fetch, timeoutMs: options.timeoutMs }));
  const keys = keyResolver(jwksUri, {
    fetch: options.fetch,
    cacheMaxAgeMs: options.jwksCacheMaxAgeMs,
    cooldownMs: options.jwksCooldownMs,
    timeoutMs: options.timeoutMs,
  });
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: [...options.algorithms],
      issuer: options.issuer,
      audience: [...options.audience],
      clockTolerance: options.clockToleranceSeconds,
      currentDate: new Date(now),
      requiredClaims: REQUIRED_CLAIMS,
    }));
  } catch (error) {
    throw refusal(error);
  }
  const iat = payload.iat;
  if (typeof iat === "number" && iat > now / 1000 + options.clockToleranceSeconds) {
    throw new AccessTokenError("invalid_token", { detail: "iat is in the future" });
  }
  const classified = classifyClaims(header.typ, payload);
  if (classified.kind === undefined) {
    throw new AccessTokenError("invalid_token", { detail: classified.detail });
  }
  if (!options.kinds.has(classified.kind)) {
    throw new AccessTokenError("invalid_token", {
      detail: `a ${classified.kind} is not accepted here`,
    });
  }
  const { claims } = classified;
  const scopes = scopesOf(claims);
  const missing = requiredScopes.filter((scope) => !scopes.includes(scope));
  if (missing.length > 0) {
    throw new AccessTokenError("insufficient_scope", {
      detail: `missing ${missing.join(" ")}`,
      requiredScopes: [...new Set(requiredScopes)],
    });
  }
  return {
    kind: classified.kind,
    subject: claims.sub,
    clientId: claims.client_id,
    scopes,
    actor: claims.act,
    expiresAt: new Date(claims.exp * 1000),
    claims,
    header,
  };
}

/**
 * The protected header's checks, done before anything is fetched, so a
 * token that could never pass (garbage, `alg: none`, HS256, a wrong `typ`)
 * is refused without a network request, and without one failing when the
 * issuer is down.
 */
function checkHeader(
  options: ResolvedVerifierOptions,
  token: string,
): VerifiedAccessToken["header"] {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    throw new AccessTokenError("invalid_token", { detail: "not a JWT of at most 16 KiB" });
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new AccessTokenError("invalid_token", { detail: "not a JWT" });
  }
  const { alg, kid, typ } = header;
  const algorithm = options.algorithms.find((allowed) => allowed === alg);
  if (algorithm === undefined) {
    throw new AccessTokenError("invalid_token", { detail: "alg is not accepted" });
  }
  if (typeof kid !== "string" || kid.length === 0) {
    throw new AccessTokenError("invalid_token", { detail: "no kid" });
  }
  const type = typeof typ === "string" ? normalizedTyp(typ) : undefined;
  const accepted = [...options.typs].find((allowed) => allowed === type);
  if (accepted === undefined) {
    throw new AccessTokenError("invalid_token", { detail: "typ is not accepted" });
  }
  return { alg: algorithm, kid, typ: accepted };
}

/**
 * A `typ` as RFC 7515 §4.1.9 compares media types: case-insensitively, and
 * `application/at+jwt` the same as `at+jwt`.
 */
function normalizedTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith("application/") ? lower.slice("application/".length) : lower;
}

/** What `jwtVerify` threw, as the error this module promises. */
function refusal(error: unknown): unknown {
  if (error instanceof AccessTokenError) {
    return error;
  }
  if (error instanceof errors.JWTExpired) {
    return new AccessTokenError("token_expired", { detail: "exp has passed" });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new AccessTokenError("invalid_token", {
      detail: `${error.claim} ${error.reason === "missing" ? "is missing" : "check failed"}`,
    });
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new AccessTokenError("invalid_token", { detail: "no key of the issuer has its kid" });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new AccessTokenError("invalid_token", { detail: "signature verification failed" });
  }
  if (error instanceof errors.JOSEError) {
    return new AccessTokenError("invalid_token", { detail: error.code });
  }
  // Not about the token (a broken runtime, a bug): left as it is.
  return error;
}
