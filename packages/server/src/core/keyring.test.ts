import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, type JWK, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlStore } from "../store/sql/sql-store.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite.js";
import { ManualClock } from "./clock.js";
import { TesseraError } from "./errors.js";
import type { TenantId } from "./ids.js";
import { signJwt } from "./jws.js";
import { type JwkSet, Keyring } from "./keyring.js";
import type { SigningAlgorithm } from "./model/index.js";
import { SecretBox } from "./secret-box.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const RETENTION_MS = 24 * 3_600_000;
const ALGORITHMS: readonly SigningAlgorithm[] = ["ES256", "RS256", "EdDSA"];
/** JWK members that hold private key material (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2). */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

let opened: { store: SqlStore; dir: string } | undefined;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "tessera-keyring-"));
  opened = { dir, store: await openSqliteStore(join(dir, "tessera.db")) };
});

afterAll(async () => {
  await opened?.store.close();
  if (opened !== undefined) {
    await rm(opened.dir, { recursive: true, force: true });
  }
});

async function setup(algorithm: SigningAlgorithm = "ES256", verificationMs?: number) {
  if (opened === undefined) {
    throw new Error("The store did not open");
  }
  const { store } = opened;
  const tenantId = `kr-${randomBytes(5).toString("hex")}` as TenantId;
  await store.tenants.create({
    id: tenantId,
    displayName: "Keyring tenant",
    accessTokenTtlSeconds: 3600,
    idTokenTtlSeconds: 3600,
    refreshTokenTtlSeconds: 86_400,
    refreshPolicy: "none",
    refreshGraceSeconds: 5,
    signingAlgorithm: algorithm,
    operationTokenTtlSeconds: 86_400,
    oauthPasswordGrant: false,
    signingKeyRotationDays: 0,
    createdAt: T0,
    updatedAt: T0,
  });
  const clock = new ManualClock(T0);
  const secretBox = new SecretBox(randomBytes(32));
  const keyring = new Keyring(store.signingKeys, secretBox, clock, {
    cacheTtlMs: 0,
    retiredKeyRetentionMs: RETENTION_MS,
    ...(verificationMs === undefined ? {} : { retiredKeyVerificationMs: verificationMs }),
  });
  return { store, tenantId, clock, secretBox, keyring };
}

const AUDIENCE = "keyring-test";
const issuerOf = (tenantId: TenantId) => `https://auth.example.test/tenants/${tenantId}`;

async function sign(keyring: Keyring, tenantId: TenantId, algorithm: SigningAlgorithm) {
  const key = await keyring.signingKey(tenantId, algorithm);
  return signJwt(key, "JWT", {
    sub: "user-1",
    iss: issuerOf(tenantId),
    aud: AUDIENCE,
    iat: Math.floor(Date.now() / 1000),
  });
}

/** What a resource server checks of the tenant's tokens, besides the signature. */
function expected(tenantId: TenantId, algorithm: SigningAlgorithm) {
  return { algorithms: [algorithm], issuer: issuerOf(tenantId), audience: AUDIENCE, typ: "JWT" };
}

function localJwks(jwks: JwkSet) {
  return createLocalJWKSet({ keys: [...jwks.keys] });
}

function kids(jwks: JwkSet): (string | undefined)[] {
  return jwks.keys.map((k) => k.kid).sort();
}

