import { describe, expect, it } from "vitest";
import { newClientId, newSessionId, newUserId } from "../../core/ids.js";
import { type Seeds, T0 } from "./fixtures.js";

/** Store conformance: audit. */
export function describeAuditConformance({ db, seedTenant }: Seeds): void {
  describe("audit", () => {
    async function lastId(): Promise<number> {
      const [newest] = await db().audit.list(undefined, { limit: 1 });
      return newest?.id ?? 0;
    }

    it("round-trips an event with its detail", async () => {
      const tenantId = await seedTenant();
      const actor = newUserId();
      const actorClient = newClientId();
      const subject = newUserId();
      const client = newClientId();
      const sessionId = newSessionId();

      await db().audit.append({
        tenantId,
        at: T0,
        type: "login.succeeded",
        actorUserId: actor,
        actorClientId: actorClient,
        subjectUserId: subject,
        clientId: client,
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
        actorClientId: actorClient,
        subjectUserId: subject,
        clientId: client,
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
          actorClientId: null,
          subjectUserId: null,
          clientId: null,
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
}
