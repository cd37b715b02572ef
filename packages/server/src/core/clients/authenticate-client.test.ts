import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import { authenticateClient, type PresentedClientCredentials } from "./authenticate-client.js";
import { createClient } from "./clients.js";
import type { GrantType } from "./grant-types.js";
import type { ClientAuthMethod } from "./token-endpoint-rules.js";
import { updateClient } from "./update-client.js";

const ISSUER = "https://auth.example.test/tenants/default";
const TOKEN_URL = `${ISSUER}/oauth/token`;
const IP = "192.0.2.7";
const EVERY_METHOD: readonly ClientAuthMethod[] = [
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
  "none",
];

let h: Harness;
let tenant: TenantRecord;
let client: ClientRecord;
let secret: string;

beforeAll(async () => {
  h = await startHarness();
  const found = await h.runtime.ctx.store.tenants.get(TENANT);
  if (found === undefined) {
    throw new Error("no default tenant");
  }
  tenant = found;
  const created = await createClient(h.runtime.ctx, {
    tenantId: TENANT,
    name: "auth-bot",
    scopes: ["deploy:read"],
  });
  client = created.client;
  secret = created.clientSecret ?? "";
});
afterAll(async () => {
  await h.close();
});

function authenticate(
  presented: PresentedClientCredentials,
  options: { methods?: readonly ClientAuthMethod[]; grant?: GrantType } = {},
) {
  return authenticateClient(h.runtime.ctx, {
    tenant,
    ip: IP,
    presented,
    methods: options.methods ?? EVERY_METHOD,
    ...(options.grant === undefined ? {} : { grant: options.grant }),
  });
}

