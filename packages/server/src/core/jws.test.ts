import { generateKeyPairSync, type KeyObject } from "node:crypto";
import fc from "fast-check";
import { decodeProtectedHeader, importJWK, type JWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { type JwsSigningKey, signJwt } from "./jws.js";
import type { SigningAlgorithm } from "./model/index.js";

function keyPair(algorithm: SigningAlgorithm): { key: JwsSigningKey; publicJwk: JWK } {
  const pair =
    algorithm === "ES256"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : algorithm === "RS256"
        ? generateKeyPairSync("rsa", { modulusLength: 2048 })
        : generateKeyPairSync("ed25519");
  return {
    key: { kid: `kid-${algorithm}`, algorithm, privateKey: pair.privateKey },
    publicJwk: (pair.publicKey as KeyObject).export({ format: "jwk" }) as JWK,
  };
}

const ALGORITHMS: readonly SigningAlgorithm[] = ["ES256", "RS256", "EdDSA"];
const ISSUER = "https://auth.example.test/tenants/default";
const AUDIENCE = "c1";

describe("signJwt, checked by jose as an independent implementation", () => {
  it.each(ALGORITHMS)("%s: jose verifies the token with the public key alone", async (alg) => {
    const { key, publicJwk } = keyPair(alg);
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: "u1", iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 60 };
    const token = await signJwt(key, "at+jwt", claims);
    const { payload, protectedHeader } = await jwtVerify(token, await importJWK(publicJwk, alg), {
      algorithms: [alg],
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: "at+jwt",
    });
    expect(protectedHeader).toEqual({ alg, kid: `kid-${alg}`, typ: "at+jwt" });
    expect(payload).toEqual(claims);
  });

  it("encodes ES256 signatures as r || s (64 bytes), not DER", async () => {
    const { key } = keyPair("ES256");
    const token = await signJwt(key, "JWT", { sub: "u1" });
    const signature = Buffer.from(token.split(".")[2] ?? "", "base64url");
    expect(signature).toHaveLength(64);
  });

  it("refuses to verify under another key or algorithm", async () => {
    const signer = keyPair("ES256");
    const other = keyPair("ES256");
    const token = await signJwt(signer.key, "JWT", { sub: "u1", iss: ISSUER, aud: AUDIENCE });
    const expected = { issuer: ISSUER, audience: AUDIENCE };
    await expect(
      jwtVerify(token, await importJWK(signer.publicJwk, "ES256"), {
        ...expected,
        algorithms: ["ES256"],
      }),
    ).resolves.toMatchObject({ payload: { sub: "u1" } });
    await expect(
      jwtVerify(token, await importJWK(other.publicJwk, "ES256"), {
        ...expected,
        algorithms: ["ES256"],
      }),
    ).rejects.toMatchObject({ code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
    await expect(
      jwtVerify(token, await importJWK(signer.publicJwk, "ES256"), {
        ...expected,
        algorithms: ["RS256"],
      }),
    ).rejects.toMatchObject({ code: "ERR_JOSE_ALG_NOT_ALLOWED" });
  });

  it("keeps each header's typ when one key signs several kinds", async () => {
    const { key } = keyPair("EdDSA");
    const [access, id] = await Promise.all([
      signJwt(key, "at+jwt", { n: 1 }),
      signJwt(key, "JWT", { n: 2 }),
    ]);
    expect(decodeProtectedHeader(access).typ).toBe("at+jwt");
    expect(decodeProtectedHeader(id).typ).toBe("JWT");
  });

  it("round-trips any JSON claims through jose's verification", async () => {
    const { key, publicJwk } = keyPair("ES256");
    const publicKey = await importJWK(publicJwk, "ES256");
    const claims = fc.dictionary(
      fc
        .string({ minLength: 1, maxLength: 12 })
        .filter((k) => !["exp", "nbf", "iat", "iss", "aud"].includes(k)),
      fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 3 })),
      { maxKeys: 8 },
    );
    await fc.assert(
      fc.asyncProperty(claims, async (generated) => {
        const payload = { ...generated, iss: ISSUER, aud: AUDIENCE };
        const token = await signJwt(key, "JWT", payload);
        const verified = await jwtVerify(token, publicKey, {
          algorithms: ["ES256"],
          issuer: ISSUER,
          audience: AUDIENCE,
        });
        expect(verified.payload).toEqual(payload);
      }),
      { numRuns: 50 },
    );
  });
});
