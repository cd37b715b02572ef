import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import { signClientAccessToken } from "../../../test/support/registry.js";
import { createClient } from "../clients/clients.js";
import { updateClient } from "../clients/update-client.js";
import type { ClientId } from "../ids.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import { getTenant } from "../tenants.js";
import { revokedJtiKey } from "./kinds/revoked-jti.js";
import { introspectToken, revokeToken, verifyToken } from "./registry.js";

const ISSUER = "https://auth.example.test/tenants/default";
const SERVICE = "https://deploy.example.test";
const KINDS = ["client_access_token"] as const;
/** What the tokens' own tenant may see. */
const SCOPE = { tenantId: TENANT };

let h: Harness;
let tenant: TenantRecord;
let count = 0;

beforeAll(async () => {
  h = await startHarness();
  tenant = await getTenant(h.runtime.ctx, TENANT);
});
afterAll(async () => {
  await h?.close();
});

async function newClient(scopes = ["deploy:read", "deploy:write"]): Promise<ClientRecord> {
  count += 1;
  const { client } = await createClient(h.runtime.ctx, {
    tenantId: TENANT,
    name: `cc-client-${count}`,
    scopes,
    audiences: [SERVICE],
  });
  return client;
}

describe("a client access token: verified", () => {
  it("verifies as RFC 9068 says, and independently with jose against the JWKS", async () => {
    const client = await newClient();
    const token = await signClientAccessToken(h.runtime.ctx, tenant, client);

    const verified = await verifyToken(h.runtime.ctx, token, { kinds: KINDS, tenantId: TENANT });

    expect(verified).toMatchObject({
      valid: true,
      kind: "client_access_token",
      subject: client.id,
      clientId: client.id,
      scopes: ["deploy:read", "deploy:write"],
      audience: [ISSUER],
    });
    const jwks = createLocalJWKSet({ keys: [...(await h.runtime.ctx.keyring.jwks(TENANT)).keys] });
    const { payload } = await jwtVerify(token, jwks, {
      issuer: ISSUER,
      typ: "at+jwt",
      currentDate: new Date(h.clock.now()),
    });
    expect(payload).not.toHaveProperty("sid");
    expect(payload).not.toHaveProperty("token_use");
  });

  it("is for Tessera's own endpoints only when minted for the issuer; another audience must be expected", async () => {
    const client = await newClient();
    const token = await signClientAccessToken(h.runtime.ctx, tenant, client, { audience: SERVICE });

    expect(await verifyToken(h.runtime.ctx, token, { kinds: KINDS })).toMatchObject({
      valid: false,
      reason: "wrong_audience",
    });
    expect(
      await verifyToken(h.runtime.ctx, token, { kinds: KINDS, audience: SERVICE }),
    ).toMatchObject({ valid: true });
    // Introspection answers for any audience (RFC 7662: the resource server asks).
    expect(await introspectToken(h.runtime.ctx, token, SCOPE)).toMatchObject({
      active: true,
      audience: [SERVICE],
    });
  });

  it("takes an expected audience as a literal value, even one spelled any or issuer", async () => {
    const ctx = h.runtime.ctx;
    const client = await newClient();
    const forService = await signClientAccessToken(ctx, tenant, client, { audience: SERVICE });
    const forIssuer = await signClientAccessToken(ctx, tenant, client);
    const forAny = await signClientAccessToken(ctx, tenant, client, { audience: "any" });

    for (const audience of ["any", "issuer"]) {
      expect(await verifyToken(ctx, forService, { kinds: KINDS, audience })).toMatchObject({
        valid: false,
        reason: "wrong_audience",
      });
    }
    expect(await verifyToken(ctx, forIssuer, { kinds: KINDS, audience: "issuer" })).toMatchObject({
      valid: false,
      reason: "wrong_audience",
    });
    // A resource server whose audience is literally "any" gets exactly its own tokens.
    expect(await verifyToken(ctx, forAny, { kinds: KINDS, audience: "any" })).toMatchObject({
      valid: true,
      audience: ["any"],
    });
    expect(await verifyToken(ctx, forAny, { kinds: KINDS })).toMatchObject({
      valid: false,
      reason: "wrong_audience",
    });
  });

  it("loses a scope at once when its client does", async () => {
    const client = await newClient();
    const token = await signClientAccessToken(h.runtime.ctx, tenant, client);

    await updateClient(h.runtime.ctx, {
      tenantId: TENANT,
      client: client.id,
      scopes: ["deploy:read"],
    });

    expect(await introspectToken(h.runtime.ctx, token, SCOPE)).toMatchObject({
      scopes: ["deploy:read"],
    });
  });

  it("is refused while its client is disabled", async () => {
    const client = await newClient();
    const token = await signClientAccessToken(h.runtime.ctx, tenant, client);

    await updateClient(h.runtime.ctx, { tenantId: TENANT, client: client.id, enabled: false });

    expect(await verifyToken(h.runtime.ctx, token, { kinds: KINDS })).toMatchObject({
      valid: false,
      reason: "client_disabled",
    });
    expect(await introspectToken(h.runtime.ctx, token, SCOPE)).toEqual({ active: false });
  });

  it("is refused when it names a client the tenant does not have", async () => {
    const client = await newClient();
    const ghost = { ...client, id: "no-such-client" as ClientId };
    const token = await signClientAccessToken(h.runtime.ctx, tenant, ghost);

    expect(await verifyToken(h.runtime.ctx, token, { kinds: KINDS })).toMatchObject({
      valid: false,
      reason: "unknown",
    });
  });

  it("carries a nested act claim (RFC 8693 §4.1) through to its description", async () => {
    const client = await newClient();
    const act = { sub: "service-b", act: { sub: "service-a" } };
    const token = await signClientAccessToken(h.runtime.ctx, tenant, client, { act });

    expect(await introspectToken(h.runtime.ctx, token, SCOPE)).toMatchObject({ act });
    const plain = await signClientAccessToken(h.runtime.ctx, tenant, client);
    expect(await introspectToken(h.runtime.ctx, plain, SCOPE)).not.toHaveProperty("act");
  });
});

