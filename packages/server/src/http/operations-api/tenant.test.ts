import { decodeJwt } from "jose";
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
    expect(decodeJwt(operation_token).iss).toBe("https://auth.example.test/tenants/harper");
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
