import { describe, expect, it } from "vitest";
import { type ClientId, newTokenId } from "../../core/ids.js";
import { generateOpaqueToken, hashSecret } from "../../core/opaque-token.js";
import type { AutomationTokenRecord, ClientPublicKey, ClientRecord, EpochMs } from "../records.js";
import {
  automationTokenRecord,
  clientRecord,
  DAY,
  expectConflict,
  HOUR,
  type Seeds,
  suffix,
  T0,
} from "./fixtures.js";

const MINUTE = 60_000;

/** Public keys as `parseClientPublicKey` stores them; to the store they are opaque JSON. */
const ES256_KEY: ClientPublicKey = {
  kid: "p0Ug5kEHpmw3SgvcPgm1yq7Hd_XRAuIBRrJ8ZzYqXr8",
  alg: "ES256",
  jwk: {
    kty: "EC",
    crv: "P-256",
    x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    kid: "p0Ug5kEHpmw3SgvcPgm1yq7Hd_XRAuIBRrJ8ZzYqXr8",
    alg: "ES256",
    use: "sig",
    key_ops: ["verify"],
  },
};
const EDDSA_KEY: ClientPublicKey = {
  kid: "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
  alg: "EdDSA",
  jwk: {
    kty: "OKP",
    crv: "Ed25519",
    x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    kid: "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
    alg: "EdDSA",
    use: "sig",
  },
};
const RS256_KEY: ClientPublicKey = {
  kid: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
  alg: "RS256",
  jwk: {
    kty: "RSA",
    n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    e: "AQAB",
    kid: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
    alg: "RS256",
    use: "sig",
  },
};

