import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import { type EveryKind, issueEveryKind } from "../../../test/support/registry.js";
import type { TenantId } from "../ids.js";
import { createTenant } from "../tenants.js";
import { identifyToken } from "./identify.js";
import { introspectToken, revokeToken, verifyToken } from "./registry.js";
import { TOKEN_KINDS, type TokenKind } from "./types.js";

const OTHER = "other-tenant" as TenantId;
const ISSUER = "https://auth.example.test/tenants/default";
const EACH_KIND = TOKEN_KINDS.map((kind) => [kind] as const);
/** What the tokens' own tenant may see. */
const SCOPE = { tenantId: TENANT };

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Who each kind's introspection names as subject and client. */
function expectedParties(every: EveryKind, kind: TokenKind) {
  switch (kind) {
    case "access_token":
    case "id_token":
    case "refresh_token":
      return { clientId: every.sessionClientId, username: expect.any(String) };
    case "operation_token":
    case "operation_refresh_token":
      return { clientId: "tessera:operations", username: expect.any(String) };
    case "delegated_access_token":
      return {
        clientId: every.client.id,
        username: expect.any(String),
        act: { sub: every.client.id },
      };
    default:
      return { clientId: every.client.id, subject: every.client.id };
  }
}

describe("introspectToken: every kind", () => {
  let every: EveryKind;
  beforeAll(async () => {
    every = await issueEveryKind(h.runtime.ctx, TENANT);
  });

  it.each(EACH_KIND)("describes a live %s as active", async (kind) => {
    const found = await introspectToken(h.runtime.ctx, every.tokens[kind], { tenantId: TENANT });

    expect(found).toMatchObject({
      active: true,
      kind,
      tenantId: TENANT,
      issuer: ISSUER,
      ...expectedParties(every, kind),
    });
    if (!found.active) {
      return;
    }
    expect(found.expiresAt).toBeGreaterThan(h.clock.now());
    expect(found.issuedAt).toBeLessThanOrEqual(h.clock.now());
  });

  it("names each session token's session, and the short-term token's parent", async () => {
    const ctx = h.runtime.ctx;
    const sessions = await Promise.all(
      (["access_token", "id_token", "refresh_token"] as const).map(async (kind) => {
        const found = await introspectToken(ctx, every.tokens[kind], SCOPE);
        return found.active ? found.sessionId : undefined;
      }),
    );
    expect(new Set(sessions).size).toBe(1);
    expect(sessions[0]).toEqual(expect.any(String));
    const short = await introspectToken(ctx, every.tokens.short_term_token, SCOPE);
    const long = await introspectToken(ctx, every.tokens.long_term_token, SCOPE);
    expect(short.active && long.active && short.parentId === long.jti).toBe(true);
  });

  it("answers garbage, a client secret and an API key with nothing but active: false", async () => {
    for (const text of ["", "garbage", "a.b.c", every.clientSecret, every.apiKey]) {
      expect(await introspectToken(h.runtime.ctx, text, SCOPE)).toEqual({ active: false });
    }
  });

  it("answers a kind outside the caller's kinds as inactive", async () => {
    const found = await introspectToken(h.runtime.ctx, every.tokens.access_token, {
      ...SCOPE,
      kinds: ["operation_token"],
    });
    expect(found).toEqual({ active: false });
  });
});

