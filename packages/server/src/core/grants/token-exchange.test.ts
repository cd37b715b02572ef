import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, PASSWORD, startHarness, TENANT } from "../../../test/support/harness.js";
import { issueEveryKind } from "../../../test/support/registry.js";
import { authenticateApiKey, createApiKey } from "../api-keys.js";
import { createClient } from "../clients/clients.js";
import {
  PASSWORD as PASSWORD_GRANT,
  REFRESH_TOKEN,
  TOKEN_EXCHANGE,
} from "../clients/grant-types.js";
import { TesseraError } from "../errors.js";
import type { TenantId } from "../ids.js";
import { signJwt } from "../jws.js";
import type { ClientRecord, TenantRecord, UserRecord } from "../model/index.js";
import { loginWithPassword } from "../sessions/login.js";
import type { SessionTokens } from "../sessions/session-tokens.js";
import { identifyToken } from "../tokens/identify.js";
import { introspectToken, revokeToken, verifyToken } from "../tokens/registry.js";
import { addUser, setUserEnabled } from "../users.js";
import { issueClientCredentialsToken } from "./client-credentials.js";
import { exchangeToken, type TokenExchangeRequest } from "./token-exchange.js";

const ISSUER = "https://auth.example.test/tenants/default";
const API = "https://api.example.test";
const IP = "192.0.2.9";

let h: Harness;
let tenant: TenantRecord;
/** A confidential client registered for token exchange, with an API key its users log in through. */
let client: ClientRecord;
let users: Record<"admin" | "alice" | "bob" | "root", UserRecord>;

beforeAll(async () => {
  h = await startHarness();
  const ctx = h.runtime.ctx;
  const found = await ctx.store.tenants.get(TENANT);
  if (found === undefined) {
    throw new Error("no default tenant");
  }
  tenant = found;
  ({ client } = await createClient(ctx, {
    tenantId: TENANT,
    name: "exchanger",
    scopes: ["deploy:read"],
    audiences: [API],
    grantTypes: [PASSWORD_GRANT, REFRESH_TOKEN, "client_credentials", TOKEN_EXCHANGE],
  }));
  const add = (username: string, permissions: string[]) =>
    addUser(ctx, { tenantId: TENANT, username, password: PASSWORD, permissions });
  users = {
    admin: await add("te-admin", ["impersonate"]),
    alice: await add("te-alice", []),
    bob: await add("te-bob", []),
    root: await add("te-root", ["admin"]),
  };
});
afterAll(async () => {
  await h.close();
});

/** A session of `username` through an API key of `owner` (the exchanging client by default). */
async function login(username: string, owner: ClientRecord = client): Promise<SessionTokens> {
  const ctx = h.runtime.ctx;
  const { key } = await createApiKey(ctx, { tenantId: owner.tenantId, client: owner.id });
  return loginWithPassword(ctx, {
    client: await authenticateApiKey(ctx, key),
    username,
    password: PASSWORD,
    ip: IP,
  });
}

const exchange = (request: Partial<TokenExchangeRequest> & { subjectToken: string }) =>
  exchangeToken(h.runtime.ctx, { tenant, client, ip: IP, ...request });

/** The core error `promise` is refused with. */
async function refusal(promise: Promise<unknown>): Promise<TesseraError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof TesseraError)) {
    throw new Error(`expected a refusal, got ${String(error)}`);
  }
  return error;
}

/** Verifies with jose against the tenant's published keys, as a resource server does. */
async function verify(token: string, audience: string) {
  const jwks = createLocalJWKSet({ keys: [...(await h.runtime.ctx.keyring.jwks(TENANT)).keys] });
  return jwtVerify(token, jwks, {
    issuer: ISSUER,
    audience,
    typ: "at+jwt",
    algorithms: ["ES256"],
    currentDate: new Date(h.clock.now()),
  });
}

async function active(token: string): Promise<boolean> {
  return (await introspectToken(h.runtime.ctx, token, { tenantId: TENANT })).active;
}

