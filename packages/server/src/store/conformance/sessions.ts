import { describe, expect, it } from "vitest";
import { newSessionId, type SessionId } from "../../core/ids.js";
import type { SessionRecord } from "../../core/model/index.js";
import {
  apiKeyRecord,
  expectConflict,
  HOUR,
  refreshTokenRecord,
  type Seeds,
  sessionRecord,
  T0,
} from "./fixtures.js";

/** Store conformance: sessions. */
export function describeSessionConformance({
  db,
  seedTenant,
  seedClient,
  seedUser,
  seedSession,
}: Seeds): void {
  describe("sessions", () => {
    it("stores a session with its first refresh token", async () => {
      const tenantId = await seedTenant();
      const user = await seedUser(tenantId);
      const apiKey = apiKeyRecord(await seedClient({ tenantId }));
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

      it("filters by client", async () => {
        const { tenantId, ids: s } = await seedSessions();
        const all = await db().sessions.list(tenantId, { now, limit: 100, includeEnded: true });
        const clientId = all.find((session) => session.id === s.live)?.clientId;
        expect(clientId).toBeDefined();
        const ofClient = await db().sessions.list(tenantId, {
          ...(clientId === undefined ? {} : { clientId }),
          includeEnded: true,
          now,
          limit: 100,
        });
        expect(ofClient.length).toBeGreaterThan(0);
        expect(ofClient.every((session) => session.clientId === clientId)).toBe(true);
        expect(ids(ofClient)).toEqual(ids(all.filter((session) => session.clientId === clientId)));
      });

      it("pages on after a session without skipping or repeating one, ties broken by id", async () => {
        const { tenantId, user } = await seedSessions();
        const twins = [
          await seedSession(tenantId, user.id, { createdAt: T0 + 500 }),
          await seedSession(tenantId, user.id, { createdAt: T0 + 500 }),
          await seedSession(tenantId, user.id, { createdAt: T0 + 500 }),
        ];
        const everything = ids(
          await db().sessions.list(tenantId, { now, limit: 100, includeEnded: true }),
        );
        expect(everything).toEqual(expect.arrayContaining(twins.map((t) => t.session.id)));
        const paged: SessionId[] = [];
        let after: SessionRecord | undefined;
        for (let page = 0; page < 20; page++) {
          const next = await db().sessions.list(tenantId, {
            now,
            limit: 2,
            includeEnded: true,
            ...(after === undefined ? {} : { after: { createdAt: after.createdAt, id: after.id } }),
          });
          paged.push(...ids(next));
          after = next.at(-1);
          if (next.length < 2) {
            break;
          }
        }
        expect(paged).toEqual(everything);
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

      expect(await db().sessions.revokeAllForUser(otherTenantId, user.id, T0 + HOUR, "x")).toEqual(
        [],
      );
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
}
