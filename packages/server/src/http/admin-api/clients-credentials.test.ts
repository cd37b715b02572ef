import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  type AdminClientBody,
  admin,
  clientCredentials,
  createAdminClient,
  expectAdminProblem,
  userToken,
} from "../../../test/support/admin-api.js";
import { type Harness, startHarness } from "../../../test/support/harness.js";
import {
  assertion,
  lastAudit,
  newSigningKey,
  otpBody,
  otpCode,
  postLong,
  type SigningKey,
  type TestClient,
} from "../../../test/support/token-api.js";

let h: Harness;
let writer: string;
let reader: string;
let key: SigningKey;

beforeAll(async () => {
  h = await startHarness();
  writer = await userToken(h, ["admin"]);
  reader = await userToken(h, ["admin:read"]);
  key = await newSigningKey("ES256");
});
afterAll(async () => {
  await h.close();
});

interface Rotated {
  readonly client_id: string;
  readonly client_secret: string;
  readonly secret_prefix: string;
  readonly previous_secret_expires_at: string | null;
}

const url = (client: { readonly id: string }, rest = "") => `${ADMIN}/clients/${client.id}${rest}`;

/** The token API's view of a client, for its assertion and OTP helpers. */
function asTestClient(client: AdminClientBody, otpauthUri?: string): TestClient {
  return { id: client.id, name: client.name, secret: "", otpauthUri };
}

async function works(client: { readonly id: string }, secret: string): Promise<boolean> {
  const response = await clientCredentials(h, client.id, secret);
  expect([200, 401], response.body).toContain(response.statusCode);
  return response.statusCode === 200;
}

async function rotate(client: { readonly id: string }, body?: unknown): Promise<Rotated> {
  const response = await admin(h, "POST", url(client, "/secret"), writer, body);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Rotated>();
}