describe("impersonation (subject_token + requested_subject)", () => {
  it("starts a session as the target for the client, a child of the actor's, its tokens carrying act", async () => {
    const admin = await login("te-admin");
    const result = await exchange({
      subjectToken: admin.accessToken,
      requestedSubject: "te-alice",
    });

    if (result.mode !== "impersonation") {
      throw new Error("expected an impersonation");
    }
    expect(result.tokens.session).toMatchObject({
      userId: users.alice.id,
      clientId: client.id,
      impersonatorUserId: users.admin.id,
      parentSessionId: admin.session.id,
      apiKeyId: null,
    });
    const { payload } = await verify(result.tokens.accessToken, client.id);
    expect(payload).toMatchObject({
      sub: users.alice.id,
      username: "te-alice",
      token_use: "access",
      act: { sub: users.admin.id },
    });
    expect(result.scopes).toEqual(["openid"]);
    expect(result.expiresIn).toBe(tenant.accessTokenTtlSeconds);
    expect(
      await introspectToken(h.runtime.ctx, result.tokens.accessToken, { tenantId: TENANT }),
    ).toMatchObject({ active: true, act: { sub: users.admin.id }, subject: users.alice.id });

    const events = await h.runtime.ctx.store.audit.list(TENANT, { limit: 500 });
    expect(
      events.findLast(
        (event) =>
          event.type === "impersonation.started" && event.sessionId === result.tokens.session.id,
      ),
    ).toMatchObject({
      actorUserId: users.admin.id,
      subjectUserId: users.alice.id,
      ip: IP,
      detail: { grant: TOKEN_EXCHANGE, clientId: client.id, parentSessionId: admin.session.id },
    });
  });

  it("ends when the actor's session ends", async () => {
    const admin = await login("te-admin");
    const result = await exchange({
      subjectToken: admin.accessToken,
      requestedSubject: "te-alice",
    });
    const token = result.mode === "impersonation" ? result.tokens.accessToken : "";
    expect(await active(token)).toBe(true);

    await revokeToken(h.runtime.ctx, admin.accessToken, { tenantId: TENANT, reason: "test" });

    expect(await active(token)).toBe(false);
  });

  it("refuses an actor without the impersonate permission", async () => {
    const alice = await login("te-alice");
    const error = await refusal(
      exchange({ subjectToken: alice.accessToken, requestedSubject: "te-bob" }),
    );
    expect(error.code).toBe("forbidden");
  });

  it("refuses a target more privileged than the actor", async () => {
    const admin = await login("te-admin");
    const error = await refusal(
      exchange({ subjectToken: admin.accessToken, requestedSubject: "te-root" }),
    );
    expect(error).toMatchObject({
      code: "forbidden",
      message: expect.stringContaining("more privileges"),
    });
  });

  it("refuses chaining: an impersonation's token cannot impersonate", async () => {
    const admin = await login("te-admin");
    const first = await exchange({ subjectToken: admin.accessToken, requestedSubject: "te-alice" });
    const token = first.mode === "impersonation" ? first.tokens.accessToken : "";
    const error = await refusal(exchange({ subjectToken: token, requestedSubject: "te-bob" }));
    expect(error).toMatchObject({
      code: "forbidden",
      message: expect.stringContaining("cannot impersonate"),
    });
  });

  it("refuses an unknown target as unprocessable", async () => {
    const admin = await login("te-admin");
    const error = await refusal(
      exchange({ subjectToken: admin.accessToken, requestedSubject: "nobody-here" }),
    );
    expect(error.code).toBe("unprocessable");
  });

  it("refuses a scope beyond openid and an audience other than the client", async () => {
    const admin = await login("te-admin");
    const base = { subjectToken: admin.accessToken, requestedSubject: "te-alice" };
    expect((await refusal(exchange({ ...base, scopes: ["deploy:read"] }))).code).toBe(
      "insufficient_scope",
    );
    expect((await refusal(exchange({ ...base, audiences: [API] }))).code).toBe("invalid_target");
  });
});

describe("the subject token", () => {
  it("must be issued to the client that asks", async () => {
    const { client: other } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "other-login-client",
      scopes: [],
      tokenEndpointAuthMethod: "none",
    });
    const admin = await login("te-admin", other);
    const error = await refusal(
      exchange({ subjectToken: admin.accessToken, requestedSubject: "te-alice" }),
    );
    expect(error.code).toBe("invalid_token");
  });

  it("must be of the client's tenant", async () => {
    const theirs = await issueEveryKind(h.runtime.ctx, "te-other" as TenantId);
    const error = await refusal(
      exchange({ subjectToken: theirs.tokens.access_token, requestedSubject: "te-alice" }),
    );
    expect(error.code).toBe("invalid_token");
  });

  it("must be a user's access token, not garbage nor another kind", async () => {
    const alice = await login("te-alice");
    for (const subjectToken of ["garbage", alice.idToken, alice.refreshToken]) {
      expect((await refusal(exchange({ subjectToken, requestedSubject: "te-bob" }))).code).toBe(
        "invalid_token",
      );
    }
  });
});