describe("authenticateClient", () => {
  it("accepts the secret by Basic or in the body, whichever it was registered with", async () => {
    expect(client.tokenEndpointAuthMethod).toBe("client_secret_basic");
    for (const method of ["client_secret_basic", "client_secret_post"] as const) {
      const proven = await authenticate({ method, clientId: client.id, secret });
      expect(proven).toMatchObject({ method, client: { id: client.id } });
    }
  });

  it("fails an unknown client and a wrong secret with the same error", async () => {
    const failure = (clientId: string, presented: string) =>
      authenticate({ method: "client_secret_post", clientId, secret: presented }).catch(
        (error: unknown) => error,
      );
    const failed = { code: "invalid_credentials", message: "Client authentication failed" };
    expect(await failure("z".repeat(26), secret)).toMatchObject(failed);
    expect(await failure(client.id, `${secret}x`)).toMatchObject(failed);
  });

  it("refuses a method the endpoint does not take, even with the right secret", async () => {
    await expect(
      authenticate(
        { method: "client_secret_post", clientId: client.id, secret },
        { methods: ["private_key_jwt"] },
      ),
    ).rejects.toMatchObject({ code: "invalid_credentials" });
  });

  it("refuses none for a confidential client, and takes it from a public one", async () => {
    await expect(authenticate({ method: "none", clientId: client.id })).rejects.toMatchObject({
      code: "invalid_credentials",
    });
    const { client: spa } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "spa",
      scopes: [],
      tokenEndpointAuthMethod: "none",
    });
    expect((await authenticate({ method: "none", clientId: spa.id })).client.id).toBe(spa.id);
    // A grant that needs a client that authenticates: an id alone never proves one for it.
    await expect(
      authenticate({ method: "none", clientId: spa.id }, { grant: "client_credentials" }),
    ).rejects.toMatchObject({ code: "invalid_credentials" });
  });

  it("refuses none where no public client could pass before reading or recording anything", async () => {
    const { client: spa } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "spa-early",
      scopes: [],
      tokenEndpointAuthMethod: "none",
    });
    const events = async () =>
      (await h.runtime.ctx.store.audit.list(TENANT, { limit: 1000 })).length;
    const before = await events();
    for (const clientId of [spa.id, client.id, "no-such-client"]) {
      // An endpoint that does not take none (introspection): one answer for every id.
      await expect(
        authenticate({ method: "none", clientId }, { methods: ["client_secret_basic"] }),
      ).rejects.toMatchObject({
        code: "invalid_credentials",
        message: "Client authentication failed",
      });
      // A grant no public client may hold: one answer for every id too.
      for (const grant of [
        "client_credentials",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
      ] as const) {
        await expect(authenticate({ method: "none", clientId }, { grant })).rejects.toMatchObject({
          code: "invalid_credentials",
          message: "Client authentication failed",
        });
      }
    }
    expect(await events()).toBe(before);
  });

  it("takes an assertion for the token endpoint once, and checks client_id before spending it", async () => {
    const pair = await generateKeyPair("ES256");
    const { client: keyed } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "keyed-bot",
      scopes: [],
      tokenEndpointAuthMethod: "private_key_jwt",
      publicKeys: [await exportSPKI(pair.publicKey)],
    });
    const now = Math.floor(h.clock.now() / 1000);
    const sign = (aud: string, jti: string) =>
      new SignJWT({})
        .setProtectedHeader({ alg: "ES256" })
        .setIssuer(keyed.id)
        .setSubject(keyed.id)
        .setAudience(aud)
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .setJti(jti)
        .sign(pair.privateKey);
    const present = (assertion: string, clientId?: string) =>
      authenticate({
        method: "private_key_jwt",
        assertion,
        audiences: [ISSUER, TOKEN_URL],
        ...(clientId === undefined ? {} : { clientId }),
      });
    const assertion = await sign(TOKEN_URL, "one");
    await expect(present(assertion, client.id)).rejects.toMatchObject({ code: "invalid_request" });
    expect((await present(assertion, keyed.id)).method).toBe("private_key_jwt");
    await expect(present(assertion)).rejects.toMatchObject({ code: "invalid_credentials" });
    await expect(
      present(await sign("https://elsewhere.example.test", "two")),
    ).rejects.toMatchObject({ code: "invalid_credentials" });
    // The issuer itself is an accepted audience too (RFC 7523 §3 item 3).
    await expect(
      present(await sign(ISSUER, "three")).then((proven) => proven.client.id),
    ).resolves.toBe(keyed.id);
  });

  it("refuses an assertion from a client registered for its secret", async () => {
    const pair = await generateKeyPair("ES256");
    const { client: both } = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "secret-and-key",
      scopes: [],
      publicKeys: [await exportSPKI(pair.publicKey)],
    });
    const now = Math.floor(h.clock.now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256" })
      .setIssuer(both.id)
      .setSubject(both.id)
      .setAudience(TOKEN_URL)
      .setExpirationTime(now + 60)
      .setJti("only")
      .sign(pair.privateKey);
    await expect(
      authenticate({ method: "private_key_jwt", assertion, audiences: [TOKEN_URL] }),
    ).rejects.toMatchObject({ code: "invalid_credentials" });
  });

  it("refuses the secret a client had once it is registered for private_key_jwt, by either transport", async () => {
    const pair = await generateKeyPair("ES256");
    const created = await createClient(h.runtime.ctx, {
      tenantId: TENANT,
      name: "moved-to-keys",
      scopes: [],
    });
    const oldSecret = created.clientSecret ?? "";
    expect(
      (
        await authenticate({
          method: "client_secret_post",
          clientId: created.client.id,
          secret: oldSecret,
        })
      ).client.id,
    ).toBe(created.client.id);
    await updateClient(h.runtime.ctx, {
      tenantId: TENANT,
      client: created.client.id,
      tokenEndpointAuthMethod: "private_key_jwt",
      addPublicKeys: [await exportSPKI(pair.publicKey)],
    });
    for (const method of ["client_secret_basic", "client_secret_post"] as const) {
      await expect(
        authenticate({ method, clientId: created.client.id, secret: oldSecret }),
      ).rejects.toMatchObject({
        code: "invalid_credentials",
        message: "Client authentication failed",
      });
    }
  });
});