/** Store conformance: client applications and their automation tokens (spec 004). */
export function describeClientAndTokenConformance({ db, seedTenant }: Seeds): void {
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

  describe("clients", () => {
    it("reads back a created client exactly, by id and by name, keys and scopes intact", async () => {
      const client = await seedClient({
        // Not in kid order: the array's order is the operator's, and is kept.
        publicKeys: [RS256_KEY, ES256_KEY, EDDSA_KEY],
        scopes: ["reports:read", "tokens:admin", "tokens:write"],
        totpSeedSealed: `v1.iv-${suffix()}.sealed-seed`,
        maxTokenTtlDays: 45,
      });

      expect(await db().clients.get(client.id)).toEqual(client);
      expect(await db().clients.getByName(client.tenantId, client.name)).toEqual(client);
    });

    it("reads back a client without keys, OTP or scopes, and a disabled one", async () => {
      const bare = await seedClient({ publicKeys: [], scopes: [], totpSeedSealed: null });
      const disabled = await seedClient({ status: "disabled", maxTokenTtlDays: 30 });

      expect(await db().clients.get(bare.id)).toEqual(bare);
      expect(await db().clients.get(disabled.id)).toEqual(disabled);
    });

    it("finds no client for an unknown id or name, nor by name through another tenant", async () => {
      const client = await seedClient();
      const otherTenantId = await seedTenant();

      expect(await db().clients.get(`${suffix()}missing` as ClientId)).toBeUndefined();
      expect(await db().clients.getByName(client.tenantId, `missing-${suffix()}`)).toBeUndefined();
      expect(await db().clients.getByName(otherTenantId, client.name)).toBeUndefined();
    });

    it("refuses a name the tenant already has, and lets another tenant use it", async () => {
      const first = await seedClient();
      const otherTenantId = await seedTenant();

      await expectConflict(db().clients.create(clientRecord(first.tenantId, { name: first.name })));
      const elsewhere = clientRecord(otherTenantId, { name: first.name });
      await db().clients.create(elsewhere);

      expect(await db().clients.getByName(first.tenantId, first.name)).toEqual(first);
      expect(await db().clients.getByName(otherTenantId, first.name)).toEqual(elsewhere);
      expect(await db().clients.get(elsewhere.id)).toEqual(elsewhere);
    });

    it("refuses a secret hash another client has, in its tenant or any other", async () => {
      const first = await seedClient();
      const otherTenantId = await seedTenant();
      const sameTenant = clientRecord(first.tenantId, { secretHash: first.secretHash });
      const otherTenant = clientRecord(otherTenantId, { secretHash: first.secretHash });

      await expectConflict(db().clients.create(sameTenant));
      await expectConflict(db().clients.create(otherTenant));

      expect(await db().clients.get(sameTenant.id)).toBeUndefined();
      expect(await db().clients.get(otherTenant.id)).toBeUndefined();
    });

    it("refuses a client id that exists", async () => {
      const first = await seedClient();

      await expectConflict(db().clients.create(clientRecord(first.tenantId, { id: first.id })));
      expect(await db().clients.get(first.id)).toEqual(first);
    });

    it("lists a tenant's clients ordered by name, and no other tenant's", async () => {
      const tenantId = await seedTenant();
      const otherTenantId = await seedTenant();
      const s = suffix();
      const bravo = await seedClient({ tenantId, name: `bravo-${s}` });
      const charlie = await seedClient({ tenantId, name: `charlie-${s}` });
      const alpha = await seedClient({ tenantId, name: `alpha-${s}` });
      await seedClient({ tenantId: otherTenantId, name: `aardvark-${s}` });

      expect(await db().clients.list(tenantId)).toEqual([alpha, bravo, charlie]);
      expect(await db().clients.list(await seedTenant())).toEqual([]);
    });

    it("applies a patch to every field it names and stamps updatedAt", async () => {
      const client = await seedClient({
        totpSeedSealed: `v1.iv-${suffix()}.sealed-seed`,
        publicKeys: [ES256_KEY, EDDSA_KEY],
        scopes: ["tokens:write"],
      });
      const secret = generateOpaqueToken("tsr_cs");
      const patch = {
        name: `renamed-${suffix()}`,
        secretHash: hashSecret(secret),
        secretPrefix: secret.slice(0, 12),
        totpSeedSealed: null,
        publicKeys: [EDDSA_KEY, RS256_KEY],
        scopes: ["reports:read", "tokens:write"],
        maxTokenTtlDays: 30,
        status: "disabled" as const,
      };

      const updated = await db().clients.update(client.tenantId, client.id, patch, T0 + HOUR);

      const expected: ClientRecord = { ...client, ...patch, updatedAt: T0 + HOUR };
      expect(updated).toEqual(expected);
      expect(await db().clients.get(client.id)).toEqual(expected);
      expect(await db().clients.getByName(client.tenantId, patch.name)).toEqual(expected);
      expect(await db().clients.getByName(client.tenantId, client.name)).toBeUndefined();
    });

    it("changes only what a patch names: status back to active, OTP enrolled", async () => {
      const client = await seedClient({ status: "disabled", totpSeedSealed: null });

      const enabled = await db().clients.update(
        client.tenantId,
        client.id,
        { status: "active" },
        T0 + HOUR,
      );
      expect(enabled).toEqual({ ...client, status: "active", updatedAt: T0 + HOUR });

      const sealed = `v1.iv-${suffix()}.sealed-seed`;
      const enrolled = await db().clients.update(
        client.tenantId,
        client.id,
        { totpSeedSealed: sealed },
        T0 + 2 * HOUR,
      );
      expect(enrolled).toEqual({
        ...client,
        status: "active",
        totpSeedSealed: sealed,
        updatedAt: T0 + 2 * HOUR,
      });
      expect(await db().clients.get(client.id)).toEqual(enrolled);
    });

    it("refuses a rename onto a name the tenant has, and leaves the client as it was", async () => {
      const client = await seedClient();
      const other = await seedClient({ tenantId: client.tenantId });
      const elsewhere = await seedClient();

      await expectConflict(
        db().clients.update(client.tenantId, client.id, { name: other.name }, T0 + HOUR),
      );
      expect(await db().clients.get(client.id)).toEqual(client);

      // A name only another tenant uses is free here.
      const renamed = await db().clients.update(
        client.tenantId,
        client.id,
        { name: elsewhere.name },
        T0 + HOUR,
      );
      expect(renamed).toEqual({ ...client, name: elsewhere.name, updatedAt: T0 + HOUR });
    });

    it("updates nothing through another tenant or for an unknown id", async () => {
      const client = await seedClient();
      const otherTenantId = await seedTenant();

      expect(
        await db().clients.update(otherTenantId, client.id, { status: "disabled" }, T0 + HOUR),
      ).toBeUndefined();
      expect(
        await db().clients.update(client.tenantId, `${suffix()}missing` as ClientId, {}, T0),
      ).toBeUndefined();
      expect(await db().clients.get(client.id)).toEqual(client);
    });
  });

  describe("automation tokens", () => {
    it("reads back a long-term token exactly, by id and by hash", async () => {
      const client = await seedClient({ scopes: ["reports:read", "tokens:write"] });
      const token = await seedToken(client, {
        name: "deploy bot",
        scopes: ["reports:read", "tokens:write"],
        createdAt: T0 + HOUR,
        expiresAt: T0 + HOUR + 90 * DAY,
      });

      expect(token.hash).not.toBeNull();
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
          await db().automationTokens.listForClient(client.id, { now: NOW, limit: 100 }),
        ).toEqual(live);
        expect(
          await db().automationTokens.listForClient(client.id, {
            includeEnded: false,
            now: NOW,
            limit: 100,
          }),
        ).toEqual(live);
      });

      it("lists expired and revoked tokens too with includeEnded, newest first", async () => {
        const { client, all } = await seedHistory();

        expect(
          await db().automationTokens.listForClient(client.id, {
            includeEnded: true,
            now: NOW,
            limit: 100,
          }),
        ).toEqual(all);
      });

      it("stops at the limit, keeping the newest", async () => {
        const { client, live, all } = await seedHistory();

        expect(
          await db().automationTokens.listForClient(client.id, { now: NOW, limit: 2 }),
        ).toEqual(live.slice(0, 2));
        expect(
          await db().automationTokens.listForClient(client.id, {
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
          await db().automationTokens.listForClient(client.id, { now: later, limit: 100 }),
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
