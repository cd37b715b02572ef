import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { TesseraError } from "../../core/errors.js";
import {
  type KeyId,
  newApiKeyId,
  newClientId,
  newRoleId,
  newSessionId,
  newTokenId,
  newUserId,
  type TenantId,
  type UserId,
} from "../../core/ids.js";
import type {
  ApiKeyRecord,
  AutomationTokenRecord,
  ClientRecord,
  EpochMs,
  RefreshTokenRecord,
  RoleRecord,
  SessionRecord,
  SigningAlgorithm,
  SigningKeyRecord,
  SigningKeyStatus,
  TenantRecord,
  UserRecord,
} from "../../core/model/index.js";
import { generateOpaqueToken, hashSecret } from "../../core/opaque-token.js";
import type { Store } from "../../core/ports/index.js";

/** What a backend hands the suite: a migrated store and how to dispose of it. */
export interface OpenedStore {
  readonly store: Store;
  readonly cleanup: () => Promise<void>;
}

export const T0: EpochMs = Date.parse("2026-01-01T00:00:00Z");
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A random suffix, so tests sharing one database never collide. */
export function suffix(): string {
  return randomBytes(5).toString("hex");
}

export function byId<T extends { readonly id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : 1));
}

export async function expectConflict(work: Promise<unknown>): Promise<void> {
  const outcome = await work.then(
    () => "resolved",
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(TesseraError);
  expect(outcome).toMatchObject({ code: "conflict" });
}

export function tenantRecord(overrides: Partial<TenantRecord> = {}): TenantRecord {
  return {
    id: `conf-${suffix()}` as TenantId,
    displayName: "Conformance tenant",
    accessTokenTtlSeconds: 3600,
    idTokenTtlSeconds: 3600,
    refreshTokenTtlSeconds: 30 * 24 * 3600,
    refreshPolicy: "none",
    refreshGraceSeconds: 5,
    signingAlgorithm: "ES256",
    operationTokenTtlSeconds: 86_400,
    oauthPasswordGrant: false,
    signingKeyRotationDays: 0,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function userRecord(tenantId: TenantId, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: newUserId(),
    tenantId,
    username: `user-${suffix()}`,
    passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
    status: "active",
    permissions: [],
    roleId: null,
    rolePermissions: [],
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function roleRecord(tenantId: TenantId, overrides: Partial<RoleRecord> = {}): RoleRecord {
  return {
    id: newRoleId(),
    tenantId,
    name: `role-${suffix()}`,
    permission: {
      super_user: false,
      dev: { tables: { dog: { read: true, insert: false, update: false, delete: false } } },
    },
    permissions: [],
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** A key of `client` (which must exist: a key refers to its client). */
export function apiKeyRecord(
  client: Pick<ClientRecord, "tenantId" | "id">,
  overrides: Partial<ApiKeyRecord> = {},
): ApiKeyRecord {
  const secret = generateOpaqueToken("tsr_ak");
  return {
    id: newApiKeyId(),
    tenantId: client.tenantId,
    clientId: client.id,
    name: "conformance key",
    keyHash: hashSecret(secret),
    keyPrefix: secret.slice(0, 12),
    createdAt: T0,
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

export function signingKeyRecord(
  tenantId: TenantId,
  algorithm: SigningAlgorithm,
  status: SigningKeyStatus,
  overrides: Partial<SigningKeyRecord> = {},
): SigningKeyRecord {
  const kid = `kid-${suffix()}` as KeyId;
  return {
    kid,
    tenantId,
    algorithm,
    status,
    publicJwk: JSON.stringify({ kid, alg: algorithm, use: "sig" }),
    privateKeySealed: `v1.sealed-${suffix()}`,
    createdAt: T0,
    activatedAt: status === "active" ? T0 : null,
    retiredAt: null,
    ...overrides,
  };
}

export function sessionRecord(
  tenantId: TenantId,
  userId: UserId,
  overrides: Partial<SessionRecord> = {},
): SessionRecord {
  return {
    id: newSessionId(),
    tenantId,
    userId,
    clientId: newClientId(),
    apiKeyId: null,
    authTime: T0,
    createdAt: T0,
    expiresAt: T0 + DAY,
    lastRefreshedAt: null,
    revokedAt: null,
    revokedReason: null,
    impersonatorUserId: null,
    parentSessionId: null,
    ...overrides,
  };
}

export function refreshTokenRecord(
  session: SessionRecord,
  overrides: Partial<RefreshTokenRecord> = {},
): RefreshTokenRecord {
  return {
    hash: hashSecret(generateOpaqueToken("tsr_rt")),
    sessionId: session.id,
    tenantId: session.tenantId,
    createdAt: session.createdAt,
    expiresAt: session.expiresAt,
    rotatedAt: null,
    successorSealed: null,
    ...overrides,
  };
}

export function clientRecord(
  tenantId: TenantId,
  overrides: Partial<ClientRecord> = {},
): ClientRecord {
  const secret = generateOpaqueToken("tsr_cs");
  return {
    id: newClientId(),
    tenantId,
    name: `client-${suffix()}`,
    grantTypes: ["client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
    tokenEndpointAuthMethod: "client_secret_basic",
    secretHash: hashSecret(secret),
    secretPrefix: secret.slice(0, 12),
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    totpSeedSealed: null,
    publicKeys: [],
    scopes: ["tokens:write"],
    audiences: [],
    maxTokenTtlDays: 90,
    status: "active",
    firstParty: false,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/**
 * A token of `client`: long-term (with a hash and prefix) unless
 * `overrides.kind` is `short_term`, which gives a hashless token for an
 * audience; pass its `parentId`.
 */
export function automationTokenRecord(
  client: ClientRecord,
  overrides: Partial<AutomationTokenRecord> = {},
): AutomationTokenRecord {
  const kind = overrides.kind ?? "long_term";
  const secret = generateOpaqueToken("tsr_lt");
  const shape =
    kind === "long_term"
      ? {
          name: `token-${suffix()}`,
          hash: hashSecret(secret),
          prefix: secret.slice(0, 12),
          audience: null,
          expiresAt: T0 + 30 * DAY,
        }
      : {
          name: "",
          hash: null,
          prefix: null,
          audience: `https://auth.example.test/tenants/${client.tenantId}`,
          expiresAt: T0 + 900_000,
        };
  return {
    id: newTokenId(kind),
    tenantId: client.tenantId,
    clientId: client.id,
    kind,
    ...shape,
    scopes: [...client.scopes],
    parentId: null,
    createdAt: T0,
    lastUsedAt: null,
    revokedAt: null,
    revokedReason: null,
    replacedById: null,
    ...overrides,
  };
}

/** Keys sorted by kid, for order-free comparison. */
export function byKid(keys: readonly SigningKeyRecord[]): SigningKeyRecord[] {
  return [...keys].sort((a, b) => (a.kid < b.kid ? -1 : 1));
}

/** The seeding helpers every area of the suite shares. */
export interface Seeds {
  db(): Store;
  seedTenant(overrides?: Partial<TenantRecord>): Promise<TenantId>;
  /** A client of `overrides.tenantId`, or of a new tenant. */
  seedClient(overrides?: Partial<ClientRecord>): Promise<ClientRecord>;
  seedUser(tenantId: TenantId, overrides?: Partial<UserRecord>): Promise<UserRecord>;
  seedSession(
    tenantId: TenantId,
    userId: UserId,
    overrides?: Partial<SessionRecord>,
  ): Promise<{ session: SessionRecord; refreshToken: RefreshTokenRecord }>;
}