describe("admin client credentials: 2xx", () => {
  it("rotates a secret at once: the new one works, the old one no longer", async () => {
    const client = await createAdminClient(h, writer);
    const rotated = await rotate(client);
    expect(rotated).toMatchObject({ client_id: client.id, previous_secret_expires_at: null });
    expect(rotated.client_secret).toMatch(/^tsr_cs_/);
    expect(rotated.secret_prefix).toBe(rotated.client_secret.slice(0, 12));
    expect(await works(client, rotated.client_secret)).toBe(true);
    expect(await works(client, client.client_secret ?? "")).toBe(false);
    const read = await admin(h, "GET", url(client), reader);
    expect(read.json()).toMatchObject({ secret_prefix: rotated.secret_prefix });
    expect(read.body).not.toContain(rotated.client_secret);
    const event = await lastAudit(h, "client.secret_rotated");
    expect(event?.detail).toEqual({ clientId: client.id, overlapSeconds: 0 });
    expect(event?.actorUserId).toEqual(expect.any(String));
    expect(JSON.stringify(event)).not.toContain(rotated.client_secret);
  });

  it("keeps the old secret working through the overlap, and not a moment after", async () => {
    const client = await createAdminClient(h, writer);
    const old = client.client_secret ?? "";
    const rotated = await rotate(client, { overlap_seconds: 3600 });
    const ends = new Date(h.clock.now() + 3_600_000).toISOString();
    expect(rotated.previous_secret_expires_at).toBe(ends);
    expect((await admin(h, "GET", url(client), reader)).json()).toMatchObject({
      previous_secret_expires_at: ends,
    });
    expect(await works(client, old)).toBe(true);
    expect(await works(client, rotated.client_secret)).toBe(true);

    h.clock.advance(3_599_000);
    expect(await works(client, old)).toBe(true);
    h.clock.advance(1000);
    expect(await works(client, old)).toBe(false);
    expect(await works(client, rotated.client_secret)).toBe(true);
  });

  it("ends the older secret at once when a second rotation comes during an overlap", async () => {
    const client = await createAdminClient(h, writer);
    const first = client.client_secret ?? "";
    const second = await rotate(client, { overlap_seconds: 600 });
    const third = await rotate(client, { overlap_seconds: 600 });
    expect(await works(client, first)).toBe(false);
    expect(await works(client, second.client_secret)).toBe(true);
    expect(await works(client, third.client_secret)).toBe(true);
  });

  it("drops the old secret with the new one when the client stops using secrets mid-overlap", async () => {
    const client = await createAdminClient(h, writer, { public_keys: [key.pem] });
    const old = client.client_secret ?? "";
    const rotated = await rotate(client, { overlap_seconds: 3600 });
    const moved = await admin(h, "PATCH", url(client), writer, {
      token_endpoint_auth_method: "private_key_jwt",
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ secret_prefix: null, previous_secret_expires_at: null });
    const back = await admin(h, "PATCH", url(client), writer, {
      token_endpoint_auth_method: "client_secret_basic",
    });
    const fresh = back.json<AdminClientBody>().client_secret ?? "";
    expect(fresh).toMatch(/^tsr_cs_/);
    expect(await works(client, old)).toBe(false);
    expect(await works(client, rotated.client_secret)).toBe(false);
    expect(await works(client, fresh)).toBe(true);
  });

  it("adds a public key (201, Location) that signs assertions, and removes it idempotently", async () => {
    const client = await createAdminClient(h, writer);
    const added = await admin(h, "POST", url(client, "/public-keys"), writer, {
      public_key: key.pem,
    });
    expect(added.statusCode, added.body).toBe(201);
    const shown = added.json<{ kid: string; alg: string; jwk: Record<string, unknown> }>();
    expect(shown).toMatchObject({ alg: "ES256", jwk: { kty: "EC", crv: "P-256" } });
    expect(added.headers.location).toBe(url(client, `/public-keys/${shown.kid}`));
    const read = await admin(h, "GET", added.headers.location as string, reader);
    expect(read.json()).toEqual(shown);
    expect((await admin(h, "GET", url(client), reader)).json()).toMatchObject({
      public_keys: [shown],
    });

    // The same key again, as a JWK object: nothing new.
    const again = await admin(h, "POST", url(client, "/public-keys"), writer, {
      public_key: JSON.parse(key.jwk),
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual(shown);

    const signed = await assertion(h, asTestClient(client), key);
    expect((await postLong(h, { assertion: signed })).statusCode).toBe(201);

    const removed = await admin(h, "DELETE", added.headers.location as string, writer);
    expect(removed.statusCode, removed.body).toBe(204);
    const refused = await postLong(h, { assertion: await assertion(h, asTestClient(client), key) });
    expect(refused.statusCode).toBe(401);
    expect((await admin(h, "DELETE", added.headers.location as string, writer)).statusCode).toBe(
      204,
    );
    expectAdminProblem(
      await admin(h, "GET", added.headers.location as string, reader),
      404,
      "not_found",
    );
  });

  it("enrols TOTP (its URI shown once) that steps up, and removes it idempotently", async () => {
    const client = await createAdminClient(h, writer);
    const enrolled = await admin(h, "POST", url(client, "/totp"), writer);
    expect(enrolled.statusCode, enrolled.body).toBe(200);
    const { otpauth_uri } = enrolled.json<{ client_id: string; otpauth_uri: string }>();
    expect(otpauth_uri).toMatch(/^otpauth:\/\/totp\/Tessera:/);
    const read = await admin(h, "GET", url(client), reader);
    expect(read.json()).toMatchObject({ otp_enrolled: true });
    expect(read.body).not.toContain("otpauth");

    const code = await otpCode(asTestClient(client, otpauth_uri), h.clock.now());
    expect((await postLong(h, otpBody(client, code))).statusCode).toBe(201);

    expect((await admin(h, "DELETE", url(client, "/totp"), writer)).statusCode).toBe(204);
    expect((await admin(h, "GET", url(client), reader)).json()).toMatchObject({
      otp_enrolled: false,
    });
    expect((await admin(h, "DELETE", url(client, "/totp"), writer)).statusCode).toBe(204);
  });
});

describe("admin client credentials: 400", () => {
  it.each([
    ["a negative overlap", { overlap_seconds: -1 }],
    ["an overlap past 30 days", { overlap_seconds: 30 * 86_400 + 1 }],
    ["an overlap as text", { overlap_seconds: "3600" }],
    ["an unknown field", { overlap: 60 }],
  ])("refuses a rotation with %s", async (_, body) => {
    const client = await createAdminClient(h, writer);
    expectAdminProblem(
      await admin(h, "POST", url(client, "/secret"), writer, body),
      400,
      "invalid_request",
    );
    expect(await works(client, client.client_secret ?? "")).toBe(true);
  });

  it("refuses to rotate the secret of a client without one", async () => {
    const client = await createAdminClient(h, writer, { token_endpoint_auth_method: "none" });
    expectAdminProblem(
      await admin(h, "POST", url(client, "/secret"), writer),
      400,
      "invalid_request",
    );
  });

  it("refuses a private key, garbage, a huge key and a missing key", async () => {
    const client = await createAdminClient(h, writer);
    const { generateKeyPairSync } = await import("node:crypto");
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    for (const body of [
      { public_key: privatePem },
      { public_key: privateKey.export({ format: "jwk" }) },
      { public_key: "not a key" },
      { public_key: "x".repeat(20_000) },
      { public_key: 5 },
      {},
    ]) {
      const response = await admin(h, "POST", url(client, "/public-keys"), writer, body);
      expectAdminProblem(response, 400, "invalid_request");
      expect(response.body).not.toContain("PRIVATE KEY");
    }
  });

  it("refuses to remove the last key of a private_key_jwt client", async () => {
    const client = await createAdminClient(h, writer, {
      token_endpoint_auth_method: "private_key_jwt",
      public_keys: [key.jwk],
    });
    expect(client.client_secret).toBeUndefined();
    const kid = client.public_keys[0]?.kid ?? "";
    expectAdminProblem(
      await admin(h, "DELETE", url(client, `/public-keys/${kid}`), writer),
      400,
      "invalid_request",
    );
  });
});

describe("admin client credentials: 403, 404", () => {
  it("refuses every credential change with read access only", async () => {
    const client = await createAdminClient(h, writer);
    for (const [method, path] of [
      ["POST", "/secret"],
      ["POST", "/public-keys"],
      ["DELETE", "/public-keys/x"],
      ["POST", "/totp"],
      ["DELETE", "/totp"],
    ] as const) {
      expectAdminProblem(
        await admin(h, method, url(client, path), reader, method === "POST" ? {} : undefined),
        403,
        "insufficient_scope",
      );
    }
    expect(await works(client, client.client_secret ?? "")).toBe(true);
  });

  it("answers 404 for an unknown client or key", async () => {
    const missing = { id: "no-such-client" };
    for (const [method, path, body] of [
      ["POST", "/secret", undefined],
      ["POST", "/public-keys", { public_key: key.pem }],
      ["DELETE", "/public-keys/x", undefined],
      ["POST", "/totp", undefined],
      ["DELETE", "/totp", undefined],
    ] as const) {
      expectAdminProblem(
        await admin(h, method, url(missing, path), writer, body),
        404,
        "not_found",
      );
    }
    const client = await createAdminClient(h, writer);
    expectAdminProblem(
      await admin(h, "GET", url(client, "/public-keys/nope"), reader),
      404,
      "not_found",
    );
  });
});
