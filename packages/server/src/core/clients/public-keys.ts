import { createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint, type JWK } from "jose";
import { TesseraError } from "../errors.js";
import type { ClientPublicKey, JsonObject } from "../model/index.js";

/** The algorithms a client may sign assertions with (RFC 7523); never HMAC, never `none`. */
export const ASSERTION_ALGORITHMS = ["RS256", "ES256", "EdDSA"] as const;

const MIN_RSA_BITS = 2048;

function refuse(reason: string): never {
  throw new TesseraError("invalid_request", `Unusable public key: ${reason}`);
}

function keyObjectOf(text: string): KeyObject {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith("{")) {
      const jwk = JSON.parse(trimmed) as JsonWebKey;
      if (jwk.d !== undefined) {
        refuse("it holds a private key; register the public half only");
      }
      return createPublicKey({ key: jwk, format: "jwk" });
    }
    if (trimmed.includes("PRIVATE KEY")) {
      refuse("it holds a private key; register the public half only");
    }
    return createPublicKey(trimmed);
  } catch (error) {
    if (error instanceof TesseraError) {
      throw error;
    }
    return refuse("not a PEM public key or a JWK");
  }
}

function algorithmOf(key: KeyObject): ClientPublicKey["alg"] {
  const type = key.asymmetricKeyType;
  if (type === "rsa") {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) {
      refuse(`an RSA key needs at least ${MIN_RSA_BITS} bits`);
    }
    return "RS256";
  }
  if (type === "ec") {
    if (key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      refuse("an EC key must be on P-256 (ES256)");
    }
    return "ES256";
  }
  if (type === "ed25519") {
    return "EdDSA";
  }
  return refuse(
    `${type ?? "this"} keys are not accepted; use RSA (RS256), P-256 (ES256) or Ed25519 (EdDSA)`,
  );
}

/**
 * Parses a client's public key, given as PEM (SPKI) or as a JWK, into the
 * stored form: a public JWK with its RFC 7638 thumbprint as `kid` and the
 * one algorithm it may verify. Private keys, HMAC secrets, small RSA keys
 * and curves other than P-256 and Ed25519 are refused.
 */
export async function parseClientPublicKey(text: string): Promise<ClientPublicKey> {
  const key = keyObjectOf(text);
  const alg = algorithmOf(key);
  const exported = key.export({ format: "jwk" }) as JWK;
  const kid = await calculateJwkThumbprint(exported);
  return { kid, alg, jwk: { ...exported, kid, alg, use: "sig" } as JsonObject };
}
