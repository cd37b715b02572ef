import { describe, expect, it } from "vitest";
import type { ApiKeyId, TokenId } from "../../core/ids.js";
import type { ApiKeyRecord, AutomationTokenRecord } from "../../core/model/index.js";
import { apiKeyRecord, automationTokenRecord, HOUR, type Seeds, suffix, T0 } from "./fixtures.js";

const ids = (items: readonly { readonly id: string }[]) => items.map((item) => item.id);
/**
 * Ids that differ only in their last letter, so every collation orders
 * them alike (generated ids are base64url, which collations order differently).
 */
const byIdText = (a: { readonly id: string }, b: { readonly id: string }) =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** Store conformance: an operator's pages of API keys and automation tokens, by a position. */
export function describePageConformance({ db, seedTenant, seedClient }: Seeds): void {
  describe("pages of API keys", () => {
    async function seedKeys() {
      const tenantId = await seedTenant();
      const first = await seedClient({ tenantId });
      const second = await seedClient({ tenantId });
      const keys: ApiKeyRecord[] = [];
      const s = suffix();
      // Two keys share a createdAt: the id orders them.
      for (const [client, hours] of [
        [first, 0],
        [second, 1],
        [first, 1],
        [second, 2],
        [first, 3],
      ] as const) {
        const key = apiKeyRecord(client, {
          id: `ak_${s}${"abcde"[keys.length]}` as ApiKeyId,
          createdAt: T0 + hours * HOUR,
          ...(hours === 2 ? { revokedAt: T0 + 5 * HOUR } : {}),
        });
        await db().apiKeys.create(key);
        keys.push(key);
      }
      await db().apiKeys.create(apiKeyRecord(await seedClient()));
      const ordered = [...keys].sort((a, b) => a.createdAt - b.createdAt || byIdText(a, b));
      return { tenantId, first, ordered };
    }

    it("reads one key by id in its tenant only, revoked or not", async () => {
      const { tenantId, ordered } = await seedKeys();

      for (const key of ordered) {
        expect(await db().apiKeys.get(tenantId, key.id)).toEqual(key);
        expect(await db().apiKeys.get(await seedTenant(), key.id)).toBeUndefined();
      }
    });

    it("pages every key of a tenant oldest first, revoked ones included, after a position", async () => {
      const { tenantId, ordered } = await seedKeys();

      const page = await db().apiKeys.page(tenantId, { limit: 2 });
      expect(page).toEqual(ordered.slice(0, 2));
      const last = page.at(-1);
      const rest = await db().apiKeys.page(tenantId, {
        limit: 10,
        ...(last === undefined ? {} : { after: { createdAt: last.createdAt, id: last.id } }),
      });
      expect(rest).toEqual(ordered.slice(2));
      expect(await db().apiKeys.list(tenantId)).toEqual(ordered);
    });

    it("pages one client's keys", async () => {
      const { tenantId, first, ordered } = await seedKeys();

      expect(ids(await db().apiKeys.page(tenantId, { clientId: first.id, limit: 10 }))).toEqual(
        ids(ordered.filter((key) => key.clientId === first.id)),
      );
    });
  });

  describe("pages of automation tokens", () => {
    const NOW = T0 + 10 * HOUR;

    async function seedTokens() {
      const tenantId = await seedTenant();
      const first = await seedClient({ tenantId });
      const second = await seedClient({ tenantId });
      const tokens: AutomationTokenRecord[] = [];
      const s = suffix();
      for (const [client, hours, ended] of [
        [first, 0, false],
        [second, 1, true],
        [first, 1, false],
        [second, 2, false],
        [first, 3, true],
      ] as const) {
        const token = automationTokenRecord(client, {
          id: `lt_${s}${"abcde"[tokens.length]}` as TokenId,
          createdAt: T0 + hours * HOUR,
          ...(ended ? { revokedAt: T0 + 4 * HOUR, revokedReason: "revoked" } : {}),
        });
        await db().automationTokens.create(token);
        tokens.push(token);
      }
      await db().automationTokens.create(automationTokenRecord(await seedClient()));
      const ordered = [...tokens].sort((a, b) => b.createdAt - a.createdAt || byIdText(a, b));
      return { tenantId, first, ordered, live: ordered.filter((t) => t.revokedAt === null) };
    }

    it("pages a tenant's live tokens newest first, and every token with includeEnded", async () => {
      const { tenantId, ordered, live } = await seedTokens();

      expect(await db().automationTokens.page(tenantId, { now: NOW, limit: 10 })).toEqual(live);
      const page = await db().automationTokens.page(tenantId, {
        includeEnded: true,
        now: NOW,
        limit: 2,
      });
      expect(page).toEqual(ordered.slice(0, 2));
      const last = page.at(-1);
      const rest = await db().automationTokens.page(tenantId, {
        includeEnded: true,
        now: NOW,
        limit: 10,
        ...(last === undefined ? {} : { after: { createdAt: last.createdAt, id: last.id } }),
      });
      expect(rest).toEqual(ordered.slice(2));
    });

    it("pages one client's tokens", async () => {
      const { tenantId, first, ordered } = await seedTokens();

      expect(
        ids(
          await db().automationTokens.page(tenantId, {
            clientId: first.id,
            includeEnded: true,
            now: NOW,
            limit: 10,
          }),
        ),
      ).toEqual(ids(ordered.filter((token) => token.clientId === first.id)));
    });
  });
}
