import { createLocalJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import { createApiKey } from "../api-keys.js";
import { createClient } from "../clients/clients.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import { introspectToken, revokeToken } from "../tokens/registry.js";
import { issueClientCredentialsToken } from "./client-credentials.js";

const ISSUER = "https://auth.example.test/tenants/default";
const IP = "192.0.2.7";

let h: Harness;
let tenant: TenantRecord;
let client: ClientRecord;

beforeAll(async () => {
  h = await startHarness();
  const found = await h.runtime.ctx.store.tenants.get(TENANT);
  if (found === undefined) {
    throw new Error("no default tenant");
  }
  tenant = found;
  const { client: created } = await createClient(h.runtime.ctx, {
    tenantId: TENANT,
    name: "grant-bot",
    scopes: ["deploy:read", "deploy:write"],
    audiences: ["https://api.example.test"],
  });
  client = created;
});
afterAll(async () => {
  await h.close();
});

const issue = (
  extra: {
    readonly scopes?: string[];
    readonly resources?: string[];
    readonly audiences?: string[];
  } = {},
) => issueClientCredentialsToken(h.runtime.ctx, { tenant, client, ip: IP, ...extra });

/** Verifies with jose against the tenant's published keys, as a resource server does. */
async function verify(token: string, audience = ISSUER) {
  const jwks = createLocalJWKSet({ keys: [...(await h.runtime.ctx.keyring.jwks(TENANT)).keys] });
  return jwtVerify(token, jwks, {
    issuer: ISSUER,
    audience,
    typ: "at+jwt",
    algorithms: ["ES256"],
    currentDate: new Date(h.clock.now()),
  });
}

describe("issueClientCredentialsToken", () => {
  it("signs an RFC 9068 access token for the client, with no sid and no token_use", async () => {
    const issued = await issue();
    const { payload, protectedHeader } = await verify(issued.accessToken);
    expect(protectedHeader).toMatchObject({ typ: "at+jwt", alg: "ES256" });
    expect(payload).toEqual({
      iss: ISSUER,
      sub: client.id,
      aud: ISSUER,
      client_id: client.id,
      scope: "deploy:read deploy:write",
      iat: Math.floor(h.clock.now() / 1000),
      exp: Math.floor(h.clock.now() / 1000) + tenant.accessTokenTtlSeconds,
      jti: issued.jti,
    });
    expect(issued.expiresIn).toBe(tenant.accessTokenTtlSeconds);
  });

  it("lives the tenant's access token lifetime, and an hour at most", async () => {
    for (const [ttl, lives] of [
      [600, 600],
      [3600, 3600],
      [24 * 3600, 3600],
    ] as const) {
      const longer = { ...tenant, accessTokenTtlSeconds: ttl };
      const issued = await issueClientCredentialsToken(h.runtime.ctx, {
        tenant: longer,
        client,
        ip: IP,
      });
      expect(issued.expiresIn, String(ttl)).toBe(lives);
      const { payload } = await verify(issued.accessToken);
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(lives);
    }
  });

  it("records the issue in the audit trail, without the token", async () => {
    const issued = await issue({ scopes: ["deploy:read"] });
    const events = await h.runtime.ctx.store.audit.list(TENANT, { limit: 200 });
    const event = events.findLast((e) => e.type === "token.issued" && e.detail.jti === issued.jti);
    expect(event).toMatchObject({
      ip: IP,
      detail: {
        clientId: client.id,
        grant: "client_credentials",
        scopes: "deploy:read",
        audience: ISSUER,
      },
    });
    expect(JSON.stringify(event)).not.toContain(issued.accessToken.split(".")[2]);
  });

  it("narrows scopes, and refuses one beyond the client's as insufficient_scope", async () => {
    expect((await issue({ scopes: ["deploy:write"] })).scopes).toEqual(["deploy:write"]);
    await expect(issue({ scopes: ["deploy:read", "admin"] })).rejects.toMatchObject({
      code: "insufficient_scope",
    });
  });

  it("issues for an allowed resource or audience, and refuses others as invalid_target", async () => {
    const byResource = await issue({ resources: ["https://api.example.test"] });
    expect((await verify(byResource.accessToken, "https://api.example.test")).payload.aud).toBe(
      "https://api.example.test",
    );
    expect((await issue({ audiences: ["https://api.example.test"] })).audience).toBe(
      "https://api.example.test",
    );
    for (const extra of [
      { resources: ["https://other.example.test"] },
      { audiences: ["https://auth.example.test/tenants/other"] },
      { resources: ["https://api.example.test", ISSUER] },
      { resources: ["not a uri"] },
    ]) {
      await expect(issue(extra), JSON.stringify(extra)).rejects.toMatchObject({
        code: "invalid_target",
      });
    }
  });

  it("refuses an audience that is a client id of the tenant, even one allowed before that was refused", async () => {
    // A user's access token has its API key's client id as `aud`, and the same typ, issuer and key.
    const {
      client: { id: sessionClient },
    } = await createApiKey(h.runtime.ctx, {
      tenantId: TENANT,
      name: "web-app",
    });
    const { client: created } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "legacy-bot",
      scopes: ["deploy:read"],
    });
    // A list written before such audiences were refused.
    const legacy = await h.runtime.ctx.store.clients.update(
      TENANT,
      created.id,
      { audiences: ["https://api.example.test", sessionClient, created.id] },
      h.clock.now(),
    );
    if (legacy === undefined) {
      throw new Error("no client");
    }
    const issueFor = (audience: string) =>
      issueClientCredentialsToken(h.runtime.ctx, {
        tenant,
        client: legacy,
        ip: IP,
        audiences: [audience],
      });
    for (const audience of [sessionClient, created.id]) {
      await expect(issueFor(audience), audience).rejects.toMatchObject({
        code: "invalid_target",
        message: "The client may not have tokens for this audience",
      });
    }
    expect((await issueFor("https://api.example.test")).audience).toBe("https://api.example.test");
  });

  it("is a client access token to the token registry: introspected active, then revoked by jti", async () => {
    const issued = await issue({ scopes: ["deploy:read"] });
    expect(
      await introspectToken(h.runtime.ctx, issued.accessToken, { tenantId: TENANT }),
    ).toMatchObject({
      active: true,
      kind: "client_access_token",
      subject: client.id,
      clientId: client.id,
      scopes: ["deploy:read"],
      audience: [ISSUER],
      jti: issued.jti,
      issuer: ISSUER,
    });
    const revoked = await revokeToken(h.runtime.ctx, issued.accessToken, {
      tenantId: TENANT,
      clientId: client.id,
      reason: "test",
    });
    expect(revoked.matched).toBe(true);
    expect(await introspectToken(h.runtime.ctx, issued.accessToken, { tenantId: TENANT })).toEqual({
      active: false,
    });
  });
});
