import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, sessionOf, startHarness, TENANT } from "../../../test/support/harness.js";
import { updateTenant } from "../../core/tenants.js";
import { openRuntime } from "../../runtime/runtime.js";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  await h.addUser("alice");
});
afterEach(async () => {
  await h.close();
});

describe("changes made by another process on the same data dir (the CLI)", () => {
  it("signs with a newly chosen algorithm at once, and the JWKS verifies it", async () => {
    const cli = await openRuntime(h.config);
    try {
      await updateTenant(cli.ctx, TENANT, { signingAlgorithm: "EdDSA" });
    } finally {
      await cli.close();
    }
    const { session } = sessionOf(await h.login("alice"));
    expect(decodeProtectedHeader(session.accessToken).alg).toBe("EdDSA");
    const jwks = await h.app.inject({ method: "GET", url: "/.well-known/jwks.json" });
    const { payload } = await jwtVerify(
      session.accessToken,
      createLocalJWKSet(jwks.json<JSONWebKeySet>()),
      {
        algorithms: ["EdDSA"],
        issuer: "https://auth.example.test/tenants/default",
        audience: h.clientId,
        typ: "at+jwt",
        currentDate: new Date(h.clock.now()),
      },
    );
    expect(payload.username).toBe("alice");
  });

  it("keeps verifying tokens signed before a key rotation made elsewhere", async () => {
    const before = sessionOf(await h.login("alice"));
    const cli = await openRuntime(h.config);
    try {
      await cli.ctx.keyring.rotate(TENANT, "ES256");
    } finally {
      await cli.close();
    }
    h.clock.advance(31_000);
    const after = sessionOf(await h.login("alice"));
    expect(decodeProtectedHeader(after.session.accessToken).kid).not.toBe(
      decodeProtectedHeader(before.session.accessToken).kid,
    );
    // The old token's key is retired, still published, still accepted.
    expect(
      (
        await h.send("DELETE", "/auth/token", {
          session: { accessToken: before.session.accessToken },
        })
      ).statusCode,
    ).toBe(200);
    expect((await h.send("POST", "/auth/token", before)).statusCode).toBe(401);
  });
});

describe("POST /auth/impersonate: deprecation headers", () => {
  it("are sent even on refusals made before the handler runs", async () => {
    const response = await h.app.inject({
      method: "POST",
      url: "/auth/impersonate",
      headers: { "content-type": "application/json" },
      payload: "{}",
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers.deprecation).toMatch(/^@\d+$/);
    expect(response.headers.link).toContain("successor-version");
  });
});
