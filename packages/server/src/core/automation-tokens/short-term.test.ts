import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import { createClient } from "../clients/clients.js";
import { requireToken } from "../tokens/registry.js";
import { issueLongTermToken } from "./long-term.js";
import { issueShortTermToken } from "./short-term.js";

describe("issueShortTermToken", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("refuses, and leaves no live token, when the parent is revoked between authentication and issue", async () => {
    const ctx = h.runtime.ctx;
    const tenant = await ctx.store.tenants.get(TENANT);
    if (tenant === undefined) {
      throw new Error("no default tenant");
    }
    const { client } = await createClient(ctx, {
      tenantId: TENANT,
      name: "racer",
      scopes: ["read"],
    });
    const long = await issueLongTermToken(ctx, {
      tenant,
      client,
      method: "client_secret",
      grantedScopes: client.scopes,
      ip: "127.0.0.1",
    });
    const caller = await requireToken(ctx, long.token, { kinds: ["long_term_token"] });

    // The revocation lands after the caller was authenticated.
    await ctx.store.automationTokens.revoke(long.record.id, ctx.clock.now(), "revoked");

    await expect(issueShortTermToken(ctx, { caller })).rejects.toMatchObject({
      code: "token_revoked",
    });
    const children = (
      await ctx.store.automationTokens.listForClient(client.tenantId, client.id, {
        includeEnded: true,
        now: ctx.clock.now(),
        limit: 10,
      })
    ).filter((token) => token.parentId === long.record.id);
    expect(children).toEqual([
      expect.objectContaining({ revokedAt: ctx.clock.now(), revokedReason: "parent_revoked" }),
    ]);
  });
});