describe("the request", () => {
  it("needs the client to be registered for token exchange", async () => {
    const { client: plain } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "no-exchange",
      scopes: [],
    });
    const admin = await login("te-admin");
    const error = await refusal(
      exchangeToken(h.runtime.ctx, {
        tenant,
        client: plain,
        ip: IP,
        subjectToken: admin.accessToken,
        requestedSubject: "te-alice",
      }),
    );
    expect(error.code).toBe("forbidden");
  });

  it("needs a confidential client, even one registered for token exchange as public", async () => {
    const ctx = h.runtime.ctx;
    const { client: web } = await createApiKey(ctx, { tenantId: TENANT, name: "te-old-web" });
    const stale = await ctx.store.clients.update(
      TENANT,
      web.id,
      { grantTypes: [PASSWORD_GRANT, REFRESH_TOKEN, TOKEN_EXCHANGE] },
      h.clock.now(),
    );
    if (stale === undefined) {
      throw new Error("no client");
    }
    const admin = await login("te-admin", stale);
    const error = await refusal(
      exchangeToken(ctx, {
        tenant,
        client: stale,
        ip: IP,
        subjectToken: admin.accessToken,
        requestedSubject: "te-bob",
      }),
    );
    expect(error.code).toBe("forbidden");
  });

  it("asks for impersonation or delegation, one of them", async () => {
    const admin = await login("te-admin");
    const bob = await login("te-bob");
    expect((await refusal(exchange({ subjectToken: admin.accessToken }))).code).toBe(
      "invalid_request",
    );
    expect(
      (
        await refusal(
          exchange({
            subjectToken: admin.accessToken,
            requestedSubject: "te-alice",
            actorToken: bob.accessToken,
          }),
        )
      ).code,
    ).toBe("invalid_request");
  });
});

