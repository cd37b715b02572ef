import { createPrivateKey, type JsonWebKey, type KeyObject } from "node:crypto";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from "jose";
import type { Clock } from "./clock.js";
import { TesseraError } from "./errors.js";
import type { KeyId, TenantId } from "./ids.js";
import type { JwsSigningKey } from "./jws.js";
import type { SigningAlgorithm, SigningKeyRecord } from "./model/index.js";
import type { SigningKeyStore } from "./ports/index.js";
import type { SecretBox } from "./secret-box.js";

/** Every algorithm Tessera signs with; verification accepts only the key's own. */
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ["ES256", "RS256", "EdDSA"];

/** A key ready to sign with (`signJwt` in jws.ts). */
export interface ActiveSigningKey extends JwsSigningKey {
  readonly kid: KeyId;
}

/** A published JWK Set (RFC 7517 §5). */
export interface JwkSet {
  readonly keys: readonly JWK[];
}

export interface KeyringOptions {
  /** How long a parsed keyring is trusted before it is read again (picks up CLI rotations). */
  readonly cacheTtlMs?: number;
  /**
   * How long a retired key stays in the JWKS: at least the longest lifetime
   * of a JWT that others verify (access and ID tokens, operation tokens).
   */
  readonly retiredKeyRetentionMs: number;
  /**
   * How long a retired key still verifies tokens here, published or not: at
   * least the longest lifetime of a JWT only Tessera verifies (the
   * operations API's refresh token lives as long as its session). Defaults
   * to `retiredKeyRetentionMs`.
   */
  readonly retiredKeyVerificationMs?: number;
}

interface LoadedKey {
  readonly record: SigningKeyRecord;
  readonly publicKey: CryptoKey;
  privateKey?: KeyObject;
}

interface TenantKeys {
  readonly loadedAt: number;
  readonly byKid: Map<string, LoadedKey>;
  readonly jwks: JwkSet;
}

const SEAL_PURPOSE = "signing-key";
const UNKNOWN_KID_RELOAD_MS = 5_000;

/**
 * Signing keys per tenant and algorithm, each `next → active → retired`.
 *
 * - The `next` key is published in the JWKS before it signs anything, so
 *   verifiers that cache the JWKS already hold it when rotation promotes it.
 * - A retired key stays published for `retiredKeyRetentionMs` so tokens it
 *   signed keep verifying until they expire.
 * - Private keys are stored sealed with the master key and parsed once.
 */
export class Keyring {
  readonly #cache = new Map<TenantId, TenantKeys>();
  readonly #cacheTtlMs: number;
  readonly #retentionMs: number;
  readonly #verificationMs: number;

