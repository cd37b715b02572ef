import { isClientIdShaped } from "../clients/client-ids.js";
import { isTokenId } from "../ids.js";
import { SIGNING_ALGORITHMS } from "../keyring.js";
import { isWellFormedOpaqueToken, type OpaquePrefix } from "../opaque-token.js";
import { OPERATIONS_CLIENT_ID } from "../operation-tokens/operation-tokens.js";
import { ACCESS_TOKEN_TYP, DELEGATED_TOKEN_USE, ID_TOKEN_TYP } from "./session-tokens.js";
import type { IdentifiedKind, TokenKind } from "./types.js";

/**
 * The longest string taken for a token: every dialect caps its token fields
 * here, and anything longer is `unknown` without being read.
 */
export const MAX_TOKEN_LENGTH = 16_384;

/**
 * The `typ` of a short-term token (spec 004). Not RFC 9068's `at+jwt`,
 * which a session API access token carries: the two kinds share an issuer
 * and its keys, and a client may be allowed an audience a user's token also
 * has, so they are told apart by explicit typing (RFC 8725 §3.11). A
 * verifier that passes `typ` to `jwtVerify`, as every documented recipe
 * does, refuses the other kind with no check of its own to forget.
 */
export const SHORT_TERM_TYP = "automation+jwt";
/** The `token_use` of a short-term token (a user's access token says `access`). */
export const SHORT_TERM_USE = "automation";

/** The opaque prefixes and what each is. */
const OPAQUE_KINDS: Readonly<Record<OpaquePrefix, IdentifiedKind>> = {
  tsr_rt: "refresh_token",
  tsr_lt: "long_term_token",
  tsr_cs: "client_secret",
  tsr_ak: "api_key",
};

/** A decoded, unverified JWT: its protected header and claims. */
export interface DecodedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
  /** The header's `kid`, always a string here. */
  readonly kid: string;
}

/** What {@link inspectToken} found: the kind, and a JWT's decoded parts to spare a second decode. */
export type Inspection =
  | { readonly kind: Exclude<IdentifiedKind, TokenKind> | OpaqueTokenKind }
  | { readonly kind: JwtTokenKind; readonly jwt: DecodedJwt };

type OpaqueTokenKind = "refresh_token" | "long_term_token";
type JwtTokenKind = Exclude<TokenKind, OpaqueTokenKind>;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Which kind of Tessera credential `text` is, without any I/O and without
 * verifying anything: opaque credentials by prefix and CRC-32 checksum
 * (see `opaque-token.ts`), JWTs by their protected header (`typ`, an `alg`
 * on Tessera's list, a `kid`) and the claims that set each kind apart.
 *
 * A client secret (`tsr_cs_`) and an API key (`tsr_ak_`) are recognised so
 * they can be refused as what they are: they are not bearer tokens.
 * Anything else (malformed, forged with `alg: none`, too long, another
 * issuer's JWT) is `"unknown"`. Never throws; the work done is bounded by
 * {@link MAX_TOKEN_LENGTH}.
 *
 * @example
 * identifyToken("tsr_rt_3kTq…Zx0a1B"); // "refresh_token"
 * identifyToken("not a token");       // "unknown"
 */
export function identifyToken(text: string): IdentifiedKind {
  return inspectToken(text).kind;
}

/** {@link identifyToken}, keeping a JWT's decoded header and claims for the verifier. */
export function inspectToken(text: string): Inspection {
  if (typeof text !== "string" || text.length === 0 || text.length > MAX_TOKEN_LENGTH) {
    return { kind: "unknown" };
  }
  if (text.startsWith("tsr_")) {
    const prefix = text.slice(0, 6) as OpaquePrefix;
    const kind = OPAQUE_KINDS[prefix];
    return kind !== undefined && isWellFormedOpaqueToken(text, prefix)
      ? ({ kind } as Inspection)
      : { kind: "unknown" };
  }
  const jwt = decodeJwtParts(text);
  const kind = jwt === undefined ? undefined : jwtKind(jwt);
  return jwt === undefined || kind === undefined ? { kind: "unknown" } : { kind, jwt };
}

/** The header and claims of a compact JWS, or undefined when it is not one. */
function decodeJwtParts(text: string): DecodedJwt | undefined {
  const parts = text.split(".");
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    return undefined;
  }
  const header = decodeJsonObject(parts[0] ?? "");
  const claims = decodeJsonObject(parts[1] ?? "");
  if (header === undefined || claims === undefined || typeof header.kid !== "string") {
    return undefined;
  }
  return { header, claims, kid: header.kid };
}

function decodeJsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The kind a JWT's header and claims say it is. Every kind Tessera signs
 * carries an `iss`, a `kid` and an algorithm of its keyring; beyond that:
 *
 * | kind | `typ` | tells it apart |
 * | --- | --- | --- |
 * | access token | `at+jwt` | `token_use: "access"`, `sid` |
 * | client access token | `at+jwt` | no `token_use`, no `sid`; `sub` = `client_id`, a client id's shape |
 * | delegated access token | `at+jwt` | `token_use: "delegated"`, `sid`, `act`; `client_id` a client id's shape |
 * | ID token | `JWT` | `token_use: "id"`, `sid` |
 * | operation (refresh) token | `JWT` | RS256, `aud` the operations client, `sub: "operation"` / `"refresh"`, `sid`, `username` |
 * | short-term token | `automation+jwt` | `token_use: "automation"`, `jti` a short-term token id |
 *
 * The ids that are looked up before the signature is checked, to find whose
 * keys verify it (a short-term token's `jti`, a client or delegated access
 * token's `client_id`), are chosen by whoever sends the token: anything but exactly
 * an id Tessera could have issued is unknown here, so no forged text (a NUL
 * PostgreSQL cannot hold, a megabyte) ever reaches the store.
 */
function jwtKind({ header, claims }: DecodedJwt): JwtTokenKind | undefined {
  const alg = header.alg;
  if (
    typeof alg !== "string" ||
    !(SIGNING_ALGORITHMS as readonly string[]).includes(alg) ||
    typeof claims.iss !== "string"
  ) {
    return undefined;
  }
  const sid = typeof claims.sid === "string";
  switch (header.typ) {
    case ACCESS_TOKEN_TYP:
      if (claims.token_use === "access" && sid) {
        return "access_token";
      }
      if (
        claims.token_use === DELEGATED_TOKEN_USE &&
        sid &&
        typeof claims.act === "object" &&
        claims.act !== null &&
        typeof claims.client_id === "string" &&
        isClientIdShaped(claims.client_id)
      ) {
        return "delegated_access_token";
      }
      if (
        claims.token_use === undefined &&
        claims.sid === undefined &&
        typeof claims.client_id === "string" &&
        isClientIdShaped(claims.client_id) &&
        claims.sub === claims.client_id
      ) {
        return "client_access_token";
      }
      return undefined;
    case ID_TOKEN_TYP:
      if (claims.token_use === "id" && sid) {
        return "id_token";
      }
      if (
        claims.token_use === undefined &&
        alg === "RS256" &&
        claims.aud === OPERATIONS_CLIENT_ID &&
        sid &&
        typeof claims.username === "string"
      ) {
        return claims.sub === "operation"
          ? "operation_token"
          : claims.sub === "refresh"
            ? "operation_refresh_token"
            : undefined;
      }
      return undefined;
    case SHORT_TERM_TYP:
      return claims.token_use === SHORT_TERM_USE && isTokenId(claims.jti, "short_term")
        ? "short_term_token"
        : undefined;
    default:
      return undefined;
  }
}
