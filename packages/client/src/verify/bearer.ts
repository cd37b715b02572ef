import { AccessTokenError } from "./access-token-error.js";
import type { AccessTokenVerifierOptions } from "./options.js";
import {
  type AccessTokenVerifier,
  createAccessTokenVerifier,
  MAX_TOKEN_LENGTH,
  type VerifiedAccessToken,
} from "./verify-access-token.js";

/**
 * A request's headers as Node's `http.IncomingMessage`, Express, Connect and
 * fastify all hold them (lower-cased names).
 *
 * @example
 * const headers: RequestHeaders = { authorization: "Bearer eyJ…" };
 */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * What the middleware adds to every request it lets through.
 *
 * @example
 * // Express, in a .d.ts of the application:
 * declare module "express-serve-static-core" {
 *   interface Request extends AuthenticatedRequest {}
 * }
 */
export interface AuthenticatedRequest {
  /** The verified access token and its claims. */
  auth?: VerifiedAccessToken;
}

/**
 * What both middlewares take beside the verifier.
 *
 * @example
 * const route: BearerAuthOptions = { requiredScopes: ["reports:write"], realm: "reports" };
 */
export interface BearerAuthOptions {
  /** Scopes this route requires, on top of the verifier's own. */
  readonly requiredScopes?: readonly string[];
  /** The `realm` of the `WWW-Authenticate` challenge (RFC 6750 §3). */
  readonly realm?: string;
}

/**
 * The answer to a request that may not pass: its status, its headers
 * (`WWW-Authenticate` for 400, 401 and 403, as RFC 6750 §3 asks) and a JSON
 * body `{error, error_description}` with neutral words.
 *
 * @example
 * const denial: BearerDenial = bearerDenial(new AccessTokenError("token_expired"));
 * // { status: 401, headers: { "www-authenticate": 'Bearer error="invalid_token", …' }, … }
 */
export interface BearerDenial {
  readonly status: 400 | 401 | 403 | 503;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { readonly error: string; readonly error_description: string };
}

/** A `b64token` (RFC 6750 §2.1). */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The bearer token of a request, or the denial to answer instead.
 *
 * @example
 * const read: BearerToken = readBearerToken(request.headers);
 * if (read.denial === undefined) {
 *   await verifier.verify(read.token);
 * }
 */
export type BearerToken =
  | { readonly token: string; readonly denial?: undefined }
  | { readonly token?: undefined; readonly denial: BearerDenial };

/**
 * Reads `Authorization: Bearer <token>` (RFC 6750 §2.1; the scheme is
 * case-insensitive, RFC 9110 §11.1). No `Authorization`, or another scheme,
 * is a bare challenge with no error code (RFC 6750 §3.1: the request had no
 * authentication information for this server); a Bearer header without a
 * well-formed token is `invalid_request`. Only the header is read: RFC 6750
 * §2.3's query parameter leaks tokens into logs and is not supported.
 *
 * For a framework the middlewares do not fit; they call it themselves.
 *
 * @example
 * const read = readBearerToken(request.headers, { realm: "reports" });
 * if (read.denial !== undefined) {
 *   return reply.code(read.denial.status).headers(read.denial.headers).send(read.denial.body);
 * }
 * const token = await verifier.verify(read.token);
 */
export function readBearerToken(
  headers: RequestHeaders,
  options: BearerAuthOptions = {},
): BearerToken {
  const value = headers.authorization;
  if (Array.isArray(value)) {
    return { denial: invalidRequest(options, "Send one Authorization header") };
  }
  if (value === undefined) {
    return { denial: challengeOnly(options) };
  }
  const match = /^([^\s]+)(?:\s+(.*))?$/.exec(value.trim());
  if (match === null || match[1]?.toLowerCase() !== "bearer") {
    return { denial: challengeOnly(options) };
  }
  const token = match[2]?.trim() ?? "";
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !B64TOKEN.test(token)) {
    return { denial: invalidRequest(options, "The Authorization header holds no bearer token") };
  }
  return { token };
}

