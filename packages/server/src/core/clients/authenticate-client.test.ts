import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import { authenticateClient } from "./authenticate-client.js";
import { createClient } from "./clients.js";

const ISSUER = "https://auth.example.test/tenants/default";
const TOKEN_URL = `${ISSUER}/oauth/token`;
const IP = "192.0.2.7";

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
  secret = created.clientSecret;
});
afterAll(async () => {
  await h.close();
});

describe("authenticateClient", () => {
  const ctx = () => h.runtime.ctx;

  it("accepts the secret by Basic or in the body, and says which", async () => {
    for (const method of ["client_secret_basic", "client_secret_post"] as const) {
      const proven = await authenticateClient(ctx(), {
        tenant,
        ip: IP,
        presented: { method, clientId: client.id, secret },
      });
      expect(proven).toMatchObject({ method, client: { id: client.id } });
    }
  });

  it("fails an unknown client and a wrong secret with the same error", async () => {
    const failure = (clientId: string, presented: string) =>
      authenticateClient(ctx(), {
        tenant,
        ip: IP,
        presented: { method: "client_secret_post", clientId, secret: presented },
      }).catch((error: unknown) => error);
    const unknown = await failure("z".repeat(26), secret);
    const wrong = await failure(client.id, `${secret}x`);
    expect(unknown).toMatchObject({
      code: "invalid_credentials",
      message: "Client authentication failed",
    });
    expect(wrong).toMatchObject({
      code: "invalid_credentials",
      message: "Client authentication failed",
    });
  });

  it("refuses none for a client that has a secret", async () => {
    await expect(
      authenticateClient(ctx(), {
        tenant,
        ip: IP,
        presented: { method: "none", clientId: client.id },
      }),
    ).rejects.toMatchObject({ code: "invalid_credentials" });
  });

  it("takes an assertion for the token endpoint once, and checks client_id before spending it", async () => {
    const pair = await generateKeyPair("ES256");
    const { client: keyed } = await createClient(ctx(), {
      tenantId: TENANT,
      name: "keyed-bot",
      scopes: [],
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
      authenticateClient(ctx(), {
        tenant,
        ip: IP,
        presented: {
          method: "private_key_jwt",
          assertion,
          audiences: [ISSUER, TOKEN_URL],
          ...(clientId === undefined ? {} : { clientId }),
        },
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
});