describe("revokeToken then introspectToken: every kind", () => {
  it.each(EACH_KIND)("answers a %s as inactive once it is revoked", async (kind) => {
    const ctx = h.runtime.ctx;
    const every = await issueEveryKind(ctx, TENANT);
    const token = every.tokens[kind];

    const result = await revokeToken(ctx, token, { tenantId: TENANT, admin: true, reason: "test" });

    expect(result.matched).toBe(true);
    expect(
      result.sessionsEnded.length + result.tokensEnded.length + result.jtisRevoked.length,
    ).toBeGreaterThan(0);
    expect(await introspectToken(ctx, token, { tenantId: TENANT })).toEqual({ active: false });
    expect(await verifyToken(ctx, token, { kinds: [kind], tenantId: TENANT })).toMatchObject({
      valid: false,
      reason: "revoked",
    });
    // Idempotent: a second revocation matches and ends nothing more.
    const again = await revokeToken(ctx, token, { tenantId: TENANT, admin: true, reason: "test" });
    expect(again).toMatchObject({
      matched: true,
      sessionsEnded: [],
      tokensEnded: [],
      jtisRevoked: [],
    });
    expect(again.sessionId).toBe(result.sessionId);
  });

  it("ends the whole session with any one of its tokens: the others are inactive at once", async () => {
    const ctx = h.runtime.ctx;
    const every = await issueEveryKind(ctx, TENANT);

    await revokeToken(ctx, every.tokens.refresh_token, { tenantId: TENANT, reason: "logout" });

    for (const kind of ["access_token", "id_token"] as const) {
      expect(await introspectToken(ctx, every.tokens[kind], SCOPE)).toEqual({ active: false });
    }
    // Another session's tokens (the operations API's) live on.
    expect((await introspectToken(ctx, every.tokens.operation_token, SCOPE)).active).toBe(true);
  });

  it("ends a long-term token's short-term tokens with it, and not the reverse", async () => {
    const ctx = h.runtime.ctx;
    const every = await issueEveryKind(ctx, TENANT);
    const by = { tenantId: TENANT, reason: "revoked" };

    await revokeToken(ctx, every.tokens.short_term_token, by);
    expect((await introspectToken(ctx, every.tokens.long_term_token, SCOPE)).active).toBe(true);

    const fresh = await issueEveryKind(ctx, TENANT);
    const result = await revokeToken(ctx, fresh.tokens.long_term_token, by);
    expect(result.tokensEnded).toHaveLength(2);
    expect(await introspectToken(ctx, fresh.tokens.short_term_token, SCOPE)).toEqual({
      active: false,
    });
  });

  it.each(EACH_KIND)(
    "leaves a %s alone for a revoker of another tenant or client",
    async (kind) => {
      const ctx = h.runtime.ctx;
      const every = await issueEveryKind(ctx, TENANT);
      const token = every.tokens[kind];

      const elsewhere = await revokeToken(ctx, token, {
        tenantId: OTHER,
        admin: true,
        reason: "x",
      });
      const otherClient = await revokeToken(ctx, token, {
        tenantId: TENANT,
        clientId: "not-its-client" as never,
        reason: "x",
      });

      expect(elsewhere.matched).toBe(false);
      expect(otherClient.matched).toBe(false);
      expect((await introspectToken(ctx, token, SCOPE)).active).toBe(true);
    },
  );

  it("revokes nothing for garbage, a client secret or an API key, and does not throw", async () => {
    const every = await issueEveryKind(h.runtime.ctx, TENANT);
    for (const text of ["", "x".repeat(100_000), every.clientSecret, every.apiKey]) {
      const result = await revokeToken(h.runtime.ctx, text, {
        allTenants: true,
        admin: true,
        reason: "x",
      });
      expect(result.matched).toBe(false);
    }
  });
});

describe("revokeToken: a token whose key retired past the JWKS window", () => {
  let late: Harness;
  beforeAll(async () => {
    late = await startHarness();
  });
  afterAll(async () => {
    await late?.close();
  });

  it("still ends the session a session-bound kind lives by, for as long as sessions live", async () => {
    const ctx = late.runtime.ctx;
    const tenantId = "year-long-sessions" as TenantId;
    await createTenant(ctx, { id: tenantId, refreshTokenTtlSeconds: 365 * 86_400 });
    const kinds = [
      "access_token",
      "id_token",
      "operation_token",
      "operation_refresh_token",
    ] as const;
    const issued: EveryKind[] = [];
    for (const _kind of kinds) {
      issued.push(await issueEveryKind(ctx, tenantId));
    }
    const tenant = await ctx.store.tenants.get(tenantId);
    await ctx.keyring.rotate(tenantId, tenant?.signingAlgorithm ?? "ES256");
    await ctx.keyring.rotate(tenantId, "RS256");
    // Past the 31 days a retired key stays in the JWKS; the sessions live on.
    late.clock.advance(32 * 86_400_000);

    for (const [i, kind] of kinds.entries()) {
      const every = issued[i] as EveryKind;
      expect((await introspectToken(ctx, every.tokens.refresh_token, { tenantId })).active).toBe(
        true,
      );
      const result = await revokeToken(ctx, every.tokens[kind], {
        tenantId,
        admin: true,
        reason: "logout",
      });
      expect(result, kind).toMatchObject({ matched: true, sessionsEnded: [expect.any(String)] });
      const refresh = kind.startsWith("operation") ? "operation_refresh_token" : "refresh_token";
      expect(await introspectToken(ctx, every.tokens[refresh], { tenantId }), kind).toEqual({
        active: false,
      });
    }
    // A client access token that old has expired; it is matched, and needs no record.
    const client = await revokeToken(ctx, (issued[0] as EveryKind).tokens.client_access_token, {
      tenantId,
      admin: true,
      reason: "x",
    });
    expect(client).toEqual({ matched: true, sessionsEnded: [], tokensEnded: [], jtisRevoked: [] });
  });
});