/**
 * The answer to a failed verification: 401 `invalid_token` (an expired
 * token too, as RFC 6750 §3.1 names no other code), 403
 * `insufficient_scope` with the scopes required, and 503 when the issuer
 * could not be reached, which says nothing about the token and so carries
 * no challenge. Undefined for an error that is not an
 * {@link AccessTokenError}: that is the application's to handle.
 *
 * @example
 * const denial = bearerDenial(error, { realm: "reports" });
 * if (denial !== undefined) {
 *   response.writeHead(denial.status, denial.headers).end(JSON.stringify(denial.body));
 * }
 */
export function bearerDenial(
  error: unknown,
  options: BearerAuthOptions = {},
): BearerDenial | undefined {
  if (!(error instanceof AccessTokenError)) {
    return undefined;
  }
  switch (error.code) {
    case "invalid_token":
    case "token_expired":
      return denial(401, options, "invalid_token", error.message);
    case "insufficient_scope":
      return denial(403, options, "insufficient_scope", error.message, error.requiredScopes);
    case "jwks_unavailable":
    case "discovery_failed":
      return {
        status: 503,
        headers: { "content-type": JSON_TYPE, "cache-control": "no-store" },
        body: {
          error: "temporarily_unavailable",
          error_description: "The access token cannot be checked now; try again later",
        },
      };
  }
}

const JSON_TYPE = "application/json; charset=utf-8";

function challengeOnly(options: BearerAuthOptions): BearerDenial {
  return {
    status: 401,
    headers: {
      "www-authenticate": challenge(options, []),
      "content-type": JSON_TYPE,
      "cache-control": "no-store",
    },
    body: { error: "unauthorized", error_description: "A Bearer access token is required" },
  };
}

function invalidRequest(options: BearerAuthOptions, description: string): BearerDenial {
  return denial(400, options, "invalid_request", description);
}

function denial(
  status: 400 | 401 | 403,
  options: BearerAuthOptions,
  error: string,
  description: string,
  scopes: readonly string[] = [],
): BearerDenial {
  const params: [string, string][] = [
    ["error", error],
    ["error_description", description],
  ];
  if (scopes.length > 0) {
    params.push(["scope", scopes.join(" ")]);
  }
  return {
    status,
    headers: {
      "www-authenticate": challenge(options, params),
      "content-type": JSON_TYPE,
      "cache-control": "no-store",
    },
    body: { error, error_description: description },
  };
}

/** `Bearer realm="…", error="…", …` (RFC 6750 §3), each value a quoted-string. */
function challenge(options: BearerAuthOptions, params: readonly [string, string][]): string {
  const all: [string, string][] = options.realm === undefined ? [] : [["realm", options.realm]];
  all.push(...params);
  if (all.length === 0) {
    return "Bearer";
  }
  return `Bearer ${all.map(([name, value]) => `${name}="${quoted(value)}"`).join(", ")}`;
}

/**
 * A quoted-string's content (RFC 9110 §5.6.4): printable ASCII only, with
 * `"` and `\` escaped, so no realm can break the header.
 */
function quoted(value: string): string {
  return value.replace(/[^ -~]/g, "").replace(/["\\]/g, "\\$&");
}

/** A verifier from a verifier or its options, made once per middleware. */
export function verifierOf(
  verifier: AccessTokenVerifier | AccessTokenVerifierOptions,
): AccessTokenVerifier {
  return isVerifier(verifier) ? verifier : createAccessTokenVerifier(verifier);
}

function isVerifier(
  value: AccessTokenVerifier | AccessTokenVerifierOptions,
): value is AccessTokenVerifier {
  return typeof (value as Partial<AccessTokenVerifier>).verify === "function";
}

/**
 * The whole check of one request: its bearer token, verified with the
 * route's scopes. Resolves with the verified token or the denial to send;
 * rejects only with an error that is not about the token.
 */
export async function authenticate(
  verifier: AccessTokenVerifier,
  headers: RequestHeaders,
  options: BearerAuthOptions,
): Promise<{ readonly auth: VerifiedAccessToken } | { readonly denial: BearerDenial }> {
  const read = readBearerToken(headers, options);
  if (read.denial !== undefined) {
    return { denial: read.denial };
  }
  try {
    const auth = await verifier.verify(
      read.token,
      options.requiredScopes === undefined ? {} : { requiredScopes: options.requiredScopes },
    );
    return { auth };
  } catch (error) {
    const refused = bearerDenial(error, options);
    if (refused === undefined) {
      throw error;
    }
    return { denial: refused };
  }
}