describe("a client access token: revoked", () => {
  it("is revoked by its own client, by jti, until its exp", async () => {
    const ctx = h.runtime.ctx;
    const client = await newClient();
    const token = await signClientAccessToken(ctx, tenant, client, { ttlSeconds: 600 });
    const jti = decodeJwt(token).jti as string;

    const result = await revokeToken(ctx, token, {
      tenantId: TENANT,
      clientId: client.id,
      reason: "revoked",
    });

    expect(result).toEqual({
      matched: true,
      sessionsEnded: [],
      tokensEnded: [],
      jtisRevoked: [jti],
    });
    expect(await verifyToken(ctx, token, { kinds: KINDS })).toMatchObject({ reason: "revoked" });
    // The record lasts past exp by the leeway, then may be purged: the token has expired by then.
    const key = revokedJtiKey(TENANT, jti);
    expect(await ctx.store.oneTimeClaims.isClaimed(key, h.clock.now() + 600_000)).toBe(true);
    expect(await ctx.store.oneTimeClaims.isClaimed(key, h.clock.now() + 603_000)).toBe(false);
    const events = await ctx.store.audit.list(TENANT, { limit: 5 });
    expect(events.find((e) => e.type === "token.revoked")?.detail).toMatchObject({
      jti,
      clientId: client.id,
    });
  });

  it("is not revoked by another client, but is by an admin of its tenant", async () => {
    const ctx = h.runtime.ctx;
    const [client, other] = [await newClient(), await newClient()];
    const token = await signClientAccessToken(ctx, tenant, client);

    const byOther = await revokeToken(ctx, token, {
      tenantId: TENANT,
      clientId: other.id,
      reason: "revoked",
    });
    expect(byOther.matched).toBe(false);
    expect(await introspectToken(ctx, token, SCOPE)).toMatchObject({ active: true });

    const byAdmin = await revokeToken(ctx, token, {
      tenantId: TENANT,
      clientId: other.id,
      admin: true,
      reason: "revoked",
    });
    expect(byAdmin.jtisRevoked).toHaveLength(1);
    expect(await introspectToken(ctx, token, SCOPE)).toEqual({ active: false });
  });

  it("is matched but needs no record once expired past the leeway", async () => {
    const ctx = h.runtime.ctx;
    const client = await newClient();
    const token = await signClientAccessToken(ctx, tenant, client, { ttlSeconds: 60 });
    h.clock.advance(70_000);

    const result = await revokeToken(ctx, token, { tenantId: TENANT, admin: true, reason: "x" });

    expect(result).toEqual({ matched: true, sessionsEnded: [], tokensEnded: [], jtisRevoked: [] });
    const jti = decodeJwt(token).jti as string;
    expect(await ctx.store.oneTimeClaims.isClaimed(revokedJtiKey(TENANT, jti), h.clock.now())).toBe(
      false,
    );
  });
});
