import { describe, expect, it } from "vitest";
import { newTokenId } from "../../core/ids.js";
import type { AutomationTokenRecord, ClientRecord, EpochMs } from "../../core/model/index.js";
import { generateOpaqueToken, hashSecret } from "../../core/opaque-token.js";
import {
  automationTokenRecord,
  clientRecord,
  DAY,
  expectConflict,
  HOUR,
  type Seeds,
  T0,
} from "./fixtures.js";

const MINUTE = 60_000;

/** Store conformance: automation tokens (spec 004): rows, revocation cascade, rotation. */
export function describeAutomationTokenConformance({ db, seedTenant }: Seeds): void {
  async function seedClient(overrides: Partial<ClientRecord> = {}): Promise<ClientRecord> {
    const tenantId = overrides.tenantId ?? (await seedTenant());
    const client = clientRecord(tenantId, overrides);
    await db().clients.create(client);
    return client;
  }

  async function seedToken(
    client: ClientRecord,
    overrides: Partial<AutomationTokenRecord> = {},
  ): Promise<AutomationTokenRecord> {
    const token = automationTokenRecord(client, overrides);
    await db().automationTokens.create(token);
    return token;
  }

  /** A short-term token derived from `parent`. */
  function childOf(
    client: ClientRecord,
    parent: AutomationTokenRecord,
    overrides: Partial<AutomationTokenRecord> = {},
  ): Promise<AutomationTokenRecord> {
    return seedToken(client, { kind: "short_term", parentId: parent.id, ...overrides });
  }

  const sorted = <T extends string>(ids: readonly T[]): T[] => [...ids].sort();

  describe("automation tokens", () => {
    it("reads back a long-term token exactly, by id and by hash", async () => {
      const client = await seedClient({ scopes: ["reports:read", "tokens:write"] });
      const token = await seedToken(client, {
        name: "deploy bot",
        scopes: ["reports:read", "tokens:write"],
        createdAt: T0 + HOUR,
        expiresAt: T0 + HOUR + 90 * DAY,
      });

      expect(token.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(await db().automationTokens.get(token.id)).toEqual(token);
      expect(await db().automationTokens.getByHash(token.hash ?? hashSecret("none"))).toEqual(
        token,
      );
    });

    it("reads back short-term tokens with their parent and audience, many without a hash", async () => {
      const client = await seedClient();
      const parent = await seedToken(client);
      const first = await childOf(client, parent, {
        audience: "https://api.example.test/reports",
        scopes: [],
        createdAt: T0 + MINUTE,
        expiresAt: T0 + MINUTE + 900_000,
      });
      const second = await childOf(client, parent);

      expect(first).toMatchObject({ hash: null, prefix: null, parentId: parent.id });
      expect(await db().automationTokens.get(first.id)).toEqual(first);
      expect(await db().automationTokens.get(second.id)).toEqual(second);
    });

    it("finds nothing for an unknown id or hash", async () => {
      expect(await db().automationTokens.get(newTokenId("long_term"))).toBeUndefined();
      expect(
        await db().automationTokens.getByHash(hashSecret(generateOpaqueToken("tsr_lt"))),
      ).toBeUndefined();
    });

    it("refuses a token whose id or hash exists", async () => {
      const client = await seedClient();
      const token = await seedToken(client);
      const sameHash = automationTokenRecord(client, { hash: token.hash });

      await expectConflict(
        db().automationTokens.create(automationTokenRecord(client, { id: token.id })),
      );
      await expectConflict(db().automationTokens.create(sameHash));

      expect(await db().automationTokens.get(sameHash.id)).toBeUndefined();
      expect(await db().automationTokens.get(token.id)).toEqual(token);
    });

    describe("listing", () => {
      const NOW: EpochMs = T0 + DAY;

      async function seedHistory() {
        const client = await seedClient();
        const at = (hours: number) => ({ createdAt: T0 + hours * HOUR });
        const oldest = await seedToken(client, at(0));
        const older = await seedToken(client, at(1));
        const expired = await seedToken(client, { ...at(2), expiresAt: T0 + 3 * HOUR });
        const expiringNow = await seedToken(client, { ...at(3), expiresAt: NOW });
        const revoked = await seedToken(client, {
          ...at(4),
          revokedAt: T0 + 5 * HOUR,
          revokedReason: "revoked",
        });
        const revokedNow = await seedToken(client, {
          ...at(5),
          revokedAt: NOW,
          revokedReason: "revoked",
        });
        // Rotated, but inside its overlap: still usable until the revocation takes effect.
        const overlapping = await seedToken(client, {
          ...at(6),
          revokedAt: NOW + 10 * MINUTE,
          revokedReason: "rotated",
          replacedById: older.id,
        });
        const child = await childOf(client, oldest, { ...at(7), expiresAt: NOW + 15 * MINUTE });
        // Another client's tokens never show.
        await seedToken(await seedClient({ tenantId: client.tenantId }), at(8));
        return {
          client,
          live: [child, overlapping, older, oldest],
          all: [child, overlapping, revokedNow, revoked, expiringNow, expired, older, oldest],
        };
      }

      it("lists a client's usable tokens, newest first, counting an overlap as live", async () => {
        const { client, live } = await seedHistory();

        expect(
          await db().automationTokens.listForClient(client.tenantId, client.id, {
            now: NOW,
            limit: 100,
          }),
        ).toEqual(live);
        expect(
          await db().automationTokens.listForClient(client.tenantId, client.id, {
            includeEnded: false,
            now: NOW,
            limit: 100,
          }),
        ).toEqual(live);
      });

      it("lists expired and revoked tokens too with includeEnded, newest first", async () => {
        const { client, all } = await seedHistory();

        expect(
          await db().automationTokens.listForClient(client.tenantId, client.id, {
            includeEnded: true,
            now: NOW,
            limit: 100,
          }),
        ).toEqual(all);
      });

      it("stops at the limit, keeping the newest", async () => {
        const { client, live, all } = await seedHistory();

        expect(
          await db().automationTokens.listForClient(client.tenantId, client.id, {
            now: NOW,
            limit: 2,
          }),
        ).toEqual(live.slice(0, 2));
        expect(
          await db().automationTokens.listForClient(client.tenantId, client.id, {
            includeEnded: true,
            now: NOW,
            limit: 3,
          }),
        ).toEqual(all.slice(0, 3));
      });

      it("sees a token end as time passes", async () => {
        const { client, live } = await seedHistory();
        const later = NOW + 10 * MINUTE;

        // The overlap is over at `later`; the child ends five minutes after.
        expect(
          await db().automationTokens.listForClient(client.tenantId, client.id, {
            now: later,
            limit: 100,
          }),
        ).toEqual(live.filter((token) => token.revokedReason !== "rotated"));
      });
    });

    describe("revoking", () => {
      it("revokes a token and its children, returning exactly the ids it revoked", async () => {
        const client = await seedClient();
        const parent = await seedToken(client);
        const liveChild = await childOf(client, parent);
        const endedChild = await childOf(client, parent, {
          revokedAt: T0 + HOUR,
          revokedReason: "revoked",
        });
        const sibling = await seedToken(client);
        const cousin = await childOf(client, sibling);
        const at = T0 + 2 * HOUR;

        const revoked = await db().automationTokens.revoke(parent.id, at, "revoked by operator");

        expect(sorted(revoked)).toEqual(sorted([parent.id, liveChild.id]));
        const ended = { revokedAt: at, revokedReason: "revoked by operator" };
        expect(await db().automationTokens.get(parent.id)).toEqual({ ...parent, ...ended });
        expect(await db().automationTokens.get(liveChild.id)).toEqual({ ...liveChild, ...ended });
        expect(await db().automationTokens.get(endedChild.id)).toEqual(endedChild);
        expect(await db().automationTokens.get(sibling.id)).toEqual(sibling);
        expect(await db().automationTokens.get(cousin.id)).toEqual(cousin);
      });

      it("is idempotent: a second revoke returns no ids and changes nothing", async () => {
        const client = await seedClient();
        const parent = await seedToken(client);
        const child = await childOf(client, parent);
        await db().automationTokens.revoke(parent.id, T0 + HOUR, "first");

        expect(await db().automationTokens.revoke(parent.id, T0 + HOUR, "again")).toEqual([]);
        expect(await db().automationTokens.revoke(parent.id, T0 + 2 * HOUR, "later")).toEqual([]);
        const ended = { revokedAt: T0 + HOUR, revokedReason: "first" };
        expect(await db().automationTokens.get(parent.id)).toEqual({ ...parent, ...ended });
        expect(await db().automationTokens.get(child.id)).toEqual({ ...child, ...ended });
      });

      it("revokes a short-term token alone, leaving its parent", async () => {
        const client = await seedClient();
        const parent = await seedToken(client);
        const child = await childOf(client, parent);
        const other = await childOf(client, parent);

        expect(await db().automationTokens.revoke(child.id, T0 + HOUR, "revoked")).toEqual([
          child.id,
        ]);
        expect(await db().automationTokens.get(parent.id)).toEqual(parent);
        expect(await db().automationTokens.get(other.id)).toEqual(other);
      });

      it("pulls forward the end of a token scheduled to end later", async () => {
        const client = await seedClient();
        const successor = await seedToken(client);
        const overlapping = await seedToken(client, {
          revokedAt: T0 + 2 * HOUR,
          revokedReason: "rotated",
          replacedById: successor.id,
        });
        const child = await childOf(client, overlapping);

        const revoked = await db().automationTokens.revoke(overlapping.id, T0 + HOUR, "revoked");

        expect(sorted(revoked)).toEqual(sorted([overlapping.id, child.id]));
        expect(await db().automationTokens.get(overlapping.id)).toMatchObject({
          revokedAt: T0 + HOUR,
          replacedById: successor.id,
        });
        expect(await db().automationTokens.get(child.id)).toMatchObject({ revokedAt: T0 + HOUR });
        expect(await db().automationTokens.get(successor.id)).toEqual(successor);
      });

      it("returns no ids for an unknown token", async () => {
        expect(await db().automationTokens.revoke(newTokenId("long_term"), T0, "revoked")).toEqual(
          [],
        );
      });
    });

    it("records use, and only on the token named", async () => {
      const client = await seedClient();
      const token = await seedToken(client);
      const other = await seedToken(client);

      await db().automationTokens.markUsed(token.id, T0 + HOUR);
      expect(await db().automationTokens.get(token.id)).toEqual({
        ...token,
        lastUsedAt: T0 + HOUR,
      });
      await db().automationTokens.markUsed(token.id, T0 + 2 * HOUR);
      expect(await db().automationTokens.get(token.id)).toEqual({
        ...token,
        lastUsedAt: T0 + 2 * HOUR,
      });
      expect(await db().automationTokens.get(other.id)).toEqual(other);
      await expect(
        db().automationTokens.markUsed(newTokenId("long_term"), T0),
      ).resolves.toBeUndefined();
    });

    describe("rotating", () => {
      const AT: EpochMs = T0 + HOUR;
      const OVERLAP_END: EpochMs = AT + 10 * MINUTE;

      it("stores the successor and ends the old token at the overlap's end", async () => {
        const client = await seedClient();
        const old = await seedToken(client);
        const successor = automationTokenRecord(client, { createdAt: AT });

        const result = await db().automationTokens.rotate({
          oldId: old.id,
          successor,
          endsAt: OVERLAP_END,
          at: AT,
        });

        expect(result).toEqual({ rotated: true });
        expect(await db().automationTokens.get(successor.id)).toEqual(successor);
        expect(await db().automationTokens.getByHash(successor.hash ?? hashSecret("none"))).toEqual(
          successor,
        );
        expect(await db().automationTokens.get(old.id)).toEqual({
          ...old,
          replacedById: successor.id,
          revokedAt: OVERLAP_END,
          revokedReason: "rotated",
        });
      });

      it("ends the old token at its expiry when that comes before the overlap's end", async () => {
        const client = await seedClient();
        const old = await seedToken(client, { expiresAt: AT + 5 * MINUTE });
        const successor = automationTokenRecord(client, { createdAt: AT });

        await db().automationTokens.rotate({
          oldId: old.id,
          successor,
          endsAt: OVERLAP_END,
          at: AT,
        });

        expect(await db().automationTokens.get(old.id)).toMatchObject({
          replacedById: successor.id,
          revokedAt: AT + 5 * MINUTE,
          revokedReason: "rotated",
        });
      });

      it("refuses to rotate a rotated token: reports its row and inserts nothing", async () => {
        const client = await seedClient();
        const old = await seedToken(client);
        const first = automationTokenRecord(client, { createdAt: AT });
        await db().automationTokens.rotate({
          oldId: old.id,
          successor: first,
          endsAt: OVERLAP_END,
          at: AT,
        });
        const late = automationTokenRecord(client, { createdAt: AT + MINUTE });

        const result = await db().automationTokens.rotate({
          oldId: old.id,
          successor: late,
          endsAt: OVERLAP_END + MINUTE,
          at: AT + MINUTE,
        });

        expect(result).toEqual({
          rotated: false,
          current: {
            ...old,
            replacedById: first.id,
            revokedAt: OVERLAP_END,
            revokedReason: "rotated",
          },
        });
        expect(await db().automationTokens.get(late.id)).toBeUndefined();
        expect(
          await db().automationTokens.getByHash(late.hash ?? hashSecret("none")),
        ).toBeUndefined();
      });

      it("refuses to rotate a revoked token: reports its row and inserts nothing", async () => {
        const client = await seedClient();
        const old = await seedToken(client);
        await db().automationTokens.revoke(old.id, AT, "revoked");
        const successor = automationTokenRecord(client, { createdAt: AT + MINUTE });

        const result = await db().automationTokens.rotate({
          oldId: old.id,
          successor,
          endsAt: OVERLAP_END + MINUTE,
          at: AT + MINUTE,
        });

        expect(result).toEqual({
          rotated: false,
          current: { ...old, revokedAt: AT, revokedReason: "revoked" },
        });
        expect(await db().automationTokens.get(successor.id)).toBeUndefined();
      });

      it("reports an unknown token as not rotated, without a current row", async () => {
        const client = await seedClient();
        const successor = automationTokenRecord(client);

        const result = await db().automationTokens.rotate({
          oldId: newTokenId("long_term"),
          successor,
          endsAt: OVERLAP_END,
          at: AT,
        });

        expect(result).toEqual({ rotated: false, current: undefined });
        expect(await db().automationTokens.get(successor.id)).toBeUndefined();
      });

      it("rotates a successor in turn", async () => {
        const client = await seedClient();
        const old = await seedToken(client);
        const second = automationTokenRecord(client, { createdAt: AT });
        const third = automationTokenRecord(client, { createdAt: AT + HOUR });
        await db().automationTokens.rotate({
          oldId: old.id,
          successor: second,
          endsAt: OVERLAP_END,
          at: AT,
        });

        const result = await db().automationTokens.rotate({
          oldId: second.id,
          successor: third,
          endsAt: OVERLAP_END + HOUR,
          at: AT + HOUR,
        });

        expect(result).toEqual({ rotated: true });
        expect(await db().automationTokens.get(third.id)).toEqual(third);
        expect(await db().automationTokens.get(second.id)).toMatchObject({
          replacedById: third.id,
        });
      });

      it("lets exactly one of 20 concurrent rotations win and stores only its successor", async () => {
        const client = await seedClient();
        const old = await seedToken(client);
        const attempts = Array.from({ length: 20 }, (_, i) => ({
          successor: automationTokenRecord(client, { createdAt: AT + i }),
          endsAt: OVERLAP_END + i,
          at: AT + i,
        }));

        const results = await Promise.all(
          attempts.map((attempt) => db().automationTokens.rotate({ oldId: old.id, ...attempt })),
        );

        const winners = results.flatMap((result, i) => (result.rotated ? [i] : []));
        expect(winners).toHaveLength(1);
        const winner = attempts[winners[0] ?? -1];
        const stored = await Promise.all(
          attempts.map((attempt) => db().automationTokens.get(attempt.successor.id)),
        );
        expect(stored.filter((row) => row !== undefined)).toEqual([winner?.successor]);
        const rotatedOld = await db().automationTokens.get(old.id);
        expect(rotatedOld).toEqual({
          ...old,
          replacedById: winner?.successor.id,
          revokedAt: winner?.endsAt,
          revokedReason: "rotated",
        });
        for (const result of results) {
          if (!result.rotated) {
            expect(result.current).toEqual(rotatedOld);
          }
        }
      });
    });
  });
}