describe("Keyring", () => {
  it("creates one active and one next key per algorithm, once", async () => {
    const { store, tenantId, keyring } = await setup();

    for (const algorithm of ALGORITHMS) {
      await keyring.ensureKeys(tenantId, algorithm);
    }
    const first = await store.signingKeys.list(tenantId);
    for (const algorithm of ALGORITHMS) {
      await keyring.ensureKeys(tenantId, algorithm);
    }

    for (const algorithm of ALGORITHMS) {
      const statuses = first.filter((k) => k.algorithm === algorithm).map((k) => k.status);
      expect(statuses.sort()).toEqual(["active", "next"]);
    }
    expect(await store.signingKeys.list(tenantId)).toEqual(first);
  });

  it("refuses to sign for a tenant without keys", async () => {
    const { tenantId, keyring } = await setup();

    const error = await keyring.signingKey(tenantId, "ES256").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({ code: "unavailable" });
  });

  it("publishes the next and active public keys only, each with kid, alg and use", async () => {
    const { store, tenantId, keyring } = await setup();
    for (const algorithm of ALGORITHMS) {
      await keyring.ensureKeys(tenantId, algorithm);
    }

    const jwks = await keyring.jwks(tenantId);

    const records = await store.signingKeys.list(tenantId);
    expect(kids(jwks)).toEqual(records.map((k) => k.kid).sort());
    expect(jwks.keys).toHaveLength(2 * ALGORITHMS.length);
    for (const jwk of jwks.keys) {
      const record = records.find((k) => k.kid === jwk.kid);
      expect(jwk).toMatchObject({ alg: record?.algorithm, use: "sig" });
      for (const member of PRIVATE_MEMBERS) {
        expect(jwk).not.toHaveProperty(member);
      }
    }
  });

  it.each(ALGORITHMS)(
    "signs %s tokens that jose verifies against the published JWKS",
    async (algorithm) => {
      const { tenantId, keyring } = await setup(algorithm);
      await keyring.ensureKeys(tenantId, algorithm);

      const token = await sign(keyring, tenantId, algorithm);
      const { payload, protectedHeader } = await jwtVerify(
        token,
        localJwks(await keyring.jwks(tenantId)),
        expected(tenantId, algorithm),
      );

      expect(payload.sub).toBe("user-1");
      expect(protectedHeader.kid).toBe((await keyring.signingKey(tenantId, algorithm)).kid);
    },
  );

  it("does not verify one tenant's token with another tenant's JWKS", async () => {
    const first = await setup();
    const second = await setup();
    await first.keyring.ensureKeys(first.tenantId, "ES256");
    await second.keyring.ensureKeys(second.tenantId, "ES256");

    const token = await sign(first.keyring, first.tenantId, "ES256");

    await expect(
      jwtVerify(
        token,
        localJwks(await second.keyring.jwks(second.tenantId)),
        expected(first.tenantId, "ES256"),
      ),
    ).rejects.toMatchObject({ code: "ERR_JWKS_NO_MATCHING_KEY" });
  });

  it("rotates: next signs, and the retired key stays published for the retention period", async () => {
    const { tenantId, clock, keyring } = await setup();
    await keyring.ensureKeys(tenantId, "ES256");
    const before = await keyring.list(tenantId);
    const oldActive = before.find((k) => k.status === "active");
    const oldNext = before.find((k) => k.status === "next");
    const oldToken = await sign(keyring, tenantId, "ES256");

    clock.advance(60_000);
    const promoted = await keyring.rotate(tenantId, "ES256");

    expect(promoted).toBe(oldNext?.kid);
    expect((await keyring.signingKey(tenantId, "ES256")).kid).toBe(oldNext?.kid);
    const after = await keyring.list(tenantId);
    const newNext = after.find((k) => k.status === "next");
    expect(newNext?.kid).not.toBe(oldNext?.kid);
    expect(after.find((k) => k.kid === oldActive?.kid)?.status).toBe("retired");
    expect(kids(await keyring.jwks(tenantId))).toEqual(
      [oldActive?.kid, oldNext?.kid, newNext?.kid].sort(),
    );
    await expect(
      jwtVerify(oldToken, localJwks(await keyring.jwks(tenantId)), expected(tenantId, "ES256")),
    ).resolves.toMatchObject({ payload: { sub: "user-1" } });

    clock.advance(RETENTION_MS - 1);
    expect(kids(await keyring.jwks(tenantId))).toContain(oldActive?.kid);

    clock.advance(1);
    expect(kids(await keyring.jwks(tenantId))).toEqual([oldNext?.kid, newNext?.kid].sort());
    await expect(
      jwtVerify(oldToken, localJwks(await keyring.jwks(tenantId)), expected(tenantId, "ES256")),
    ).rejects.toMatchObject({ code: "ERR_JWKS_NO_MATCHING_KEY" });
  });

  it("verifies long-lived tokens with a retired key after it leaves the JWKS, and nothing else", async () => {
    const verificationMs = 10 * RETENTION_MS;
    const { tenantId, clock, keyring } = await setup("RS256", verificationMs);
    await keyring.ensureKeys(tenantId, "RS256");
    const retiredKid = (await keyring.signingKey(tenantId, "RS256")).kid;
    await keyring.rotate(tenantId, "RS256");

    clock.advance(RETENTION_MS);
    expect(kids(await keyring.jwks(tenantId))).not.toContain(retiredKid);
    expect(await keyring.verificationKey(tenantId, retiredKid)).toBeUndefined();
    expect(await keyring.verificationKey(tenantId, retiredKid, { longLived: true })).toMatchObject({
      algorithm: "RS256",
    });

    clock.advance(verificationMs - RETENTION_MS);
    expect(
      await keyring.verificationKey(tenantId, retiredKid, { longLived: true }),
    ).toBeUndefined();
  });

  it("stores private keys sealed, bound to their kid", async () => {
    const { store, tenantId, secretBox, keyring } = await setup();
    for (const algorithm of ALGORITHMS) {
      await keyring.ensureKeys(tenantId, algorithm);
    }

    const records = await store.signingKeys.list(tenantId);

    expect(records).toHaveLength(2 * ALGORITHMS.length);
    for (const record of records) {
      const privateJwk = JSON.parse(
        secretBox.open("signing-key", record.privateKeySealed, record.kid),
      ) as JWK;
      expect(privateJwk.d).toEqual(expect.any(String));
      expect(record.privateKeySealed).not.toContain(privateJwk.d);
      expect(record.publicJwk).not.toContain(privateJwk.d);
      expect(() => secretBox.open("signing-key", record.privateKeySealed, "other-kid")).toThrow();
    }
  });
});
