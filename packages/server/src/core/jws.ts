import { type KeyObject, sign } from "node:crypto";
import type { SigningAlgorithm } from "./model/index.js";

/** A private key ready to sign JWTs with: parsed once, kept by the keyring. */
export interface JwsSigningKey {
  readonly kid: string;
  readonly algorithm: SigningAlgorithm;
  readonly privateKey: KeyObject;
}

/** The JWT claims Tessera signs: registered claims (RFC 7519 §4.1) and its own, all JSON. */
export type JwtClaims = Readonly<Record<string, unknown>>;

/**
 * Signs a JWT in the JWS compact serialization (RFC 7515 §7.1) with the
 * protected header `{alg, kid, typ}`.
 *
 * Issuing is the one JOSE operation done here rather than with `jose`, on
 * the measure of a profile: `jose` signs through WebCrypto and builds the
 * token in JavaScript, about 35 µs of the event loop per token, where
 * `crypto.sign` with a callback runs the signature on the libuv thread pool
 * and costs the event loop about 8 µs. Every token is still verified with
 * `jose` (here, and by the tests as an independent implementation).
 *
 * ECDSA signatures use the IEEE P1363 (r || s) encoding JWS requires
 * (RFC 7518 §3.4), not DER.
 */
export function signJwt(key: JwsSigningKey, typ: string, claims: JwtClaims): Promise<string> {
  const signingInput = `${protectedHeader(key, typ)}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  const data = Buffer.from(signingInput);
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, signature: Buffer) => {
      if (error !== null) {
        reject(error);
      } else {
        resolve(`${signingInput}.${signature.toString("base64url")}`);
      }
    };
    switch (key.algorithm) {
      case "ES256":
        sign("sha256", data, { key: key.privateKey, dsaEncoding: "ieee-p1363" }, done);
        break;
      case "RS256":
        sign("sha256", data, key.privateKey, done);
        break;
      case "EdDSA":
        sign(null, data, key.privateKey, done);
        break;
      default:
        reject(new Error(`cannot sign with ${String(key.algorithm)}`));
    }
  });
}

/** Encoded protected headers, by kid and typ: a keyring has a handful. */
const headers = new Map<string, string>();

function protectedHeader(key: JwsSigningKey, typ: string): string {
  const cacheKey = `${key.kid}\u0000${key.algorithm}\u0000${typ}`;
  let encoded = headers.get(cacheKey);
  if (encoded === undefined) {
    encoded = Buffer.from(JSON.stringify({ alg: key.algorithm, kid: key.kid, typ })).toString(
      "base64url",
    );
    if (headers.size > 1000) {
      headers.clear();
    }
    headers.set(cacheKey, encoded);
  }
  return encoded;
}
