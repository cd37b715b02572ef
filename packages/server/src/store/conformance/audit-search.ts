import { describe, expect, it } from "vitest";
import { newClientId, newSessionId, newUserId, type TenantId } from "../../core/ids.js";
import type { AuditEventInput } from "../../core/model/index.js";
import type { AuditSearchFilter } from "../../core/ports/index.js";
import { type Seeds, T0 } from "./fixtures.js";

/** Store conformance: searching the audit trail (the admin API's audit events). */
export function describeAuditSearchConformance({ db, seedTenant }: Seeds): void {
  describe("audit search", () => {
    async function append(
      tenantId: TenantId,
      events: readonly Omit<AuditEventInput, "tenantId" | "at">[],
      at = T0,
    ): Promise<void> {
      for (const event of events) {
        await db().audit.append({ tenantId, at, ...event });
      }
    }

    /** The types a search finds, newest first, on one large page. */
    async function typesFound(
      tenantId: TenantId | undefined,
      filter: AuditSearchFilter,
    ): Promise<string[]> {
      const { events, next } = await db().audit.search(tenantId, filter, { limit: 1000 });
      expect(next).toBeNull();
      return events.map((e) => e.type);
    }

    it("pages newest first through every event once, and says when none is left", async () => {
      const tenantId = await seedTenant();
      await append(
        tenantId,
        Array.from({ length: 7 }, (_, i) => ({ type: `event.${i + 1}` })),
      );

      const seen: string[] = [];
      const ids: number[] = [];
      let before: number | undefined;
      let pages = 0;
      do {
        const page = await db().audit.search(
          tenantId,
          {},
          {
            ...(before === undefined ? {} : { before }),
            limit: 3,
          },
        );
        seen.push(...page.events.map((e) => e.type));
        ids.push(...page.events.map((e) => e.id));
        before = page.next ?? undefined;
        pages++;
      } while (before !== undefined && pages < 10);

      expect(pages).toBe(3);
      expect(seen).toEqual([
        "event.7",
        "event.6",
        "event.5",
        "event.4",
        "event.3",
        "event.2",
        "event.1",
      ]);
      expect([...ids].sort((a, b) => b - a)).toEqual(ids);
      expect(new Set(ids).size).toBe(7);
    });

    it("gives no next cursor when the last page is exactly full", async () => {
      const tenantId = await seedTenant();
      await append(tenantId, [{ type: "a.1" }, { type: "a.2" }, { type: "a.3" }, { type: "a.4" }]);

      const first = await db().audit.search(tenantId, {}, { limit: 2 });
      expect(first.events.map((e) => e.type)).toEqual(["a.4", "a.3"]);
      expect(first.next).toBe(first.events[1]?.id);
      const second = await db().audit.search(tenantId, {}, { before: first.next ?? 0, limit: 2 });
      expect(second.events.map((e) => e.type)).toEqual(["a.2", "a.1"]);
      expect(second.next).toBeNull();
    });

    it("pages through a filtered search without skipping matches between other events", async () => {
      const tenantId = await seedTenant();
      const ada = newUserId();
      for (let i = 1; i <= 5; i++) {
        await append(tenantId, [
          { type: `match.${i}`, subjectUserId: ada },
          { type: "other.event", subjectUserId: newUserId() },
        ]);
      }

      const first = await db().audit.search(tenantId, { userId: ada }, { limit: 2 });
      const second = await db().audit.search(
        tenantId,
        { userId: ada },
        { before: first.next ?? 0, limit: 2 },
      );
      const third = await db().audit.search(
        tenantId,
        { userId: ada },
        { before: second.next ?? 0, limit: 2 },
      );
      expect([...first.events, ...second.events, ...third.events].map((e) => e.type)).toEqual([
        "match.5",
        "match.4",
        "match.3",
        "match.2",
        "match.1",
      ]);
      expect(third.next).toBeNull();
    });

    it("matches an exact type, or every type under a prefix ending in a dot", async () => {
      const tenantId = await seedTenant();
      await append(tenantId, [
        { type: "user.created" },
        { type: "user.deleted" },
        { type: "users.listed" },
        { type: "user" },
        { type: "USER.created" },
        { type: "api_key.created" },
        { type: "apiXkey.created" },
        { type: "login.failed" },
      ]);

      expect(await typesFound(tenantId, { type: "user." })).toEqual([
        "user.deleted",
        "user.created",
      ]);
      expect(await typesFound(tenantId, { type: "user.created" })).toEqual(["user.created"]);
      expect(await typesFound(tenantId, { type: "user" })).toEqual(["user"]);
      // `_` and `%` are characters, not wildcards.
      expect(await typesFound(tenantId, { type: "api_key." })).toEqual(["api_key.created"]);
      expect(await typesFound(tenantId, { type: "user.%" })).toEqual([]);
      expect(await typesFound(tenantId, { type: "login.failed." })).toEqual([]);
    });

    it("matches a user as the actor or as the subject", async () => {
      const tenantId = await seedTenant();
      const ada = newUserId();
      const bob = newUserId();
      await append(tenantId, [
        { type: "ada.acts", actorUserId: ada, subjectUserId: bob },
        { type: "bob.acts", actorUserId: bob },
        { type: "ada.is.changed", actorUserId: bob, subjectUserId: ada },
        { type: "nobody" },
      ]);

      expect(await typesFound(tenantId, { userId: ada })).toEqual(["ada.is.changed", "ada.acts"]);
      expect(await typesFound(tenantId, { userId: bob })).toEqual([
        "ada.is.changed",
        "bob.acts",
        "ada.acts",
      ]);
      expect(await typesFound(tenantId, { userId: newUserId() })).toEqual([]);
    });

    it("matches a client as the actor or as the client the event is about", async () => {
      const tenantId = await seedTenant();
      const bot = newClientId();
      const app = newClientId();
      await append(tenantId, [
        { type: "bot.changes.app", actorClientId: bot, clientId: app },
        { type: "app.login", clientId: app },
        { type: "bot.acts", actorClientId: bot },
        { type: "nobody" },
      ]);

      expect(await typesFound(tenantId, { clientId: bot })).toEqual([
        "bot.acts",
        "bot.changes.app",
      ]);
      expect(await typesFound(tenantId, { clientId: app })).toEqual([
        "app.login",
        "bot.changes.app",
      ]);
    });

    it("matches a session and an ip exactly", async () => {
      const tenantId = await seedTenant();
      const session = newSessionId();
      await append(tenantId, [
        { type: "in.session", sessionId: session, ip: "203.0.113.7" },
        { type: "other.session", sessionId: newSessionId(), ip: "203.0.113.70" },
        { type: "same.ip", ip: "203.0.113.7" },
        { type: "v6", ip: "2001:db8::1" },
      ]);

      expect(await typesFound(tenantId, { sessionId: session })).toEqual(["in.session"]);
      expect(await typesFound(tenantId, { ip: "203.0.113.7" })).toEqual(["same.ip", "in.session"]);
      expect(await typesFound(tenantId, { ip: "2001:db8::1" })).toEqual(["v6"]);
      expect(await typesFound(tenantId, { ip: "203.0.113" })).toEqual([]);
    });

    it("bounds the time from inclusive to exclusive", async () => {
      const tenantId = await seedTenant();
      for (const at of [T0 - 1, T0, T0 + 1, T0 + 2]) {
        await append(tenantId, [{ type: `at.${at - T0}` }], at);
      }

      expect(await typesFound(tenantId, { from: T0 })).toEqual(["at.2", "at.1", "at.0"]);
      expect(await typesFound(tenantId, { to: T0 + 1 })).toEqual(["at.0", "at.-1"]);
      expect(await typesFound(tenantId, { from: T0, to: T0 + 2 })).toEqual(["at.1", "at.0"]);
      expect(await typesFound(tenantId, { from: T0, to: T0 })).toEqual([]);
    });

    it("requires every filter given to match", async () => {
      const tenantId = await seedTenant();
      const ada = newUserId();
      const app = newClientId();
      await append(tenantId, [
        { type: "user.updated", subjectUserId: ada, clientId: app, ip: "192.0.2.1" },
        { type: "user.updated", subjectUserId: ada, ip: "192.0.2.2" },
        { type: "login.failed", subjectUserId: ada, clientId: app, ip: "192.0.2.1" },
        { type: "user.updated", clientId: app, ip: "192.0.2.1" },
      ]);

      const { events } = await db().audit.search(
        tenantId,
        { type: "user.", userId: ada, clientId: app, ip: "192.0.2.1", from: T0, to: T0 + 1 },
        { limit: 10 },
      );
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: "user.updated",
        subjectUserId: ada,
        ip: "192.0.2.1",
      });
    });

    it("keeps tenants apart, and searches every tenant without one", async () => {
      const first = await seedTenant();
      const second = await seedTenant();
      const shared = newUserId();
      await append(first, [{ type: "first.event", subjectUserId: shared }]);
      await append(second, [{ type: "second.event", subjectUserId: shared }]);

      expect(await typesFound(first, { userId: shared })).toEqual(["first.event"]);
      expect(await typesFound(second, { userId: shared })).toEqual(["second.event"]);
      const everywhere = await db().audit.search(undefined, { userId: shared }, { limit: 1 });
      expect(everywhere.events.map((e) => [e.tenantId, e.type])).toEqual([
        [second, "second.event"],
      ]);
      const older = await db().audit.search(
        undefined,
        { userId: shared },
        { before: everywhere.next ?? 0, limit: 1 },
      );
      expect(older).toEqual({ events: [expect.objectContaining({ tenantId: first })], next: null });
    });
  });
}