describe("the answers that say nothing", () => {
  /** Tries to change an answer, as a careless caller might; a frozen one refuses. */
  function tamper(change: () => void): void {
    try {
      change();
    } catch {
      // Refused: nothing to do.
    }
  }

  it("cannot be changed by one caller for the next", async () => {
    const ctx = h.runtime.ctx;
    const by = { allTenants: true, admin: true, reason: "x" } as const;
    const nothing = await revokeToken(ctx, "garbage", by);
    const inactive = await introspectToken(ctx, "garbage", SCOPE);

    tamper(() => Object.assign(nothing, { matched: true, sessionId: "s" }));
    for (const list of [nothing.sessionsEnded, nothing.tokensEnded, nothing.jtisRevoked]) {
      tamper(() => (list as string[]).push("leaked"));
    }
    tamper(() => Object.assign(inactive, { active: true, kind: "access_token" }));

    expect(await revokeToken(ctx, "garbage", by)).toEqual({
      matched: false,
      sessionsEnded: [],
      tokensEnded: [],
      jtisRevoked: [],
    });
    expect(await introspectToken(ctx, "garbage", SCOPE)).toEqual({ active: false });
  });
});

describe("a caller names the tenant whose tokens it may see or end", () => {
  it("sees and ends nothing when it names no tenant, and every tenant's tokens only when it says so", async () => {
    const ctx = h.runtime.ctx;
    const every = await issueEveryKind(ctx, TENANT);
    const token = every.tokens.access_token;

    // @ts-expect-error a scope names its tenant, or says allTenants
    expect(await introspectToken(ctx, token)).toEqual({ active: false });
    // @ts-expect-error a scope names its tenant, or says allTenants
    expect(await introspectToken(ctx, token, { admin: true })).toEqual({ active: false });
    // @ts-expect-error a revoker names its tenant, or says allTenants
    expect(await revokeToken(ctx, token, { admin: true, reason: "x" })).toMatchObject({
      matched: false,
    });
    expect((await introspectToken(ctx, token, { tenantId: TENANT })).active).toBe(true);

    expect((await introspectToken(ctx, token, { allTenants: true })).active).toBe(true);
    const result = await revokeToken(ctx, token, { allTenants: true, admin: true, reason: "x" });
    expect(result.sessionsEnded).toHaveLength(1);
  });
});

describe("introspectToken: another tenant's tokens", () => {
  let theirs: EveryKind;
  beforeAll(async () => {
    theirs = await issueEveryKind(h.runtime.ctx, OTHER);
  });

  it.each(EACH_KIND)("answers another tenant's %s as inactive", async (kind) => {
    const token = theirs.tokens[kind];
    expect(await introspectToken(h.runtime.ctx, token, { tenantId: TENANT })).toEqual({
      active: false,
    });
    expect(await verifyToken(h.runtime.ctx, token, { kinds: [kind], tenantId: TENANT })).toEqual(
      expect.objectContaining({ valid: false }),
    );
    // ...and as active to its own tenant.
    expect(await introspectToken(h.runtime.ctx, token, { tenantId: OTHER })).toMatchObject({
      active: true,
      tenantId: OTHER,
    });
  });
});

