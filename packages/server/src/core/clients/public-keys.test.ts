import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint, importJWK, type JWK, jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { TesseraError } from "../errors.js";
import { parseClientPublicKey } from "./public-keys.js";

interface Pair {
  readonly label: string;
  readonly alg: "RS256" | "ES256" | "EdDSA";
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

const ACCEPTED: readonly Pair[] = [
  { label: "RSA-2048", alg: "RS256", ...generateKeyPairSync("rsa", { modulusLength: 2048 }) },
  { label: "P-256", alg: "ES256", ...generateKeyPairSync("ec", { namedCurve: "P-256" }) },
  { label: "Ed25519", alg: "EdDSA", ...generateKeyPairSync("ed25519") },
];

/** JWK members that carry private or symmetric key material (RFC 7518 §6). */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

const pemOf = (key: KeyObject): string => key.export({ type: "spki", format: "pem" }).toString();
const jwkOf = (key: KeyObject): JWK => key.export({ format: "jwk" }) as JWK;
const jwkTextOf = (key: KeyObject): string => JSON.stringify(jwkOf(key));

/** What `parseClientPublicKey` threw, or fails the test if it returned. */
async function refusalOf(text: string): Promise<TesseraError> {
  const outcome = await parseClientPublicKey(text).then(
    (parsed) => parsed,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(TesseraError);
  return outcome as TesseraError;
}

describe("parseClientPublicKey", () => {
  describe.each(ACCEPTED)("a $label key", ({ alg, publicKey, privateKey }) => {
    it.each([
      ["PEM", () => pemOf(publicKey)],
      ["JWK JSON", () => jwkTextOf(publicKey)],
    ])(`is accepted as %s for ${alg}, its kid the RFC 7638 thumbprint`, async (_, text) => {
      const parsed = await parseClientPublicKey(text());

      const thumbprint = await calculateJwkThumbprint(jwkOf(publicKey));
      expect(parsed.alg).toBe(alg);
      expect(parsed.kid).toBe(thumbprint);
      expect(parsed.jwk).toEqual({ ...jwkOf(publicKey), kid: thumbprint, alg, use: "sig" });
    });

    it("is accepted with surrounding whitespace, as pasted", async () => {
      const parsed = await parseClientPublicKey(`\n  ${pemOf(publicKey)}\n\n`);

      expect(parsed.kid).toBe(await calculateJwkThumbprint(jwkOf(publicKey)));
    });

    it("stores a public JWK only, from either form", async () => {
      for (const text of [pemOf(publicKey), jwkTextOf(publicKey)]) {
        const parsed = await parseClientPublicKey(text);
        expect(Object.keys(parsed.jwk).filter((name) => PRIVATE_MEMBERS.includes(name))).toEqual(
          [],
        );
      }
    });

    it("stores a key that verifies what the private half signed (checked by jose)", async () => {
      const parsed = await parseClientPublicKey(pemOf(publicKey));
      const audience = "https://auth.example.test/auth/tokens/long";
      const jwt = await new SignJWT({ sub: "client" })
        .setProtectedHeader({ alg, kid: parsed.kid })
        .setIssuer("client")
        .setAudience(audience)
        .sign(privateKey);

      const verified = await jwtVerify(jwt, await importJWK(parsed.jwk as JWK, parsed.alg), {
        algorithms: [alg],
        issuer: "client",
        audience,
      });

      expect(verified.payload.sub).toBe("client");
      expect(verified.protectedHeader.kid).toBe(parsed.kid);
    });

    it("refuses the private key as PEM, without echoing it", async () => {
      const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      const body = pem.split("\n")[1] ?? "";

      const refusal = await refusalOf(pem);

      expect(refusal.code).toBe("invalid_request");
      expect(body.length).toBeGreaterThan(20);
      expect(refusal.message).not.toContain(body);
    });

    it("refuses the private key as a JWK (with d)", async () => {
      const refusal = await refusalOf(jwkTextOf(privateKey));

      expect(refusal.code).toBe("invalid_request");
    });
  });

  describe("refuses, as invalid_request", () => {
    const rsa1024 = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const rsa2048 = ACCEPTED[0]?.privateKey ?? p256.privateKey;

    it.each([
      ["an RSA-1024 PEM", () => pemOf(rsa1024.publicKey)],
      ["an RSA-1024 JWK", () => jwkTextOf(rsa1024.publicKey)],
      ["a P-384 PEM", () => pemOf(p384.publicKey)],
      ["a P-384 JWK", () => jwkTextOf(p384.publicKey)],
      ["an HMAC (oct) JWK", () => JSON.stringify({ kty: "oct", k: "c2VjcmV0LXNlY3JldC1zZWNyZXQ" })],
      [
        "an HMAC (oct) JWK with alg HS256",
        () => JSON.stringify({ kty: "oct", alg: "HS256", k: "c2VjcmV0LXNlY3JldC1zZWNyZXQ" }),
      ],
      [
        "an RSA private key in PKCS#1 PEM",
        () => rsa2048.export({ type: "pkcs1", format: "pem" }).toString(),
      ],
      [
        "an EC private key in SEC1 PEM",
        () => p256.privateKey.export({ type: "sec1", format: "pem" }).toString(),
      ],
      ["garbage text", () => "this is not a key"],
      ["an empty string", () => ""],
      ["broken JSON", () => '{"kty": "EC", '],
      ["an empty JSON object", () => "{}"],
      [
        "a PEM with a corrupt body",
        () => "-----BEGIN PUBLIC KEY-----\nQUJDREVGR0g=\n-----END PUBLIC KEY-----\n",
      ],
    ])("%s", async (_, text) => {
      const refusal = await refusalOf(text());

      expect(refusal.code).toBe("invalid_request");
    });
  });
});