describe("delegation (subject_token + actor_token)", () => {
  it("issues a delegated access token: sub the subject, act the actor, client_id the client", async () => {
    const alice = await login("te-alice");
    const bob = await login("te-bob");
    const result = await exchange({ subjectToken: alice.accessToken, actorToken: bob.accessToken });

    if (result.mode !== "delegation") {
      throw new Error("expected a delegation");
    }
    const { payload, protectedHeader } = await verify(result.accessToken, ISSUER);
    expect(protectedHeader).toMatchObject({ typ: "at+jwt" });
    const iat = Math.floor(h.clock.now() / 1000);
    expect(payload).toEqual({
      iss: ISSUER,
      sub: users.alice.id,
      aud: ISSUER,
      exp: iat + tenant.accessTokenTtlSeconds,
      iat,
      jti: result.jti,
      client_id: client.id,
      scope: "openid",
      sid: alice.session.id,
      token_use: "delegated",
      username: "te-alice",
      act: { sub: users.bob.id },
      actor_sid: bob.session.id,
    });
    expect(identifyToken(result.accessToken)).toBe("delegated_access_token");
    expect(
      await introspectToken(h.runtime.ctx, result.accessToken, { tenantId: TENANT }),
    ).toMatchObject({
      active: true,
      kind: "delegated_access_token",
      subject: users.alice.id,
      username: "te-alice",
      clientId: client.id,
      sessionId: alice.session.id,
      act: { sub: users.bob.id },
      jti: result.jti,
    });

    const events = await h.runtime.ctx.store.audit.list(TENANT, { limit: 500 });
    expect(
      events.findLast((event) => event.type === "token.issued" && event.detail.jti === result.jti),
    ).toMatchObject({
      ip: IP,
      actorUserId: users.bob.id,
      subjectUserId: users.alice.id,
      sessionId: alice.session.id,
      detail: { grant: TOKEN_EXCHANGE, clientId: client.id, actor: users.bob.id },
    });
  });

  it("never verifies as a user's own access token", async () => {
    const alice = await login("te-alice");
    const bob = await login("te-bob");
    const result = await exchange({ subjectToken: alice.accessToken, actorToken: bob.accessToken });
    const token = result.mode === "delegation" ? result.accessToken : "";

    expect(await verifyToken(h.runtime.ctx, token, { kinds: ["access_token"] })).toMatchObject({
      valid: false,
      reason: "wrong_kind",
    });
    expect(
      await verifyToken(h.runtime.ctx, token, {
        kinds: ["delegated_access_token"],
        tenantId: TENANT,
      }),
    ).toMatchObject({ valid: true, subject: users.alice.id, act: { sub: users.bob.id } });
  });

  it("takes the client's own client access token as the actor", async () => {
    const alice = await login("te-alice");
    const own = await issueClientCredentialsToken(h.runtime.ctx, { tenant, client, ip: IP });
    const result = await exchange({ subjectToken: alice.accessToken, actorToken: own.accessToken });
    expect(result).toMatchObject({ mode: "delegation", act: { sub: client.id } });
  });

  it("nests the subject token's act: acting for an impersonated user names the impersonator too", async () => {
    const admin = await login("te-admin");
    const bob = await login("te-bob");
    const impersonated = await exchange({
      subjectToken: admin.accessToken,
      requestedSubject: "te-alice",
    });
    const subjectToken =
      impersonated.mode === "impersonation" ? impersonated.tokens.accessToken : "";
    const result = await exchange({ subjectToken, actorToken: bob.accessToken });
    const token = result.mode === "delegation" ? result.accessToken : "";
    expect(decodeJwt(token)).toMatchObject({
      sub: users.alice.id,
      act: { sub: users.bob.id, act: { sub: users.admin.id } },
    });
  });

  it("ends with the subject's session", async () => {
    const alice = await login("te-alice");
    const bob = await login("te-bob");
    const result = await exchange({ subjectToken: alice.accessToken, actorToken: bob.accessToken });
    const token = result.mode === "delegation" ? result.accessToken : "";
    expect(await active(token)).toBe(true);

    await revokeToken(h.runtime.ctx, alice.refreshToken, { tenantId: TENANT, reason: "test" });

    expect(await active(token)).toBe(false);
  });

  describe("ends with its actor", () => {
    /** `token` is refused by the registry with `reason`, and introspected as inactive. */
    async function expectDead(token: string, reason: string) {
      expect(await active(token)).toBe(false);
      expect(
        await verifyToken(h.runtime.ctx, token, {
          kinds: ["delegated_access_token"],
          tenantId: TENANT,
        }),
      ).toMatchObject({ valid: false, reason });
    }

    it("when the user actor logs out, the subject's session going on", async () => {
      const alice = await login("te-alice");
      const bob = await login("te-bob");
      const result = await exchange({
        subjectToken: alice.accessToken,
        actorToken: bob.accessToken,
      });
      const token = result.mode === "delegation" ? result.accessToken : "";
      expect(await active(token)).toBe(true);

      await revokeToken(h.runtime.ctx, bob.refreshToken, { tenantId: TENANT, reason: "logout" });

      await expectDead(token, "revoked");
      expect(await active(alice.accessToken)).toBe(true);
    });

    it("when the user actor is disabled", async () => {
      const alice = await login("te-alice");
      const carol = await addUser(h.runtime.ctx, {
        tenantId: TENANT,
        username: "te-carol",
        password: PASSWORD,
        permissions: [],
      });
      const actor = await login(carol.username);
      const result = await exchange({
        subjectToken: alice.accessToken,
        actorToken: actor.accessToken,
      });
      const token = result.mode === "delegation" ? result.accessToken : "";
      expect(await active(token)).toBe(true);

      await setUserEnabled(h.runtime.ctx, {
        tenantId: TENANT,
        username: carol.username,
        enabled: false,
      });

      await expectDead(token, "revoked");
      expect(await active(alice.accessToken)).toBe(true);
    });

    it("when the client actor's token is revoked", async () => {
      const alice = await login("te-alice");
      const own = await issueClientCredentialsToken(h.runtime.ctx, { tenant, client, ip: IP });
      const result = await exchange({
        subjectToken: alice.accessToken,
        actorToken: own.accessToken,
      });
      const token = result.mode === "delegation" ? result.accessToken : "";
      expect(decodeJwt(token)).toMatchObject({ actor_jti: decodeJwt(own.accessToken).jti });
      expect(await active(token)).toBe(true);

      await revokeToken(h.runtime.ctx, own.accessToken, {
        tenantId: TENANT,
        clientId: client.id,
        reason: "test",
      });

      await expectDead(token, "revoked");
      expect(await active(alice.accessToken)).toBe(true);
    });

    it("and is refused without its actor binding, as a token of another shape", async () => {
      const alice = await login("te-alice");
      const bob = await login("te-bob");
      const result = await exchange({
        subjectToken: alice.accessToken,
        actorToken: bob.accessToken,
      });
      const { actor_sid: _bound, ...claims } = decodeJwt(
        result.mode === "delegation" ? result.accessToken : "",
      );
      const key = await h.runtime.ctx.keyring.signingKey(TENANT, tenant.signingAlgorithm);
      const unbound = await signJwt(key, "at+jwt", claims);
      await expectDead(unbound, "malformed");
    });
  });

  it("is revoked by its jti alone, the subject's session going on", async () => {
    const alice = await login("te-alice");
    const bob = await login("te-bob");
    const result = await exchange({ subjectToken: alice.accessToken, actorToken: bob.accessToken });
    const token = result.mode === "delegation" ? result.accessToken : "";

    const revoked = await revokeToken(h.runtime.ctx, token, {
      tenantId: TENANT,
      clientId: client.id,
      reason: "test",
    });

    expect(revoked).toMatchObject({ matched: true, jtisRevoked: [decodeJwt(token).jti] });
    expect(await active(token)).toBe(false);
    expect(await active(alice.accessToken)).toBe(true);
  });

  it("lives no longer than the subject token", async () => {
    const alice = await login("te-alice");
    const bob = await login("te-bob");
    h.clock.advance(50 * 60_000);
    const result = await exchange({ subjectToken: alice.accessToken, actorToken: bob.accessToken });

    expect(result.mode === "delegation" && result.expiresIn).toBe(
      (decodeJwt(alice.accessToken).exp ?? 0) - Math.floor(h.clock.now() / 1000),
    );
    expect(decodeJwt(result.mode === "delegation" ? result.accessToken : "").exp).toBe(
      decodeJwt(alice.accessToken).exp,
    );
  });

  it("narrows scope only, and chooses among the client's allowed audiences", async () => {
    const alice = await login("te-alice");
    const bob = await login("te-bob");
    const base = { subjectToken: alice.accessToken, actorToken: bob.accessToken };

    expect(await exchange({ ...base, scopes: [] })).toMatchObject({ scopes: [] });
    expect((await refusal(exchange({ ...base, scopes: ["deploy:read"] }))).code).toBe(
      "insufficient_scope",
    );
    expect(await exchange({ ...base, resources: [API] })).toMatchObject({ audience: API });
    expect(
      (await refusal(exchange({ ...base, audiences: ["https://elsewhere.example.test"] }))).code,
    ).toBe("invalid_target");
  });

  it("refuses an actor token of another client, or an impersonation's token as actor", async () => {
    const alice = await login("te-alice");
    const admin = await login("te-admin");
    const { client: other } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "other-actor-client",
      scopes: [],
      tokenEndpointAuthMethod: "none",
    });
    const foreign = await login("te-bob", other);
    expect(
      (
        await refusal(
          exchange({ subjectToken: alice.accessToken, actorToken: foreign.accessToken }),
        )
      ).code,
    ).toBe("invalid_token");

    const impersonated = await exchange({
      subjectToken: admin.accessToken,
      requestedSubject: "te-bob",
    });
    const actorToken = impersonated.mode === "impersonation" ? impersonated.tokens.accessToken : "";
    expect((await refusal(exchange({ subjectToken: alice.accessToken, actorToken }))).code).toBe(
      "forbidden",
    );
  });

  describe("may_act (RFC 8693 section 4.4)", () => {
    /** Alice's access token re-signed with the tenant's own key, carrying `may_act`. */
    async function withMayAct(mayAct: unknown): Promise<string> {
      const alice = await login("te-alice");
      const key = await h.runtime.ctx.keyring.signingKey(TENANT, tenant.signingAlgorithm);
      return signJwt(key, "at+jwt", { ...decodeJwt(alice.accessToken), may_act: mayAct });
    }

    it("lets the actor it names act", async () => {
      const bob = await login("te-bob");
      const subjectToken = await withMayAct({ sub: users.bob.id });
      expect(await exchange({ subjectToken, actorToken: bob.accessToken })).toMatchObject({
        mode: "delegation",
        act: { sub: users.bob.id },
      });
    });

    it("refuses any other actor", async () => {
      const admin = await login("te-admin");
      const subjectToken = await withMayAct({ sub: users.bob.id });
      const error = await refusal(exchange({ subjectToken, actorToken: admin.accessToken }));
      expect(error).toMatchObject({
        code: "forbidden",
        message: expect.stringContaining("may_act"),
      });
    });

    it("refuses a subject token whose may_act cannot be read", async () => {
      const bob = await login("te-bob");
      const subjectToken = await withMayAct({ iss: ISSUER });
      expect((await refusal(exchange({ subjectToken, actorToken: bob.accessToken }))).code).toBe(
        "invalid_token",
      );
    });
  });
});
