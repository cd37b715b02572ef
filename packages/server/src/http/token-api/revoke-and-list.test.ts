import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../../test/support/harness.js";
import {
  addClient,
  auditOf,
  expectProblem,
  ISSUER,
  issueLong,
  issueShort,
  listTokens,
  postShort,
  revokeToken,
  type TestClient,
  withoutInstance,
} from "../../../test/support/token-api.js";
import { hashSecret } from "../../core/opaque-token.js";

interface ListedToken {
  readonly token_id: string;
  readonly token_type: "long_term" | "short_term";
  readonly name: string;
  readonly prefix: string | null;
  readonly scopes: string[];
  readonly audience: string | null;
  readonly parent_token_id: string | null;
  readonly created_at: string;
  readonly last_used_at: string | null;
  readonly expires_at: string;
  readonly revoked_at: string | null;
  readonly replaced_by_token_id: string | null;
}

async function listed(h: Harness, token: string, query = ""): Promise<ListedToken[]> {
  const response = await listTokens(h, token, query);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ tokens: ListedToken[] }>().tokens;
}

describe("POST /auth/tokens/{tokenId}/revoke: 204", () => {
  let h: Harness;
  let client: TestClient;
  beforeAll(async () => {
    h = await startHarness();
    client = await addClient(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it("revokes a long-term token with an empty body, and again idempotently", async () => {
    const keeper = await issueLong(h, client);
    const target = await issueLong(h, client);
    const first = await revokeToken(h, keeper.token, target.token_id);
    expect(first.statusCode).toBe(204);
    expect(first.body).toBe("");
    expectProblem(await postShort(h, target.token), 401, "token_revoked");

    const again = await revokeToken(h, keeper.token, target.token_id);
    expect(again.statusCode).toBe(204);
    expect(again.body).toBe("");
    const events = (await auditOf(h, "token.revoked")).filter(
      (event) => event.detail.tokenId === target.token_id,
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.detail).toMatchObject({ clientId: client.id, byTokenId: keeper.token_id });
  });

  it("lets a token revoke itself", async () => {
    const self = await issueLong(h, client);
    expect((await revokeToken(h, self.token, self.token_id)).statusCode).toBe(204);
    expectProblem(await postShort(h, self.token), 401, "token_revoked");
  });

  it("revoking a long-term token ends its short-term tokens at once", async () => {
    const keeper = await issueLong(h, client);
    const parent = await issueLong(h, client);
    const child = await issueShort(h, parent.token);
    expect((await listTokens(h, child.access_token)).statusCode).toBe(200);
    expect((await revokeToken(h, keeper.token, parent.token_id)).statusCode).toBe(204);
    expectProblem(await listTokens(h, child.access_token), 401, "token_revoked");
  });

  it("revoking a short-term token leaves its parent and siblings working", async () => {
    const parent = await issueLong(h, client);
    const child = await issueShort(h, parent.token);
    const sibling = await issueShort(h, parent.token);
    expect((await revokeToken(h, parent.token, child.token_id)).statusCode).toBe(204);
    expectProblem(await listTokens(h, child.access_token), 401, "token_revoked");
    expect((await listTokens(h, sibling.access_token)).statusCode).toBe(200);
    expect((await postShort(h, parent.token)).statusCode).toBe(201);
  });

  it("accepts a short-term token of the same client as the credential", async () => {
    const holder = await issueLong(h, client);
    const short = await issueShort(h, holder.token, { scopes: ["deploy:read"] });
    const target = await issueLong(h, client);
    expect((await revokeToken(h, short.access_token, target.token_id)).statusCode).toBe(204);
    expectProblem(await postShort(h, target.token), 401, "token_revoked");
  });

  it("lets a token with tokens:admin revoke another client's token", async () => {
    const admin = await issueLong(h, await addClient(h, { scopes: ["tokens:admin"] }));
    const victim = await issueLong(h, client);
    expect((await revokeToken(h, admin.token, victim.token_id)).statusCode).toBe(204);
    expectProblem(await postShort(h, victim.token), 401, "token_revoked");
  });
});

describe("POST /auth/tokens/{tokenId}/revoke: 401 and 404", () => {
  let h: Harness;
  let client: TestClient;
  beforeAll(async () => {
    h = await startHarness();
    client = await addClient(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it("401: needs a live Bearer token", async () => {
    const target = await issueLong(h, client);
    expectProblem(await revokeToken(h, undefined, target.token_id), 401, "invalid_token");
    expectProblem(await revokeToken(h, "tsr_lt_garbage", target.token_id), 401, "invalid_token");
    expect((await postShort(h, target.token)).statusCode).toBe(201);
  });

  it("404: answers an unknown id and another client's token identically, and revokes nothing", async () => {
    const mine = await issueLong(h, client);
    const theirs = await issueLong(h, await addClient(h));
    const foreign = expectProblem(
      await revokeToken(h, mine.token, theirs.token_id),
      404,
      "not_found",
    );
    const unknown = expectProblem(
      await revokeToken(h, mine.token, "lt_AAAAAAAAAAAAAAAAAAAAAA"),
      404,
      "not_found",
    );
    expect(withoutInstance(foreign)).toEqual(withoutInstance(unknown));
    expect((await postShort(h, theirs.token)).statusCode).toBe(201);
  });

  it("404: a short-term token of another client is no more visible", async () => {
    const mine = await issueLong(h, client);
    const theirs = await issueLong(h, await addClient(h));
    const theirShort = await issueShort(h, theirs.token);
    expectProblem(await revokeToken(h, mine.token, theirShort.token_id), 404, "not_found");
    expect((await listTokens(h, theirShort.access_token)).statusCode).toBe(200);
  });
});

describe("GET /auth/tokens: 200", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("lists the client's tokens newest first, with every field and no secret", async () => {
    const client = await addClient(h);
    const older = await issueLong(h, client, { name: "older", scopes: ["deploy:read"] });
    h.clock.advance(1000);
    const newer = await issueLong(h, client, { name: "newer" });
    h.clock.advance(1000);
    const short = await issueShort(h, newer.token, { scopes: ["deploy:read"] });
    await issueLong(h, await addClient(h));

    const response = await listTokens(h, newer.token);
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");
    const tokens = response.json<{ tokens: ListedToken[] }>().tokens;
    expect(tokens.map((t) => t.token_id)).toEqual([short.token_id, newer.token_id, older.token_id]);
    expect(tokens[2]).toEqual({
      token_id: older.token_id,
      token_type: "long_term",
      name: "older",
      prefix: older.token.slice(0, 12),
      scopes: ["deploy:read"],
      audience: null,
      parent_token_id: null,
      created_at: new Date(h.clock.now() - 2000).toISOString(),
      last_used_at: null,
      expires_at: older.expires_at,
      revoked_at: null,
      replaced_by_token_id: null,
    });
    expect(tokens[0]).toMatchObject({
      token_type: "short_term",
      prefix: null,
      scopes: ["deploy:read"],
      audience: ISSUER,
      parent_token_id: newer.token_id,
    });
    for (const secret of [older.token, newer.token, short.access_token]) {
      expect(response.body).not.toContain(secret);
    }
    for (const hash of [hashSecret(older.token), hashSecret(newer.token)]) {
      expect(response.body).not.toContain(hash);
    }
    for (const match of response.body.matchAll(/tsr_lt_[0-9A-Za-z]*/g)) {
      expect(match[0].length).toBeLessThanOrEqual(12);
    }
  });

  it("sets last_used_at once a token is used", async () => {
    const client = await addClient(h);
    const watcher = await issueLong(h, client);
    const used = await issueLong(h, client);
    const before = (await listed(h, watcher.token)).find((t) => t.token_id === used.token_id);
    expect(before?.last_used_at).toBeNull();
    h.clock.advance(5000);
    await issueShort(h, used.token);
    const after = (await listed(h, watcher.token)).find((t) => t.token_id === used.token_id);
    expect(after?.last_used_at).toBe(new Date(h.clock.now()).toISOString());
  });

  it("leaves out ended tokens unless include_ended=true", async () => {
    const client = await addClient(h);
    const keeper = await issueLong(h, client);
    const ended = await issueLong(h, client);
    expect((await revokeToken(h, keeper.token, ended.token_id)).statusCode).toBe(204);
    const rotated = await issueLong(h, client);
    const successor = await issueLong(h, client, { rotate_token_id: rotated.token_id });

    const live = (await listed(h, keeper.token)).map((t) => t.token_id);
    expect(live).not.toContain(ended.token_id);
    expect(live).toContain(rotated.token_id);
    expect((await listed(h, keeper.token, "include_ended=false")).map((t) => t.token_id)).toEqual(
      live,
    );

    const all = await listed(h, keeper.token, "include_ended=true");
    expect(all.find((t) => t.token_id === ended.token_id)).toMatchObject({
      revoked_at: new Date(h.clock.now()).toISOString(),
    });
    expect(all.find((t) => t.token_id === rotated.token_id)).toMatchObject({
      replaced_by_token_id: successor.token_id,
      revoked_at: new Date(h.clock.now() + 900_000).toISOString(),
    });
  });

  it("takes a limit, and a short-term token as the credential", async () => {
    const client = await addClient(h);
    const long = await issueLong(h, client);
    await issueLong(h, client);
    await issueLong(h, client);
    const short = await issueShort(h, long.token);
    expect(await listed(h, short.access_token, "limit=2")).toHaveLength(2);
    expect(await listed(h, short.access_token, "limit=500")).toHaveLength(4);
    expect(await listed(h, short.access_token)).toHaveLength(4);
  });
});

describe("GET /auth/tokens: 400 and 401", () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await startHarness();
    token = (await issueLong(h, await addClient(h))).token;
  });
  afterAll(async () => {
    await h.close();
  });

  it.each(["limit=0", "limit=501", "limit=ten", "include_ended=yes", "all=true"])(
    "400: refuses %s",
    async (query) => {
      expectProblem(await listTokens(h, token, query), 400, "invalid_request");
    },
  );

  it("401: needs a Bearer token", async () => {
    expectProblem(await listTokens(h, undefined), 401, "invalid_token");
  });

  it("401 on every store: a forged short-term token whose jti holds a NUL is an invalid token", async () => {
    const header = (await issueShort(h, token)).access_token.split(".")[0];
    const claims = { iss: ISSUER, token_use: "automation", jti: "st_\u0000a" };
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.AAAA`;
    const problem = expectProblem(await listTokens(h, forged), 401, "invalid_token");
    const garbage = expectProblem(await listTokens(h, "tsr_lt_garbage"), 401, "invalid_token");
    expect(withoutInstance(problem)).toEqual(withoutInstance(garbage));
    expectProblem(await revokeToken(h, forged, "st_a"), 401, "invalid_token");
  });
});
