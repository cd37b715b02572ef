import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TesseraError } from "../../core/errors.js";
import {
  type KeyId,
  newApiKeyId,
  newClientId,
  newSessionId,
  newUserId,
  type SessionId,
  type TenantId,
  type UserId,
} from "../../core/ids.js";
import { generateOpaqueToken, hashSecret } from "../../core/opaque-token.js";
import type { Store } from "../contract.js";
import type {
  ApiKeyRecord,
  EpochMs,
  RefreshTokenRecord,
  SessionRecord,
  SigningAlgorithm,
  SigningKeyRecord,
  SigningKeyStatus,
  TenantRecord,
  UserRecord,
} from "../records.js";

/** What a backend hands the suite: a migrated store and how to dispose of it. */
export interface OpenedStore {
  readonly store: Store;
  readonly cleanup: () => Promise<void>;
}

const T0: EpochMs = Date.parse("2026-01-01T00:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A random suffix, so tests sharing one database never collide. */
function suffix(): string {
  return randomBytes(5).toString("hex");
}

function byId<T extends { readonly id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : 1));
}

async function expectConflict(work: Promise<unknown>): Promise<void> {
  const outcome = await work.then(
    () => "resolved",
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(TesseraError);
  expect(outcome).toMatchObject({ code: "conflict" });
}

function tenantRecord(overrides: Partial<TenantRecord> = {}): TenantRecord {
  return {
    id: `conf-${suffix()}` as TenantId,
    displayName: "Conformance tenant",
    accessTokenTtlSeconds: 3600,
    idTokenTtlSeconds: 3600,
    refreshTokenTtlSeconds: 30 * 24 * 3600,
    refreshPolicy: "none",
    refreshGraceSeconds: 5,
    signingAlgorithm: "ES256",
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function userRecord(tenantId: TenantId, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: newUserId(),
    tenantId,
    username: `user-${suffix()}`,
    passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
    status: "active",
    permissions: [],
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function apiKeyRecord(tenantId: TenantId, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const secret = generateOpaqueToken("tsr_ak");
  return {
    id: newApiKeyId(),
    tenantId,
    clientId: newClientId(),
    name: "conformance key",
    keyHash: hashSecret(secret),
    keyPrefix: secret.slice(0, 12),
    createdAt: T0,
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

function signingKeyRecord(
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

function sessionRecord(
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

function refreshTokenRecord(
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

/**
 * Declares the {@link Store} conformance suite. Every backend runs it
 * unchanged against a real database; `open` is called once for the suite.
 *
 * Tests make their own tenants and users with random ids, so one database
 * can serve many suites at once, and they assert only on rows they made.
 *
 * @example
 * describeStoreConformance("sqlite", async () => {
 *   const store = await openSqliteStore(path);
 *   return { store, cleanup: () => store.close() };
 * });
 */
export function describeStoreConformance(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store conformance: ${name}`, () => {
    let opened: OpenedStore | undefined;

    beforeAll(async () => {
      opened = await open();
    });

    afterAll(async () => {
      await opened?.cleanup();
    });

    function db(): Store {
      if (opened === undefined) {
        throw new Error("The store did not open");
      }
      return opened.store;
    }

    async function seedTenant(overrides: Partial<TenantRecord> = {}): Promise<TenantId> {
      const tenant = tenantRecord(overrides);
      await db().tenants.create(tenant);
      return tenant.id;
    }

    async function seedUser(
      tenantId: TenantId,
      overrides: Partial<UserRecord> = {},
    ): Promise<UserRecord> {
      const user = userRecord(tenantId, overrides);
      await db().users.create(user);
      return user;
    }

    async function seedSession(
      tenantId: TenantId,
      userId: UserId,
      overrides: Partial<SessionRecord> = {},
    ): Promise<{ session: SessionRecord; refreshToken: RefreshTokenRecord }> {
      const session = sessionRecord(tenantId, userId, overrides);
      const refreshToken = refreshTokenRecord(session);
      await db().sessions.create(session, refreshToken);
      return { session, refreshToken };
    }

    it("answers ping", async () => {
      await expect(db().ping()).resolves.toBeUndefined();
    });

    describe("tenants", () => {
      it("reads back a created tenant exactly", async () => {
        const tenant = tenantRecord({ refreshPolicy: "rotate", signingAlgorithm: "EdDSA" });
        await db().tenants.create(tenant);

        expect(await db().tenants.get(tenant.id)).toEqual(tenant);
      });

      it("returns undefined for an unknown id", async () => {
        expect(await db().tenants.get(`missing-${suffix()}` as TenantId)).toBeUndefined();
      });

      it("lists every created tenant", async () => {
        const first = tenantRecord();
        const second = tenantRecord({ displayName: "Second" });
        await db().tenants.create(first);
        await db().tenants.create(second);

        const listed = await db().tenants.list();

        expect(listed).toContainEqual(first);
        expect(listed).toContainEqual(second);
      });

      it("applies a patch, moves updatedAt and keeps every other field", async () => {
        const tenant = tenantRecord();
        await db().tenants.create(tenant);

        const updated = await db().tenants.update(
          tenant.id,
          { displayName: "Renamed", refreshPolicy: "rotate", refreshGraceSeconds: 30 },
          T0 + HOUR,
        );

        const expected: TenantRecord = {
          ...tenant,
          displayName: "Renamed",
          refreshPolicy: "rotate",
          refreshGraceSeconds: 30,
          updatedAt: T0 + HOUR,
        };
        expect(updated).toEqual(expected);
        expect(await db().tenants.get(tenant.id)).toEqual(expected);
      });

      it("returns undefined when updating an unknown tenant, and creates nothing", async () => {
        const id = `missing-${suffix()}` as TenantId;

        expect(await db().tenants.update(id, { displayName: "Ghost" }, T0)).toBeUndefined();
        expect(await db().tenants.get(id)).toBeUndefined();
      });

      it("refuses a duplicate id with conflict and keeps the original", async () => {
        const tenant = tenantRecord();
        await db().tenants.create(tenant);

        await expectConflict(
          db().tenants.create({ ...tenant, displayName: "Impostor", createdAt: T0 + 1 }),
        );
        expect(await db().tenants.get(tenant.id)).toEqual(tenant);
      });
    });

    describe("users", () => {
      it("reads back a created user by id and by username", async () => {
        const tenantId = await seedTenant();
        const user = await seedUser(tenantId, { permissions: ["users:read", "sessions:revoke"] });

        expect(await db().users.getById(tenantId, user.id)).toEqual(user);
        expect(await db().users.getByUsername(tenantId, user.username)).toEqual(user);
      });

      it("matches usernames exactly and case-sensitively", async () => {
        const tenantId = await seedTenant();
        const username = `Alice-${suffix()}`;
        await seedUser(tenantId, { username });

        for (const variant of [
          username.toLowerCase(),
          username.toUpperCase(),
          ` ${username}`,
          `${username} `,
          username.slice(0, -1),
        ]) {
          expect(await db().users.getByUsername(tenantId, variant)).toBeUndefined();
        }
        expect((await db().users.getByUsername(tenantId, username))?.username).toBe(username);
      });

      it("does not find a user through another tenant", async () => {
        const tenantId = await seedTenant();
        const otherTenantId = await seedTenant();
        const user = await seedUser(tenantId);

        expect(await db().users.getById(otherTenantId, user.id)).toBeUndefined();
        expect(await db().users.getByUsername(otherTenantId, user.username)).toBeUndefined();
      });

      it("lists a tenant's users ordered by username", async () => {
        const tenantId = await seedTenant();
        const otherTenantId = await seedTenant();
        const s = suffix();
        const charlie = await seedUser(tenantId, { username: `charlie-${s}` });
        const alice = await seedUser(tenantId, { username: `alice-${s}` });
        const bob = await seedUser(tenantId, { username: `bob-${s}` });
        await seedUser(otherTenantId, { username: `aaron-${s}` });

        expect(await db().users.list(tenantId)).toEqual([alice, bob, charlie]);
      });

      it("applies a patch, round-trips permissions as arrays and keeps other fields", async () => {
        const tenantId = await seedTenant();
        const user = await seedUser(tenantId, { permissions: ["users:read"] });

        const updated = await db().users.update(
          tenantId,
          user.id,
          { permissions: ["users:read", "users:write", "impersonate"], status: "disabled" },
          T0 + HOUR,
        );

        const expected: UserRecord = {
          ...user,
          permissions: ["users:read", "users:write", "impersonate"],
          status: "disabled",
          updatedAt: T0 + HOUR,
        };
        expect(updated).toEqual(expected);
        expect(await db().users.getById(tenantId, user.id)).toEqual(expected);

        const emptied = await db().users.update(
          tenantId,
          user.id,
          { permissions: [], passwordHash: "$argon2id$new" },
          T0 + 2 * HOUR,
        );
        expect(emptied?.permissions).toEqual([]);
        expect(emptied?.passwordHash).toBe("$argon2id$new");
        expect(emptied?.status).toBe("disabled");
      });

      it("does not update a user through another tenant", async () => {
        const tenantId = await seedTenant();
        const otherTenantId = await seedTenant();
        const user = await seedUser(tenantId);

        expect(
          await db().users.update(otherTenantId, user.id, { status: "disabled" }, T0 + HOUR),
        ).toBeUndefined();
        expect(await db().users.getById(tenantId, user.id)).toEqual(user);
      });

      it("refuses a username taken in the tenant, but allows it in another tenant", async () => {
        const tenantId = await seedTenant();
        const otherTenantId = await seedTenant();
        const user = await seedUser(tenantId);

        await expectConflict(db().users.create(userRecord(tenantId, { username: user.username })));
        expect(await db().users.list(tenantId)).toEqual([user]);

        const twin = await seedUser(otherTenantId, { username: user.username });
        expect(await db().users.getByUsername(otherTenantId, user.username)).toEqual(twin);
        expect(await db().users.getByUsername(tenantId, user.username)).toEqual(user);
      });
    });

    describe("api keys", () => {
      it("finds a created key by its hash", async () => {
        const tenantId = await seedTenant();
        const key = apiKeyRecord(tenantId);
        await db().apiKeys.create(key);

        expect(await db().apiKeys.getByHash(key.keyHash)).toEqual(key);
        expect(
          await db().apiKeys.getByHash(hashSecret(generateOpaqueToken("tsr_ak"))),
        ).toBeUndefined();
      });

      it("lists only the tenant's keys", async () => {
        const tenantId = await seedTenant();
        const otherTenantId = await seedTenant();
        const first = apiKeyRecord(tenantId, { createdAt: T0 });
        const second = apiKeyRecord(tenantId, { createdAt: T0 + 1000, name: "second" });
        await db().apiKeys.create(first);
        await db().apiKeys.create(second);
        await db().apiKeys.create(apiKeyRecord(otherTenantId));

        expect(byId(await db().apiKeys.list(tenantId))).toEqual(byId([first, second]));
      });

      it("revokes a live key once: true, then false", async () => {
        const tenantId = await seedTenant();
        const key = apiKeyRecord(tenantId);
        await db().apiKeys.create(key);

        expect(await db().apiKeys.revoke(tenantId, key.id, T0 + HOUR)).toBe(true);
        expect(await db().apiKeys.revoke(tenantId, key.id, T0 + 2 * HOUR)).toBe(false);
        expect(await db().apiKeys.getByHash(key.keyHash)).toEqual({
          ...key,
          revokedAt: T0 + HOUR,
        });
      });

      it("does not revoke a key through another tenant, nor an unknown key", async () => {
        const tenantId = await seedTenant();
        const otherTenantId = await seedTenant();
        const key = apiKeyRecord(tenantId);
        await db().apiKeys.create(key);

        expect(await db().apiKeys.revoke(otherTenantId, key.id, T0)).toBe(false);
        expect(await db().apiKeys.revoke(tenantId, newApiKeyId(), T0)).toBe(false);
        expect((await db().apiKeys.getByHash(key.keyHash))?.revokedAt).toBeNull();
      });

      it("records the last use", async () => {
        const tenantId = await seedTenant();
        const key = apiKeyRecord(tenantId);
        await db().apiKeys.create(key);

        await db().apiKeys.markUsed(key.id, T0 + HOUR);
        expect((await db().apiKeys.getByHash(key.keyHash))?.lastUsedAt).toBe(T0 + HOUR);

        await db().apiKeys.markUsed(key.id, T0 + 2 * HOUR);
        expect(await db().apiKeys.getByHash(key.keyHash)).toEqual({
          ...key,
          lastUsedAt: T0 + 2 * HOUR,
        });
      });

      it("refuses a duplicate hash or id with conflict", async () => {
        const tenantId = await seedTenant();
        const key = apiKeyRecord(tenantId);
        await db().apiKeys.create(key);

        await expectConflict(db().apiKeys.create(apiKeyRecord(tenantId, { keyHash: key.keyHash })));
        await expectConflict(db().apiKeys.create(apiKeyRecord(tenantId, { id: key.id })));
        expect(await db().apiKeys.list(tenantId)).toEqual([key]);
      });
    });

    describe("signing keys", () => {
      it("lists a tenant's keys newest first", async () => {
        const tenantId = await seedTenant();
        const otherTenantId = await seedTenant();
        const oldest = signingKeyRecord(tenantId, "ES256", "retired", {
          createdAt: T0,
          activatedAt: T0,
          retiredAt: T0 + 2000,
        });
        const active = signingKeyRecord(tenantId, "ES256", "active", {
          createdAt: T0 + 1000,
          activatedAt: T0 + 2000,
        });
        const next = signingKeyRecord(tenantId, "ES256", "next", { createdAt: T0 + 2000 });
        await db().signingKeys.create(active);
        await db().signingKeys.create(next);
        await db().signingKeys.create(oldest);
        await db().signingKeys.create(signingKeyRecord(otherTenantId, "ES256", "active"));

        expect(await db().signingKeys.list(tenantId)).toEqual([next, active, oldest]);
      });

      it("refuses a duplicate kid with conflict", async () => {
        const tenantId = await seedTenant();
        const key = signingKeyRecord(tenantId, "ES256", "active");
        await db().signingKeys.create(key);

        await expectConflict(
          db().signingKeys.create(signingKeyRecord(tenantId, "RS256", "next", { kid: key.kid })),
        );
        expect(await db().signingKeys.list(tenantId)).toEqual([key]);
      });

      it("rotates: next becomes active, the old active of that algorithm retires, a new next is added", async () => {
        const tenantId = await seedTenant();
        const oldActive = signingKeyRecord(tenantId, "ES256", "active");
        const next = signingKeyRecord(tenantId, "ES256", "next");
        const otherAlgorithm = signingKeyRecord(tenantId, "RS256", "active");
        for (const key of [oldActive, next, otherAlgorithm]) {
          await db().signingKeys.create(key);
        }
        const newNext = signingKeyRecord(tenantId, "ES256", "next", { createdAt: T0 + HOUR });

        const rotated = await db().signingKeys.rotate({
          tenantId,
          promoteKid: next.kid,
          newNext,
          at: T0 + HOUR,
        });

        expect(rotated).toBe(true);
        const keys = await db().signingKeys.list(tenantId);
        expect(byKid(keys)).toEqual(
          byKid([
            { ...oldActive, status: "retired", retiredAt: T0 + HOUR },
            { ...next, status: "active", activatedAt: T0 + HOUR },
            newNext,
            otherAlgorithm,
          ]),
        );
      });

      it("changes nothing and returns false when the key to promote is no longer next", async () => {
        const tenantId = await seedTenant();
        const oldActive = signingKeyRecord(tenantId, "ES256", "active");
        const next = signingKeyRecord(tenantId, "ES256", "next");
        await db().signingKeys.create(oldActive);
        await db().signingKeys.create(next);
        const firstNewNext = signingKeyRecord(tenantId, "ES256", "next", { createdAt: T0 + 1 });
        expect(
          await db().signingKeys.rotate({
            tenantId,
            promoteKid: next.kid,
            newNext: firstNewNext,
            at: T0 + HOUR,
          }),
        ).toBe(true);
        const before = await db().signingKeys.list(tenantId);

        const again = await db().signingKeys.rotate({
          tenantId,
          promoteKid: next.kid,
          newNext: signingKeyRecord(tenantId, "ES256", "next", { createdAt: T0 + 2 }),
          at: T0 + 2 * HOUR,
        });

        expect(again).toBe(false);
        expect(await db().signingKeys.list(tenantId)).toEqual(before);
      });

      it("does not promote another tenant's next key", async () => {
        const tenantId = await seedTenant();
        const otherTenantId = await seedTenant();
        const next = signingKeyRecord(tenantId, "ES256", "next");
        await db().signingKeys.create(next);

        const rotated = await db().signingKeys.rotate({
          tenantId: otherTenantId,
          promoteKid: next.kid,
          newNext: signingKeyRecord(otherTenantId, "ES256", "next"),
          at: T0 + HOUR,
        });

        expect(rotated).toBe(false);
        expect(await db().signingKeys.list(tenantId)).toEqual([next]);
        expect(await db().signingKeys.list(otherTenantId)).toEqual([]);
      });

      it("lets exactly one of concurrent rotations of the same key win", async () => {
        const tenantId = await seedTenant();
        const oldActive = signingKeyRecord(tenantId, "ES256", "active");
        const next = signingKeyRecord(tenantId, "ES256", "next");
        await db().signingKeys.create(oldActive);
        await db().signingKeys.create(next);
        const candidates = Array.from({ length: 10 }, (_, i) =>
          signingKeyRecord(tenantId, "ES256", "next", { createdAt: T0 + HOUR + i }),
        );

        const results = await Promise.all(
          candidates.map((newNext) =>
            db().signingKeys.rotate({ tenantId, promoteKid: next.kid, newNext, at: T0 + HOUR }),
          ),
        );

        expect(results.filter((won) => won)).toHaveLength(1);
        const winner = candidates[results.indexOf(true)];
        const keys = await db().signingKeys.list(tenantId);
        expect(keys.map((k) => k.kid).sort()).toEqual(
          [oldActive.kid, next.kid, winner?.kid].sort(),
        );
        expect(keys.filter((k) => k.status === "active").map((k) => k.kid)).toEqual([next.kid]);
        expect(keys.filter((k) => k.status === "next").map((k) => k.kid)).toEqual([winner?.kid]);
      });

      it("deletes only the tenant's keys retired strictly before the cut-off", async () => {
        const tenantId = await seedTenant();
        const otherTenantId = await seedTenant();
        const retiredEarly = signingKeyRecord(tenantId, "ES256", "retired", { retiredAt: T0 });
        const retiredLate = signingKeyRecord(tenantId, "ES256", "retired", {
          retiredAt: T0 + 2 * HOUR,
        });
        const active = signingKeyRecord(tenantId, "ES256", "active");
        const foreign = signingKeyRecord(otherTenantId, "ES256", "retired", { retiredAt: T0 });
        for (const key of [retiredEarly, retiredLate, active, foreign]) {
          await db().signingKeys.create(key);
        }

        expect(await db().signingKeys.deleteRetired(tenantId, T0)).toBe(0);
        expect(await db().signingKeys.deleteRetired(tenantId, T0 + HOUR)).toBe(1);

        expect(byKid(await db().signingKeys.list(tenantId))).toEqual(byKid([retiredLate, active]));
        expect(await db().signingKeys.list(otherTenantId)).toEqual([foreign]);
      });
    });

    describe("sessions", () => {
      it("stores a session with its first refresh token", async () => {
        const tenantId = await seedTenant();
        const user = await seedUser(tenantId);
        const apiKey = apiKeyRecord(tenantId);
        await db().apiKeys.create(apiKey);

        const { session, refreshToken } = await seedSession(tenantId, user.id, {
          apiKeyId: apiKey.id,
          clientId: apiKey.clientId,
        });

        expect(await db().sessions.get(session.id)).toEqual(session);
        expect(await db().refreshTokens.getByHash(refreshToken.hash)).toEqual(refreshToken);
        expect(await db().sessions.get(newSessionId())).toBeUndefined();
      });

      it("refuses a session id that exists with conflict", async () => {
        const tenantId = await seedTenant();
        const user = await seedUser(tenantId);
        const { session } = await seedSession(tenantId, user.id);
        const duplicate = { ...session, createdAt: T0 + 1 };

        await expectConflict(db().sessions.create(duplicate, refreshTokenRecord(duplicate)));
        expect(await db().sessions.get(session.id)).toEqual(session);
      });

      it("stores nothing when the first refresh token cannot be inserted", async () => {
        const tenantId = await seedTenant();
        const user = await seedUser(tenantId);
        const { refreshToken } = await seedSession(tenantId, user.id);
        const session = sessionRecord(tenantId, user.id);

        await expect(
          db().sessions.create(session, refreshTokenRecord(session, { hash: refreshToken.hash })),
        ).rejects.toThrow();
        expect(await db().sessions.get(session.id)).toBeUndefined();
      });

      describe("list", () => {
        const now = T0 + 10 * HOUR;

        async function seedSessions() {
          const tenantId = await seedTenant();
          const otherTenantId = await seedTenant();
          const user = await seedUser(tenantId);
          const other = await seedUser(tenantId);
          const stranger = await seedUser(otherTenantId);
          const oldest = await seedSession(tenantId, user.id, { createdAt: T0 });
          const live = await seedSession(tenantId, user.id, { createdAt: T0 + 1000 });
          const revoked = await seedSession(tenantId, user.id, {
            createdAt: T0 + 2000,
            revokedAt: T0 + HOUR,
            revokedReason: "logout",
          });
          const expired = await seedSession(tenantId, user.id, {
            createdAt: T0 + 3000,
            expiresAt: now - 1,
          });
          const others = await seedSession(tenantId, other.id, { createdAt: T0 + 4000 });
          await seedSession(otherTenantId, stranger.id, { createdAt: T0 + 5000 });
          return {
            tenantId,
            user,
            ids: {
              oldest: oldest.session.id,
              live: live.session.id,
              revoked: revoked.session.id,
              expired: expired.session.id,
              others: others.session.id,
            },
          };
        }

        function ids(sessions: readonly SessionRecord[]): SessionId[] {
          return sessions.map((s) => s.id);
        }

        it("returns the tenant's live sessions, newest first", async () => {
          const { tenantId, ids: s } = await seedSessions();

          expect(ids(await db().sessions.list(tenantId, { now, limit: 100 }))).toEqual([
            s.others,
            s.live,
            s.oldest,
          ]);
        });

        it("includes revoked and expired sessions with includeEnded", async () => {
          const { tenantId, ids: s } = await seedSessions();

          expect(
            ids(await db().sessions.list(tenantId, { now, limit: 100, includeEnded: true })),
          ).toEqual([s.others, s.expired, s.revoked, s.live, s.oldest]);
        });

        it("filters by user", async () => {
          const { tenantId, user, ids: s } = await seedSessions();

          expect(
            ids(await db().sessions.list(tenantId, { userId: user.id, now, limit: 100 })),
          ).toEqual([s.live, s.oldest]);
          expect(
            ids(
              await db().sessions.list(tenantId, {
                userId: user.id,
                includeEnded: true,
                now,
                limit: 100,
              }),
            ),
          ).toEqual([s.expired, s.revoked, s.live, s.oldest]);
        });

        it("returns at most limit sessions, the newest", async () => {
          const { tenantId, ids: s } = await seedSessions();

          expect(ids(await db().sessions.list(tenantId, { now, limit: 2 }))).toEqual([
            s.others,
            s.live,
          ]);
        });
      });

      it("revokes a session with its impersonation children, once", async () => {
        const tenantId = await seedTenant();
        const admin = await seedUser(tenantId);
        const target = await seedUser(tenantId);
        const { session: parent } = await seedSession(tenantId, admin.id);
        const { session: child } = await seedSession(tenantId, target.id, {
          impersonatorUserId: admin.id,
          parentSessionId: parent.id,
        });
        const { session: sibling } = await seedSession(tenantId, admin.id);

        const revoked = await db().sessions.revoke(parent.id, T0 + HOUR, "logout");

        expect([...revoked].sort()).toEqual([parent.id, child.id].sort());
        expect(await db().sessions.get(parent.id)).toEqual({
          ...parent,
          revokedAt: T0 + HOUR,
          revokedReason: "logout",
        });
        expect(await db().sessions.get(child.id)).toEqual({
          ...child,
          revokedAt: T0 + HOUR,
          revokedReason: "logout",
        });
        expect(await db().sessions.get(sibling.id)).toEqual(sibling);

        expect(await db().sessions.revoke(parent.id, T0 + 2 * HOUR, "again")).toEqual([]);
        expect(await db().sessions.revoke(child.id, T0 + 2 * HOUR, "again")).toEqual([]);
        expect((await db().sessions.get(parent.id))?.revokedAt).toBe(T0 + HOUR);
      });

      it("revokes a child alone without its parent", async () => {
        const tenantId = await seedTenant();
        const admin = await seedUser(tenantId);
        const target = await seedUser(tenantId);
        const { session: parent } = await seedSession(tenantId, admin.id);
        const { session: child } = await seedSession(tenantId, target.id, {
          impersonatorUserId: admin.id,
          parentSessionId: parent.id,
        });

        expect(await db().sessions.revoke(child.id, T0 + HOUR, "ended")).toEqual([child.id]);
        expect(await db().sessions.get(parent.id)).toEqual(parent);
      });

      it("revokes all of a user's sessions, their impersonations and children, and no one else's", async () => {
        const tenantId = await seedTenant();
        const user = await seedUser(tenantId);
        const target = await seedUser(tenantId);
        const bystander = await seedUser(tenantId);
        const { session: own } = await seedSession(tenantId, user.id);
        const { session: ownSecond } = await seedSession(tenantId, user.id);
        const { session: alreadyEnded } = await seedSession(tenantId, user.id, {
          revokedAt: T0,
          revokedReason: "logout",
        });
        const { session: impersonating } = await seedSession(tenantId, target.id, {
          impersonatorUserId: user.id,
        });
        const { session: child } = await seedSession(tenantId, target.id, {
          parentSessionId: ownSecond.id,
        });
        const { session: targetOwn } = await seedSession(tenantId, target.id);
        const { session: bystanderOwn } = await seedSession(tenantId, bystander.id);

        const revoked = await db().sessions.revokeAllForUser(
          tenantId,
          user.id,
          T0 + HOUR,
          "password_changed",
        );

        expect([...revoked].sort()).toEqual(
          [own.id, ownSecond.id, impersonating.id, child.id].sort(),
        );
        for (const id of revoked) {
          expect(await db().sessions.get(id)).toMatchObject({
            revokedAt: T0 + HOUR,
            revokedReason: "password_changed",
          });
        }
        expect(await db().sessions.get(alreadyEnded.id)).toEqual(alreadyEnded);
        expect(await db().sessions.get(targetOwn.id)).toEqual(targetOwn);
        expect(await db().sessions.get(bystanderOwn.id)).toEqual(bystanderOwn);
        expect(
          await db().sessions.revokeAllForUser(tenantId, user.id, T0 + 2 * HOUR, "again"),
        ).toEqual([]);
      });

      it("does not revoke a user's sessions through another tenant", async () => {
        const tenantId = await seedTenant();
        const otherTenantId = await seedTenant();
        const user = await seedUser(tenantId);
        const { session } = await seedSession(tenantId, user.id);

        expect(
          await db().sessions.revokeAllForUser(otherTenantId, user.id, T0 + HOUR, "x"),
        ).toEqual([]);
        expect(await db().sessions.get(session.id)).toEqual(session);
      });

      it("records the last refresh", async () => {
        const tenantId = await seedTenant();
        const user = await seedUser(tenantId);
        const { session } = await seedSession(tenantId, user.id);

        await db().sessions.markRefreshed(session.id, T0 + HOUR);

        expect(await db().sessions.get(session.id)).toEqual({
          ...session,
          lastRefreshedAt: T0 + HOUR,
        });
      });
    });

    describe("refresh tokens", () => {
      async function seedToken() {
        const tenantId = await seedTenant({ refreshPolicy: "rotate" });
        const user = await seedUser(tenantId);
        return seedSession(tenantId, user.id);
      }

      it("returns undefined for an unknown hash", async () => {
        expect(
          await db().refreshTokens.getByHash(hashSecret(generateOpaqueToken("tsr_rt"))),
        ).toBeUndefined();
      });

      it("rotates once: the winner's successor is stored and the old row records it", async () => {
        const { session, refreshToken } = await seedToken();
        const successor = refreshTokenRecord(session, { createdAt: T0 + HOUR });

        const result = await db().refreshTokens.rotate({
          oldHash: refreshToken.hash,
          successor,
          successorSealed: "v1.winner",
          at: T0 + HOUR,
        });

        expect(result).toEqual({ rotated: true });
        expect(await db().refreshTokens.getByHash(successor.hash)).toEqual(successor);
        expect(await db().refreshTokens.getByHash(refreshToken.hash)).toEqual({
          ...refreshToken,
          rotatedAt: T0 + HOUR,
          successorSealed: "v1.winner",
        });
      });

      it("tells a later caller it lost, with the winner's row, and stores no second successor", async () => {
        const { session, refreshToken } = await seedToken();
        await db().refreshTokens.rotate({
          oldHash: refreshToken.hash,
          successor: refreshTokenRecord(session),
          successorSealed: "v1.winner",
          at: T0 + HOUR,
        });
        const late = refreshTokenRecord(session);

        const result = await db().refreshTokens.rotate({
          oldHash: refreshToken.hash,
          successor: late,
          successorSealed: "v1.late",
          at: T0 + 2 * HOUR,
        });

        expect(result).toEqual({
          rotated: false,
          current: { ...refreshToken, rotatedAt: T0 + HOUR, successorSealed: "v1.winner" },
        });
        expect(await db().refreshTokens.getByHash(late.hash)).toBeUndefined();
      });

      it("reports an unknown token as not rotated, without a current row", async () => {
        const { session } = await seedToken();
        const successor = refreshTokenRecord(session);

        const result = await db().refreshTokens.rotate({
          oldHash: hashSecret(generateOpaqueToken("tsr_rt")),
          successor,
          successorSealed: "v1.none",
          at: T0,
        });

        expect(result).toEqual({ rotated: false, current: undefined });
        expect(await db().refreshTokens.getByHash(successor.hash)).toBeUndefined();
      });

      it("rotates a successor in turn", async () => {
        const { session, refreshToken } = await seedToken();
        const second = refreshTokenRecord(session);
        const third = refreshTokenRecord(session);

        await db().refreshTokens.rotate({
          oldHash: refreshToken.hash,
          successor: second,
          successorSealed: "v1.second",
          at: T0 + 1,
        });
        const result = await db().refreshTokens.rotate({
          oldHash: second.hash,
          successor: third,
          successorSealed: "v1.third",
          at: T0 + 2,
        });

        expect(result).toEqual({ rotated: true });
        expect(await db().refreshTokens.getByHash(third.hash)).toEqual(third);
      });

      it("lets exactly one of 50 concurrent rotations win; the others see its row", async () => {
        const { session, refreshToken } = await seedToken();
        const attempts = Array.from({ length: 50 }, (_, i) => ({
          successor: refreshTokenRecord(session, { createdAt: T0 + i }),
          successorSealed: `v1.attempt-${i}`,
          at: T0 + HOUR + i,
        }));

        const results = await Promise.all(
          attempts.map((attempt) =>
            db().refreshTokens.rotate({ oldHash: refreshToken.hash, ...attempt }),
          ),
        );

        const winners = results.flatMap((result, i) => (result.rotated ? [i] : []));
        expect(winners).toHaveLength(1);
        const winner = attempts[winners[0] ?? -1];
        const stored = await Promise.all(
          attempts.map((attempt) => db().refreshTokens.getByHash(attempt.successor.hash)),
        );
        expect(stored.filter((row) => row !== undefined)).toEqual([winner?.successor]);
        for (const result of results) {
          if (!result.rotated) {
            expect(result.current?.rotatedAt).toBe(winner?.at);
            expect(result.current?.successorSealed).toBe(winner?.successorSealed);
          }
        }
      });
    });

    describe("audit", () => {
      async function lastId(): Promise<number> {
        const [newest] = await db().audit.list(undefined, { limit: 1 });
        return newest?.id ?? 0;
      }

      it("round-trips an event with its detail", async () => {
        const tenantId = await seedTenant();
        const actor = newUserId();
        const subject = newUserId();
        const sessionId = newSessionId();

        await db().audit.append({
          tenantId,
          at: T0,
          type: "login.succeeded",
          actorUserId: actor,
          subjectUserId: subject,
          sessionId,
          ip: "203.0.113.7",
          detail: { method: "password", attempts: 3, ratio: 0.5, mfa: false, note: null },
        });

        const [event, ...rest] = await db().audit.list(tenantId, { limit: 10 });
        expect(rest).toEqual([]);
        expect(event).toEqual({
          id: expect.any(Number),
          tenantId,
          at: T0,
          type: "login.succeeded",
          actorUserId: actor,
          subjectUserId: subject,
          sessionId,
          ip: "203.0.113.7",
          detail: { method: "password", attempts: 3, ratio: 0.5, mfa: false, note: null },
        });
      });

      it("stores omitted fields as null and an omitted detail as empty", async () => {
        const tenantId = await seedTenant();

        await db().audit.append({ tenantId, at: T0, type: "tenant.created" });

        expect(await db().audit.list(tenantId, { limit: 10 })).toEqual([
          {
            id: expect.any(Number),
            tenantId,
            at: T0,
            type: "tenant.created",
            actorUserId: null,
            subjectUserId: null,
            sessionId: null,
            ip: null,
            detail: {},
          },
        ]);
      });

      it("lists the newest events oldest first, and pages forward after a given id", async () => {
        const tenantId = await seedTenant();
        for (let i = 1; i <= 5; i++) {
          await db().audit.append({ tenantId, at: T0 + i, type: `event.${i}` });
        }

        const all = await db().audit.list(tenantId, { limit: 100 });
        expect(all.map((e) => e.type)).toEqual([
          "event.1",
          "event.2",
          "event.3",
          "event.4",
          "event.5",
        ]);
        const ids = all.map((e) => e.id);
        expect([...ids].sort((a, b) => a - b)).toEqual(ids);
        expect(new Set(ids).size).toBe(5);

        const newest = await db().audit.list(tenantId, { limit: 3 });
        expect(newest.map((e) => e.type)).toEqual(["event.3", "event.4", "event.5"]);

        const afterSecond = await db().audit.list(tenantId, { afterId: ids[1] ?? 0, limit: 100 });
        expect(afterSecond.map((e) => e.type)).toEqual(["event.3", "event.4", "event.5"]);

        const afterFirstLimited = await db().audit.list(tenantId, {
          afterId: ids[0] ?? 0,
          limit: 2,
        });
        // Paging forward takes the first events after the id, so none is skipped.
        expect(afterFirstLimited.map((e) => e.type)).toEqual(["event.2", "event.3"]);

        expect(await db().audit.list(tenantId, { afterId: ids[4] ?? 0, limit: 100 })).toEqual([]);
      });

      it("filters by tenant, and lists every tenant without one", async () => {
        const first = await seedTenant();
        const second = await seedTenant();
        const before = await lastId();
        await db().audit.append({ tenantId: first, at: T0, type: "first.a" });
        await db().audit.append({ tenantId: second, at: T0, type: "second.a" });
        await db().audit.append({ tenantId: first, at: T0, type: "first.b" });

        expect((await db().audit.list(first, { limit: 100 })).map((e) => e.type)).toEqual([
          "first.a",
          "first.b",
        ]);
        expect((await db().audit.list(second, { limit: 100 })).map((e) => e.type)).toEqual([
          "second.a",
        ]);

        const everyone = await db().audit.list(undefined, { afterId: before, limit: 1000 });
        expect(
          everyone.filter((e) => e.tenantId === first || e.tenantId === second).map((e) => e.type),
        ).toEqual(["first.a", "second.a", "first.b"]);
      });
    });
  });
}

function byKid(keys: readonly SigningKeyRecord[]): SigningKeyRecord[] {
  return [...keys].sort((a, b) => (a.kid < b.kid ? -1 : 1));
}
