import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, PASSWORD, startHarness } from "../../../test/support/harness.js";
import { type AuthenticatedClient, authenticateApiKey, createApiKey } from "../api-keys.js";
import type { RefreshPolicy } from "../model/index.js";
import { createTenant } from "../tenants.js";
import { requireToken } from "../tokens/registry.js";
import { addUser } from "../users.js";
import { loginWithPassword } from "./login.js";
import { refreshSession } from "./refresh.js";

/*
 * The refresh state machine's edges, to the millisecond, with the
 * ManualClock. refresh.model.test.ts explores random runs around the same
 * rules; these pin the instants at which they turn.
 */

const GRACE_S = 5;
const REFRESH_TTL_S = 300;
const IP = "192.0.2.20";

let h: Harness;
const clients = new Map<RefreshPolicy, AuthenticatedClient>();
beforeAll(async () => {
  h = await startHarness();
  for (const policy of ["none", "rotate"] as const) {
    const tenant = await createTenant(h.runtime.ctx, {
      id: `edges-${policy}`,
      refreshPolicy: policy,
      refreshGraceSeconds: GRACE_S,
      refreshTokenTtlSeconds: REFRESH_TTL_S,
    });
    await addUser(h.runtime.ctx, { tenantId: tenant.id, username: "edge", password: PASSWORD });
    const { key } = await createApiKey(h.runtime.ctx, { tenantId: tenant.id });
    clients.set(policy, await authenticateApiKey(h.runtime.ctx, key));
  }
});
afterAll(async () => {
  await h?.close();
});

function clientOf(policy: RefreshPolicy): AuthenticatedClient {
  const client = clients.get(policy);
  if (client === undefined) {
    throw new Error(`no client for ${policy}`);
  }
  return client;
}

async function login(policy: RefreshPolicy) {
  const client = clientOf(policy);
  const ctx = h.runtime.ctx;
  const tokens = await loginWithPassword(ctx, {
    client,
    username: "edge",
    password: PASSWORD,
    ip: IP,
  });
  const refresh = (refreshToken: string) => refreshSession(ctx, { client, refreshToken, ip: IP });
  const use = (accessToken: string) =>
    requireToken(ctx, accessToken, {
      kinds: ["access_token"],
      tenantId: client.tenant.id,
      audience: client.clientId,
    });
  return { tokens, refresh, use };
}

describe("refreshSession under policy rotate", () => {
  it("replays the successor pair to the last millisecond of the grace window, and revokes the family one millisecond later", async () => {
    const { tokens, refresh, use } = await login("rotate");
    const rotated = await refresh(tokens.refreshToken);
    expect(rotated.refreshToken).not.toBe(tokens.refreshToken);

    h.clock.advance(GRACE_S * 1000);
    const replayed = await refresh(tokens.refreshToken);
    expect(replayed).toMatchObject({
      refreshToken: rotated.refreshToken,
      accessToken: rotated.accessToken,
      idToken: rotated.idToken,
    });

    h.clock.advance(1);
    await expect(refresh(tokens.refreshToken)).rejects.toMatchObject({ code: "token_revoked" });
    // The whole family ends: the successor and its access token are refused at once.
    await expect(refresh(rotated.refreshToken)).rejects.toMatchObject({ code: "token_revoked" });
    await expect(use(rotated.accessToken)).rejects.toMatchObject({ code: "token_revoked" });
    expect(await h.runtime.store.sessions.get(tokens.session.id)).toMatchObject({
      revokedAt: h.clock.now(),
      revokedReason: "refresh_token_reuse",
    });
  });

  it("gives two refreshes at once one successor, and rotates it exactly once", async () => {
    const { tokens, refresh } = await login("rotate");
    const [a, b] = await Promise.all([refresh(tokens.refreshToken), refresh(tokens.refreshToken)]);
    expect(b.refreshToken).toBe(a.refreshToken);
    expect(b.accessToken).toBe(a.accessToken);
    const next = await refresh(a.refreshToken);
    expect(next.refreshToken).not.toBe(a.refreshToken);
  });
});

describe("refreshSession under policy none", () => {
  it("keeps one refresh token working to the session's last millisecond, and not after", async () => {
    const { tokens, refresh } = await login("none");
    const end = tokens.session.expiresAt;
    expect(end).toBe(h.clock.now() + REFRESH_TTL_S * 1000);

    h.clock.set(end - 1);
    const last = await refresh(tokens.refreshToken);
    expect(last.refreshToken).toBe(tokens.refreshToken);
    expect(last.accessToken).not.toBe(tokens.accessToken);

    h.clock.set(end);
    await expect(refresh(tokens.refreshToken)).rejects.toMatchObject({ code: "token_expired" });
  });
});