describe("verifyToken: kinds", () => {
  let every: EveryKind;
  beforeAll(async () => {
    every = await issueEveryKind(h.runtime.ctx, TENANT);
  });

  it.each(EACH_KIND)("takes a %s only where its kind is expected", async (kind) => {
    const token = every.tokens[kind];
    const others = TOKEN_KINDS.filter((other) => other !== kind);

    expect(await verifyToken(h.runtime.ctx, token, { kinds: [kind] })).toMatchObject({
      valid: true,
      kind,
    });
    expect(await verifyToken(h.runtime.ctx, token, { kinds: others })).toMatchObject({
      valid: false,
      reason: "wrong_kind",
    });
  });

  it("refuses client secrets and API keys as what they are", async () => {
    for (const credential of [every.clientSecret, every.apiKey]) {
      expect(identifyToken(credential)).not.toBe("unknown");
      expect(await verifyToken(h.runtime.ctx, credential, { kinds: TOKEN_KINDS })).toMatchObject({
        valid: false,
        reason: "wrong_kind",
      });
    }
  });

  it("checks a session token's audience: the client it was issued to", async () => {
    const ctx = h.runtime.ctx;
    const token = every.tokens.access_token;
    expect(
      await verifyToken(ctx, token, { kinds: ["access_token"], audience: every.sessionClientId }),
    ).toMatchObject({ valid: true });
    expect(
      await verifyToken(ctx, token, { kinds: ["access_token"], audience: "another-client" }),
    ).toMatchObject({ valid: false, reason: "wrong_audience" });
  });

  it.each(EACH_KIND)("refuses a %s for an audience it was not issued for", async (kind) => {
    const found = await verifyToken(h.runtime.ctx, every.tokens[kind], {
      kinds: [kind],
      audience: "https://elsewhere.example.test",
    });
    expect(found).toMatchObject({ valid: false, reason: "wrong_audience" });
  });

  it("takes the operations API's tokens for their own audience, the operations client", async () => {
    for (const kind of ["operation_token", "operation_refresh_token"] as const) {
      expect(
        await verifyToken(h.runtime.ctx, every.tokens[kind], {
          kinds: [kind],
          audience: "tessera:operations",
        }),
      ).toMatchObject({ valid: true, audience: ["tessera:operations"] });
    }
  });
});

describe("every kind, expired", () => {
  let expiring: Harness;
  beforeAll(async () => {
    expiring = await startHarness();
  });
  afterAll(async () => {
    await expiring?.close();
  });

  it("answers the short-lived kinds as inactive once they expire, the long-lived ones as active", async () => {
    const ctx = expiring.runtime.ctx;
    const every = await issueEveryKind(ctx, TENANT);
    const activity = async () =>
      Object.fromEntries(
        await Promise.all(
          TOKEN_KINDS.map(async (kind) => [
            kind,
            (await introspectToken(ctx, every.tokens[kind], SCOPE)).active,
          ]),
        ),
      );

    // Past the short-term token's 15 minutes (and the 1 s leeway).
    expiring.clock.advance(16 * 60_000);
    expect(await activity()).toEqual({
      access_token: true,
      id_token: true,
      refresh_token: true,
      operation_token: true,
      operation_refresh_token: true,
      long_term_token: true,
      short_term_token: false,
      client_access_token: true,
      delegated_access_token: true,
    });

    // Past the access, ID and client access tokens' hour.
    expiring.clock.advance(60 * 60_000);
    expect(await activity()).toMatchObject({
      access_token: false,
      id_token: false,
      client_access_token: false,
      delegated_access_token: false,
      refresh_token: true,
      operation_token: true,
    });

    // Past every lifetime: 30 days for sessions and long-term tokens.
    expiring.clock.advance(31 * 86_400_000);
    expect(Object.values(await activity())).toEqual(TOKEN_KINDS.map(() => false));
    expect(
      await verifyToken(ctx, every.tokens.refresh_token, { kinds: ["refresh_token"] }),
    ).toMatchObject({ valid: false, reason: "expired" });
  });
});
