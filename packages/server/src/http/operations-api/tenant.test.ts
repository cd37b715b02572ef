import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, PASSWORD, startHarness } from "../../../test/support/harness.js";
import type { TenantId } from "../../core/ids.js";
import { createTenant } from "../../core/tenants.js";
import { addUser } from "../../core/users.js";
import { ensureSuperUserRole } from "../../runtime/bootstrap.js";
import { buildApp } from "../app.js";

const OTHER = "harper" as TenantId;

describe("the operations API's tenant", () => {
  let h: Harness;
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    h = await startHarness({ TESSERA_ADMIN_USERNAME: "root", TESSERA_ADMIN_PASSWORD: PASSWORD });
    const ctx = h.runtime.ctx;
    await createTenant(ctx, { id: OTHER });
    const role = await ensureSuperUserRole(ctx, OTHER);
    await addUser(ctx, {
      tenantId: OTHER,
      username: "HDB_ADMIN",
      password: PASSWORD,
      roleId: role.id,
    });
    app = await buildApp({
      ctx,
      defaultTenant: h.config.defaultTenant,
      operationsTenant: OTHER,
      bodyLimitBytes: h.config.bodyLimitBytes,
      trustProxy: false,
    });
  });

  afterAll(async () => {
    await app.close();
    await h.close();
  });

  const login = (username: string) =>
    app.inject({
      method: "POST",
      url: "/",
      headers: { "content-type": "application/json" },
      payload: { operation: "create_authentication_tokens", username, password: PASSWORD },
    });

  it("serves the configured tenant's users, with tokens issued by that tenant", async () => {
    const response = await login("HDB_ADMIN");

    expect(response.statusCode).toBe(200);
    const { operation_token } = response.json<{ operation_token: string }>();
    const jwksOf = async (url: string) => {
      const jwks = await app.inject({ method: "GET", url });
      expect(jwks.statusCode).toBe(200);
      return createLocalJWKSet(jwks.json<JSONWebKeySet>());
    };
    const options = {
      algorithms: ["RS256"],
      issuer: "https://auth.example.test/tenants/harper",
      audience: "tessera:operations",
      typ: "JWT",
      currentDate: new Date(h.clock.now()),
    };
    const { payload } = await jwtVerify(
      operation_token,
      await jwksOf(`/tenants/${OTHER}/.well-known/jwks.json`),
      options,
    );
    expect(payload).toMatchObject({ username: "HDB_ADMIN", sub: "operation" });
    // Signed with that tenant's key: the default tenant's keys do not verify it.
    await expect(
      jwtVerify(operation_token, await jwksOf("/.well-known/jwks.json"), options),
    ).rejects.toMatchObject({ code: "ERR_JWKS_NO_MATCHING_KEY" });
  });

  it("does not know the users of other tenants", async () => {
    const response = await login("root");

    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: "invalid credentials" });
  });

  it("refuses to start when TESSERA_OPERATIONS_TENANT names a tenant that does not exist", async () => {
    await expect(startHarness({ TESSERA_OPERATIONS_TENANT: "missing" })).rejects.toThrow(
      /TESSERA_OPERATIONS_TENANT names missing, which does not exist/,
    );
  });
});