  constructor(
    private readonly store: SigningKeyStore,
    private readonly secretBox: SecretBox,
    private readonly clock: Clock,
    options: KeyringOptions,
  ) {
    this.#cacheTtlMs = options.cacheTtlMs ?? 30_000;
    this.#retentionMs = options.retiredKeyRetentionMs;
    this.#verificationMs = Math.max(
      options.retiredKeyVerificationMs ?? 0,
      options.retiredKeyRetentionMs,
    );
  }

  /**
   * Makes sure the tenant has an active and a next key for `algorithm`,
   * creating what is missing. Safe to call at every start.
   */
  async ensureKeys(tenantId: TenantId, algorithm: SigningAlgorithm): Promise<void> {
    const keys = (await this.store.list(tenantId)).filter((k) => k.algorithm === algorithm);
    const now = this.clock.now();
    if (!keys.some((k) => k.status === "active")) {
      await this.store.create(await this.#generate(tenantId, algorithm, "active", now));
    }
    if (!keys.some((k) => k.status === "next")) {
      await this.store.create(await this.#generate(tenantId, algorithm, "next", now));
    }
    this.invalidate(tenantId);
  }

  /**
   * Rotates the tenant's keys for `algorithm`: next becomes active, active
   * becomes retired, and a new next key is made.
   *
   * @returns the kid that now signs.
   */
  async rotate(tenantId: TenantId, algorithm: SigningAlgorithm): Promise<KeyId> {
    await this.ensureKeys(tenantId, algorithm);
    const next = (await this.store.list(tenantId)).find(
      (k) => k.algorithm === algorithm && k.status === "next",
    );
    if (next === undefined) {
      throw new TesseraError("conflict", "The keyring changed during rotation; try again");
    }
    const now = this.clock.now();
    const rotated = await this.store.rotate({
      tenantId,
      promoteKid: next.kid,
      newNext: await this.#generate(tenantId, algorithm, "next", now),
      at: now,
    });
    this.invalidate(tenantId);
    if (!rotated) {
      throw new TesseraError("conflict", "Another rotation ran at the same time; try again");
    }
    return next.kid;
  }

  /** The key that signs new tokens of `algorithm` for the tenant. */
  async signingKey(tenantId: TenantId, algorithm: SigningAlgorithm): Promise<ActiveSigningKey> {
    let found = await this.#active(tenantId, algorithm);
    if (found === undefined) {
      // Another process (the CLI) may have just made keys for a new algorithm.
      this.invalidate(tenantId);
      found = await this.#active(tenantId, algorithm);
    }
    if (found === undefined) {
      throw new TesseraError("unavailable", "No signing key is available", {
        detail: `tenant ${tenantId} has no active ${algorithm} key`,
        retryAfterSeconds: 1,
      });
    }
    found.privateKey ??= this.#openPrivateKey(found.record);
    return { kid: found.record.kid, algorithm, privateKey: found.privateKey };
  }

  async #active(tenantId: TenantId, algorithm: SigningAlgorithm): Promise<LoadedKey | undefined> {
    const keys = await this.#load(tenantId);
    for (const loaded of keys.byKid.values()) {
      if (loaded.record.status === "active" && loaded.record.algorithm === algorithm) {
        return loaded;
      }
    }
    return undefined;
  }

  /**
   * The public key for `kid` if it may still verify tokens for the tenant:
   * a next or active key, or a key retired within the JWKS retention. With
   * `longLived`, a key retired within the longer verification window too,
   * for the one JWT only Tessera verifies whose lifetime is a session's, and
   * for revoking a session-bound token, whose session may outlive the JWKS
   * window (its session, not the key's age, then decides).
   * An unknown kid triggers one reload (throttled), so a rotation made by
   * another process is picked up at once.
   */
  async verificationKey(
    tenantId: TenantId,
    kid: string,
    options: { readonly longLived?: boolean } = {},
  ): Promise<{ key: CryptoKey; algorithm: SigningAlgorithm } | undefined> {
    let keys = await this.#load(tenantId);
    if (!keys.byKid.has(kid) && this.clock.now() - keys.loadedAt > UNKNOWN_KID_RELOAD_MS) {
      this.invalidate(tenantId);
      keys = await this.#load(tenantId);
    }
    const loaded = keys.byKid.get(kid);
    if (loaded === undefined) {
      return undefined;
    }
    const { status, retiredAt } = loaded.record;
    const window = options.longLived === true ? this.#verificationMs : this.#retentionMs;
    if (status === "retired" && this.clock.now() - (retiredAt ?? 0) >= window) {
      return undefined;
    }
    return { key: loaded.publicKey, algorithm: loaded.record.algorithm };
  }

  /** The tenant's JWKS: next, active, and recently retired public keys. */
  async jwks(tenantId: TenantId): Promise<JwkSet> {
    return (await this.#load(tenantId)).jwks;
  }

  /** Every key of the tenant as stored (no private material), newest first. */
  async list(tenantId: TenantId): Promise<SigningKeyRecord[]> {
    return this.store.list(tenantId);
  }

  /** Forgets what was loaded for a tenant, so the next call reads the store. */
  invalidate(tenantId: TenantId): void {
    this.#cache.delete(tenantId);
  }

  async #load(tenantId: TenantId): Promise<TenantKeys> {
    const now = this.clock.now();
    const cached = this.#cache.get(tenantId);
    if (cached !== undefined && now - cached.loadedAt < this.#cacheTtlMs) {
      return cached;
    }
    const retiredFor = (k: SigningKeyRecord) => now - (k.retiredAt ?? 0);
    const records = (await this.store.list(tenantId)).filter(
      (k) => k.status !== "retired" || retiredFor(k) < this.#verificationMs,
    );
    const byKid = new Map<string, LoadedKey>();
    const published: JWK[] = [];
    for (const record of records) {
      const jwk = JSON.parse(record.publicJwk) as JWK;
      const previous = cached?.byKid.get(record.kid);
      const publicKey =
        previous?.publicKey ?? ((await importJWK(jwk, record.algorithm)) as CryptoKey);
      const entry: LoadedKey = { record, publicKey };
      if (previous?.privateKey !== undefined && previous.record.status === record.status) {
        entry.privateKey = previous.privateKey;
      }
      byKid.set(record.kid, entry);
      if (record.status !== "retired" || retiredFor(record) < this.#retentionMs) {
        published.push(jwk);
      }
    }
    const loaded: TenantKeys = { loadedAt: now, byKid, jwks: { keys: published } };
    this.#cache.set(tenantId, loaded);
    return loaded;
  }

  #openPrivateKey(record: SigningKeyRecord): KeyObject {
    const jwk = JSON.parse(
      this.secretBox.open(SEAL_PURPOSE, record.privateKeySealed, record.kid),
    ) as JsonWebKey;
    return createPrivateKey({ key: jwk, format: "jwk" });
  }

  async #generate(
    tenantId: TenantId,
    algorithm: SigningAlgorithm,
    status: "active" | "next",
    now: number,
  ): Promise<SigningKeyRecord> {
    const { publicKey, privateKey } = await generateKeyPair(algorithm, {
      extractable: true,
      ...(algorithm === "RS256" ? { modulusLength: 2048 } : {}),
      ...(algorithm === "EdDSA" ? { crv: "Ed25519" } : {}),
    });
    const publicJwk = await exportJWK(publicKey);
    const kid = (await calculateJwkThumbprint(publicJwk)) as KeyId;
    const published: JWK = { ...publicJwk, kid, alg: algorithm, use: "sig" };
    const privateJwk = await exportJWK(privateKey);
    return {
      kid,
      tenantId,
      algorithm,
      status,
      publicJwk: JSON.stringify(published),
      privateKeySealed: this.secretBox.seal(SEAL_PURPOSE, JSON.stringify(privateJwk), kid),
      createdAt: now,
      activatedAt: status === "active" ? now : null,
      retiredAt: null,
    };
  }
}
