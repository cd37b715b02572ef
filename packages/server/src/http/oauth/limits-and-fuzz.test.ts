import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import { clientBasic, expectOAuthError, formOf, postToken } from "../../../test/support/oauth.js";
import { addClient, postLong, secretBody } from "../../../test/support/token-api.js";
import { createApiKey } from "../../core/api-keys.js";
import { createClient } from "../../core/clients/clients.js";
import type { TenantId } from "../../core/ids.js";
import { createTenant } from "../../core/tenants.js";

/** 429 on the budget OAuth shares with the token API; and no input at all makes a 500. */

describe("429: one request budget for the token API and OAuth", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ TESSERA_TOKEN_API_REQUESTS_PER_MINUTE_PER_CLIENT: "3" });
  });
  afterAll(async () => {
    await h.close();
  });

  it("counts a client's token API and OAuth requests together, then refuses both", async () => {
    const client = await addClient(h);
    const oauthBody = {
      grant_type: "client_credentials",
      client_id: client.id,
      client_secret: client.secret,
    };
    const first = await postToken(h, oauthBody);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers["ratelimit-remaining"]).toBe("2");
    expect((await postLong(h, secretBody(client))).statusCode).toBe(201);
    const third = await postToken(h, oauthBody);
    expect(third.headers["ratelimit-remaining"]).toBe("0");

    const fourth = await postToken(h, oauthBody);
    expectOAuthError(fourth, 429, "temporarily_unavailable");
    expect(Number(fourth.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(fourth.headers.pragma).toBe("no-cache");
    expect((await postLong(h, secretBody(client))).statusCode).toBe(429);

    const other = await addClient(h);
    const answer = await postToken(h, {
      ...oauthBody,
      client_id: other.id,
      client_secret: other.secret,
    });
    expect(answer.statusCode).toBe(200);
  });
});

describe("any body, any Content-Type: an OAuth answer, never a 500", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const names = fc.constantFrom(
    "grant_type",
    "client_id",
    "client_secret",
    "scope",
    "resource",
    "audience",
    "client_assertion",
    "client_assertion_type",
    "assertion",
    "username",
    "password",
    "x",
  );
  const values = fc.oneof(
    fc.constantFrom(
      "client_credentials",
      "password",
      "urn:ietf:params:oauth:grant-type:jwt-bearer",
      "",
      "%",
      "%ZZ",
      "%C3%28",
      "+",
      "a b",
    ),
    fc.string({ unit: "binary", maxLength: 40 }),
  );
  const forms = fc
    .array(fc.tuple(names, values), { maxLength: 8 })
    .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join("&"));
  const contentTypes = fc.constantFrom(
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=UTF-8",
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded; charset=latin1",
  );

  it("answers 400 or 401 (429 once failures add up) with an RFC 6749 error for arbitrary forms", async () => {
    await fc.assert(
      fc.asyncProperty(forms, contentTypes, async (body, contentType) => {
        const response = await postToken(h, body, { "content-type": contentType });
        expect([400, 401, 429]).toContain(response.statusCode);
        expectOAuthError(response, response.statusCode, response.json<{ error: string }>().error);
      }),
      { numRuns: 200 },
    );
  });

  it("answers arbitrary Basic credentials with 400 or 401 (or 429), never a 500", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 60 }), async (credentials) => {
        const authorization = `Basic ${Buffer.from(credentials).toString("base64")}`;
        const response = await postToken(
          h,
          { grant_type: "client_credentials" },
          { authorization },
        );
        expect([400, 401, 429]).toContain(response.statusCode);
      }),
      { numRuns: 100 },
    );
  });
});

describe("429: whose request budget a request spends", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ TESSERA_TOKEN_API_REQUESTS_PER_MINUTE_PER_CLIENT: "2" });
    await createTenant(h.runtime.ctx, { id: "elsewhere" });
  });
  afterAll(async () => {
    await h.close();
  });

  it("keeps one budget per tenant for clients that share a chosen id", async () => {
    const secretOf = async (tenantId: string) =>
      (
        await createClient(h.runtime.ctx, {
          tenantId: tenantId as TenantId,
          id: "shared-bot",
          name: "shared-bot",
          scopes: [],
        })
      ).clientSecret ?? "";
    const here = await secretOf("default");
    const there = await secretOf("elsewhere");
    const ask = (tenant: string, secret: string) =>
      postToken(
        h,
        { grant_type: "client_credentials" },
        { authorization: clientBasic("shared-bot", secret) },
        `/tenants/${tenant}/oauth/token`,
      );
    expect((await ask("default", here)).statusCode).toBe(200);
    expect((await ask("default", here)).statusCode).toBe(200);
    expectOAuthError(await ask("default", here), 429, "temporarily_unavailable");

    expect((await ask("elsewhere", there)).statusCode).toBe(200);
  });

  it("spends a public client's budget only from the address that named it", async () => {
    const { client } = await createApiKey(h.runtime.ctx, { tenantId: TENANT, name: "web" });
    const revoke = (remoteAddress: string) =>
      h.app.inject({
        method: "POST",
        url: "/tenants/default/oauth/revoke",
        remoteAddress,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: formOf({ token: "tsr_rt_unknown", client_id: client.id }),
      });
    expect((await revoke("192.0.2.1")).statusCode).toBe(200);
    expect((await revoke("192.0.2.1")).statusCode).toBe(200);
    expectOAuthError(await revoke("192.0.2.1"), 429, "temporarily_unavailable");

    expect((await revoke("192.0.2.2")).statusCode).toBe(200);
  });
});
