import { describe, expect, it } from "vitest";
import { newTokenId } from "../../core/ids.js";
import type {
  AutomationTokenRecord,
  ClientRecord,
  EpochMs,
  SessionRecord,
} from "../../core/model/index.js";
import type { MaintenanceStore } from "../../core/ports/index.js";
import {
  automationTokenRecord,
  clientRecord,
  DAY,
  refreshTokenRecord,
  type Seeds,
  suffix,
  T0,
} from "./fixtures.js";

/**
 * Each test works in an era of its own, long before T0 and before the era of
 * every test that ran earlier: a purge deletes across tenants, and this way
 * a test's cutoff reaches none of the rows any other test made (those of
 * T0, and the eras of earlier tests, all lie after it), so counts are exact.
 */
let nextEra = T0 - 10_000 * DAY;
function newEra(): EpochMs {
  nextEra -= 1_000 * DAY;
  return nextEra;
}

/** A promise and the function that settles it. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Store conformance: purging ended rows, and the maintenance lock. */
export function describeMaintenanceConformance({
  db,
  seedTenant,
  seedUser,
  seedSession,
}: Seeds): void {
  const maintenance = (): MaintenanceStore => db().maintenance;

  async function seedClient(): Promise<ClientRecord> {
    const client = clientRecord(await seedTenant());
    await db().clients.create(client);
    return client;
  }

  async function seedToken(
    client: ClientRecord,
    overrides: Partial<AutomationTokenRecord>,
  ): Promise<AutomationTokenRecord> {
    const token = automationTokenRecord(client, overrides);
    await db().automationTokens.create(token);
    return token;
  }

  function seedChild(
    client: ClientRecord,
    parent: AutomationTokenRecord,
    overrides: Partial<AutomationTokenRecord>,
  ): Promise<AutomationTokenRecord> {
    return seedToken(client, {
      kind: "short_term",
      id: newTokenId("short_term"),
      parentId: parent.id,
      ...overrides,
    });
  }

  /** A session from `era` to `expiresAt` with `extraTokens` rotations after its first refresh token. */
  async function seedSessionWithTokens(
    overrides: Partial<SessionRecord> & { readonly authTime: EpochMs; readonly expiresAt: EpochMs },
    extraTokens = 0,
  ) {
    const tenantId = await seedTenant();
    const user = await seedUser(tenantId);
    const { session, refreshToken } = await seedSession(tenantId, user.id, {
      createdAt: overrides.authTime,
      ...overrides,
    });
    const tokens = [refreshToken];
    for (let i = 0; i < extraTokens; i += 1) {
      const previous = tokens[tokens.length - 1] ?? refreshToken;
      const at = session.createdAt + (i + 1) * 1000;
      const successor = refreshTokenRecord(session, { createdAt: at });
      await db().refreshTokens.rotate({
        oldHash: previous.hash,
        successor,
        successorSealed: "v1.sealed",
        at,
      });
      tokens.push(successor);
    }
    const stored = await Promise.all(tokens.map((t) => db().refreshTokens.getByHash(t.hash)));
    return { session, hashes: tokens.map((t) => t.hash), stored };
  }

  describe("maintenance: purging ended rows", () => {
    it("deletes sessions ended before the cutoff with all their refresh tokens, and keeps the rest", async () => {
      const era = newEra();
      const cutoff = era + 10 * DAY;
      const far = era + 500 * DAY;
      const expired = await seedSessionWithTokens({ authTime: era, expiresAt: era + DAY }, 2);
      const revoked = await seedSessionWithTokens({
        authTime: era,
        expiresAt: far,
        revokedAt: era + 2 * DAY,
        revokedReason: "logout",
      });
      const live = await seedSessionWithTokens({ authTime: era, expiresAt: far }, 1);
      const expiredAtCutoff = await seedSessionWithTokens({ authTime: era, expiresAt: cutoff });
      const revokedAtCutoff = await seedSessionWithTokens({
        authTime: era,
        expiresAt: far,
        revokedAt: cutoff,
        revokedReason: "logout",
      });
      const endedAfterCutoff = await seedSessionWithTokens({
        authTime: era,
        expiresAt: cutoff + 1,
      });

      const counts = await maintenance().purgeEndedSessions(cutoff);

      expect(counts).toEqual({ sessions: 2, refreshTokens: 4 });
      for (const gone of [expired, revoked]) {
        expect(await db().sessions.get(gone.session.id)).toBeUndefined();
        for (const hash of gone.hashes) {
          expect(await db().refreshTokens.getByHash(hash)).toBeUndefined();
        }
      }
      for (const kept of [live, expiredAtCutoff, revokedAtCutoff, endedAfterCutoff]) {
        expect(await db().sessions.get(kept.session.id)).toEqual(kept.session);
        const tokens = await Promise.all(kept.hashes.map((h) => db().refreshTokens.getByHash(h)));
        expect(tokens).toEqual(kept.stored);
      }
      expect(await maintenance().purgeEndedSessions(cutoff)).toEqual({
        sessions: 0,
        refreshTokens: 0,
      });
    });

    it("deletes automation tokens ended before the cutoff, short-term ones before or with their parent", async () => {
      const era = newEra();
      const cutoff = era + 10 * DAY;
      const far = era + 500 * DAY;
      const client = await seedClient();
      const base = { createdAt: era };
      // Gone: an expired token, its ended child and its child still "live" by its own times.
      const expired = await seedToken(client, { ...base, expiresAt: era + DAY });
      const expiredChildren = [
        await seedChild(client, expired, { ...base, expiresAt: era + 3_600_000 }),
        await seedChild(client, expired, { ...base, expiresAt: far }),
      ];
      // Gone: a revoked token and its child, revoked with it.
      const revoked = await seedToken(client, {
        ...base,
        expiresAt: far,
        revokedAt: era + 2 * DAY,
        revokedReason: "revoked",
      });
      const revokedChild = await seedChild(client, revoked, {
        ...base,
        expiresAt: far,
        revokedAt: era + 2 * DAY,
        revokedReason: "parent_revoked",
      });
      // Gone: a rotated token whose overlap ended; its live successor stays.
      const successor = await seedToken(client, { ...base, expiresAt: far });
      const rotated = await seedToken(client, {
        ...base,
        expiresAt: far,
        revokedAt: era + 3 * DAY,
        revokedReason: "rotated",
        replacedById: successor.id,
      });
      // A live token: its expired child goes, its live child stays.
      const live = await seedToken(client, { ...base, expiresAt: far });
      const liveParentsExpiredChild = await seedChild(client, live, {
        ...base,
        expiresAt: era + DAY,
      });
      const liveChild = await seedChild(client, live, { ...base, expiresAt: far });
      // Kept: ended exactly at the cutoff, with its child.
      const endedAtCutoff = await seedToken(client, {
        ...base,
        expiresAt: far,
        revokedAt: cutoff,
        revokedReason: "revoked",
      });
      const endedAtCutoffChild = await seedChild(client, endedAtCutoff, {
        ...base,
        expiresAt: cutoff,
      });

      const count = await maintenance().purgeEndedAutomationTokens(cutoff);

      const gone = [expired, ...expiredChildren, revoked, revokedChild, rotated];
      expect(count).toBe(gone.length + 1);
      for (const token of [...gone, liveParentsExpiredChild]) {
        expect(await db().automationTokens.get(token.id)).toBeUndefined();
      }
      for (const token of [successor, live, liveChild, endedAtCutoff, endedAtCutoffChild]) {
        expect(await db().automationTokens.get(token.id)).toEqual(token);
      }
      expect(await maintenance().purgeEndedAutomationTokens(cutoff)).toBe(0);
    });

    it("deletes one-time claims expired before the cutoff, leaving later ones held", async () => {
      const era = newEra();
      const cutoff = era + DAY;
      const expiredKey = `maint-old-${suffix()}`;
      const atCutoffKey = `maint-edge-${suffix()}`;
      expect(await db().oneTimeClaims.claim(expiredKey, cutoff - 1, era)).toBe(true);
      expect(await db().oneTimeClaims.claim(atCutoffKey, cutoff, era)).toBe(true);

      expect(await maintenance().purgeExpiredClaims(cutoff)).toBe(1);

      // Purged, the key is free again even to a caller whose clock says it is still held.
      expect(await db().oneTimeClaims.claim(expiredKey, cutoff + DAY, era)).toBe(true);
      expect(await db().oneTimeClaims.claim(atCutoffKey, cutoff + DAY, era)).toBe(false);
      expect(await maintenance().purgeExpiredClaims(cutoff)).toBe(0);
    });

    it("works through more rows than one batch, and counts every one", async () => {
      const era = newEra();
      const cutoff = era + 10 * DAY;
      const ended = { authTime: era, expiresAt: era + DAY };
      for (let i = 0; i < 5; i += 1) {
        await seedSessionWithTokens(ended, 1);
      }
      const kept = await seedSessionWithTokens({ authTime: era, expiresAt: era + 500 * DAY }, 1);
      const client = await seedClient();
      for (let i = 0; i < 3; i += 1) {
        const parent = await seedToken(client, { createdAt: era, expiresAt: era + DAY });
        await seedChild(client, parent, { createdAt: era, expiresAt: era + DAY });
        await seedChild(client, parent, { createdAt: era, expiresAt: era + 500 * DAY });
      }
      for (let i = 0; i < 5; i += 1) {
        await db().oneTimeClaims.claim(`maint-batch-${suffix()}`, era + DAY, era);
      }

      const options = { batchSize: 2 };
      expect(await maintenance().purgeEndedSessions(cutoff, options)).toEqual({
        sessions: 5,
        refreshTokens: 10,
      });
      expect(await maintenance().purgeEndedAutomationTokens(cutoff, options)).toBe(9);
      expect(await maintenance().purgeExpiredClaims(cutoff, options)).toBe(5);
      expect(await db().sessions.get(kept.session.id)).toEqual(kept.session);
    });

    it("loops past the default batch of 1000 rows", async () => {
      const era = newEra();
      const keys = Array.from({ length: 1_005 }, (_, i) => `maint-many-${i}-${suffix()}`);
      for (let i = 0; i < keys.length; i += 100) {
        await Promise.all(
          keys.slice(i, i + 100).map((key) => db().oneTimeClaims.claim(key, era + 1, era)),
        );
      }

      expect(await maintenance().purgeExpiredClaims(era + 2)).toBe(1_005);
    });

    it("stops between batches when its signal aborts, deleting nothing more", async () => {
      const era = newEra();
      const keys = [`maint-abort-a-${suffix()}`, `maint-abort-b-${suffix()}`];
      for (const key of keys) {
        await db().oneTimeClaims.claim(key, era + 1, era);
      }
      const aborted = AbortSignal.abort();

      expect(await maintenance().purgeExpiredClaims(era + 2, { signal: aborted })).toBe(0);
      expect(await maintenance().purgeEndedSessions(era + 2, { signal: aborted })).toEqual({
        sessions: 0,
        refreshTokens: 0,
      });
      expect(await maintenance().purgeExpiredClaims(era + 2)).toBe(2);
    });

    it("refuses a batch size that is not a positive whole number", async () => {
      await expect(maintenance().purgeExpiredClaims(T0, { batchSize: 0 })).rejects.toThrow(
        RangeError,
      );
    });
  });

  describe("maintenance: the lock", () => {
    it("runs the work with a store of its own and hands back its result", async () => {
      const era = newEra();
      const key = `maint-locked-${suffix()}`;
      await db().oneTimeClaims.claim(key, era + 1, era);

      const outcome = await maintenance().tryLock(`purge-${suffix()}`, (locked) =>
        locked.purgeExpiredClaims(era + 2),
      );

      expect(outcome).toEqual({ acquired: true, result: 1 });
    });

    it("releases the lock when the work throws, and passes the error on", async () => {
      const name = `purge-${suffix()}`;

      await expect(
        maintenance().tryLock(name, async () => {
          throw new Error("work failed");
        }),
      ).rejects.toThrow("work failed");

      expect(await maintenance().tryLock(name, async () => "again")).toEqual({
        acquired: true,
        result: "again",
      });
    });

    it("refuses a second holder while the lock is held, and grants it once released", async () => {
      const name = `purge-${suffix()}`;
      const entered = gate();
      const release = gate();
      const holder = maintenance().tryLock(name, async () => {
        entered.open();
        await release.opened;
        return "first";
      });
      await entered.opened;

      const second = await maintenance().tryLock(name, async () => "second");
      const otherName = await maintenance().tryLock(`other-${suffix()}`, async () => "other");
      release.open();

      expect(await holder).toEqual({ acquired: true, result: "first" });
      expect(second).toEqual({ acquired: false });
      expect(otherName).toEqual({ acquired: true, result: "other" });
      expect(await maintenance().tryLock(name, async () => "after")).toEqual({
        acquired: true,
        result: "after",
      });
    });

    it("gives the lock to exactly one of two contenders started together, and runs only its work", async () => {
      const name = `purge-${suffix()}`;
      const release = gate();
      const bothDecided = gate();
      const entered: string[] = [];
      let decided = 0;
      const decide = () => {
        decided += 1;
        if (decided === 2) {
          bothDecided.open();
        }
      };
      const contend = async (who: string) => {
        const outcome = await maintenance().tryLock(name, async () => {
          entered.push(who);
          decide();
          await release.opened;
          return who;
        });
        if (!outcome.acquired) {
          decide();
        }
        return outcome;
      };
      const contenders = [contend("a"), contend("b")];

      // Each has either entered its work or been refused; the holder still holds.
      await bothDecided.opened;
      const holdersAtOnce = entered.length;
      release.open();
      const outcomes = await Promise.all(contenders);

      expect(holdersAtOnce).toBe(1);
      const winner = entered[0];
      expect(outcomes).toEqual(
        ["a", "b"].map((who) =>
          who === winner ? { acquired: true, result: who } : { acquired: false },
        ),
      );
    });
  });
}
