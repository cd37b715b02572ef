import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  admin,
  clientToken,
  expectAdminProblem,
  otherTenant,
  userToken,
} from "../../../test/support/admin-api.js";
import { type Harness, startHarness } from "../../../test/support/harness.js";
import {
  addClient,
  issueLong,
  issueShort,
  lastAudit,
  postShort,
  type TestClient,
} from "../../../test/support/token-api.js";

interface Token {
  readonly id: string;
  readonly client_id: string;
  readonly type: string;
  readonly parent_id: string | null;
  readonly revoked_at: string | null;
  readonly revoked_reason: string | null;
}

interface Page {
  readonly items: Token[];
  readonly next: string | null;
}

let h: Harness;
let writer: string;
let reader: string;

beforeAll(async () => {
  h = await startHarness();
  writer = await userToken(h, ["admin"]);
  reader = await userToken(h, ["admin:read"]);
});
afterAll(async () => {
  await h.close();
});

const list = (query: string) => admin(h, "GET", `${ADMIN}/automation-tokens?${query}`, reader);

/** A client with a long-term token and a short-term token of it, a second apart. */
async function clientWithTokens(): Promise<{
  client: TestClient;
  long: { token: string; token_id: string };
  short: { token_id: string };
}> {
  const client = await addClient(h);
  const long = await issueLong(h, client);
  h.clock.advance(1000);
  const short = await issueShort(h, long.token);
  h.clock.advance(1000);
  return { client, long, short };
}

describe("admin automation tokens: 2xx", () => {
  it("lists a client's live tokens newest first, by its id or name, a page at a time", async () => {
    const { client, long, short } = await clientWithTokens();
    await clientWithTokens();
    const byId = await list(`client_id=${client.id}`);
    expect(byId.statusCode, byId.body).toBe(200);
    expect(byId.json<Page>()).toMatchObject({
      items: [
        { id: short.token_id, type: "short_term", parent_id: long.token_id },
        { id: long.token_id, type: "long_term", parent_id: null, client_id: client.id },
      ],
      next: null,
    });
    expect(byId.body).not.toContain(long.token);
    expect((await list(`client_id=${client.name}`)).json()).toEqual(byId.json());

    const first = await list(`client_id=${client.id}&limit=1`);
    const page = first.json<Page>();
    expect(page.items.map((t) => t.id)).toEqual([short.token_id]);
    const second = await list(`client_id=${client.id}&limit=1&cursor=${page.next}`);
    expect(second.json()).toMatchObject({ items: [{ id: long.token_id }], next: null });

    const everyone = (await list("limit=200")).json<Page>();
    expect(new Set(everyone.items.map((t) => t.client_id)).size).toBeGreaterThan(1);
  });

  it("revokes a long-term token with its short-term tokens, saying which, idempotently, audited", async () => {
    const { client, long, short } = await clientWithTokens();
    const revoked = await admin(h, "DELETE", `${ADMIN}/automation-tokens/${long.token_id}`, writer);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json<{ revoked_token_ids: string[] }>().revoked_token_ids.sort()).toEqual(
      [long.token_id, short.token_id].sort(),
    );
    expect((await postShort(h, long.token)).statusCode).toBe(401);
    expect((await list(`client_id=${client.id}`)).json()).toEqual({ items: [], next: null });
    const ended = (await list(`client_id=${client.id}&include_ended=true`)).json<Page>();
    expect(ended.items.map((t) => [t.id, t.revoked_reason])).toEqual([
      [short.token_id, "revoked_by_operator"],
      [long.token_id, "revoked_by_operator"],
    ]);
    expect(await lastAudit(h, "token.revoked")).toMatchObject({ actorUserId: expect.any(String) });
    const again = await admin(h, "DELETE", `${ADMIN}/automation-tokens/${long.token_id}`, writer);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ revoked_token_ids: [] });
  });
});

describe("admin automation tokens: 400", () => {
  it("refuses a bad flag, limit, cursor or id", async () => {
    for (const query of [
      "include_ended=maybe",
      "limit=0",
      "limit=201",
      "cursor=garbage",
      "cursor=e30",
      "client_id=a%07b",
      "unknown=1",
    ]) {
      expectAdminProblem(await list(query), 400, "invalid_request");
    }
    expectAdminProblem(
      await admin(h, "DELETE", `${ADMIN}/automation-tokens/lt_%E2%80%AE`, writer),
      400,
      "invalid_request",
    );
  });
});

describe("admin automation tokens: 401, 403", () => {
  it("answers 401 without a token, and refuses the token API's own tokens", async () => {
    const { long } = await clientWithTokens();
    for (const token of [undefined, long.token]) {
      expectAdminProblem(
        await admin(h, "GET", `${ADMIN}/automation-tokens`, token),
        401,
        "invalid_token",
      );
      expectAdminProblem(
        await admin(h, "DELETE", `${ADMIN}/automation-tokens/${long.token_id}`, token),
        401,
        "invalid_token",
      );
    }
  });

  it("refuses a revocation with read access only, and another tenant's admin", async () => {
    const { long } = await clientWithTokens();
    const url = `${ADMIN}/automation-tokens/${long.token_id}`;
    expectAdminProblem(await admin(h, "DELETE", url, reader), 403, "insufficient_scope");
    const theirs = await clientToken(h, ["admin:write"], await otherTenant(h));
    expectAdminProblem(await admin(h, "DELETE", url, theirs.token), 403, "forbidden");
    // A client with admin:write but fewer scopes than the token's client.
    const weaker = await clientToken(h, ["admin:write"]);
    expectAdminProblem(await admin(h, "DELETE", url, weaker.token), 403, "forbidden");
    expect((await postShort(h, long.token)).statusCode).toBe(201);
  });
});

describe("admin automation tokens: 404", () => {
  it("answers 404 for an unknown token or client, and for another tenant's token", async () => {
    expectAdminProblem(
      await admin(h, "DELETE", `${ADMIN}/automation-tokens/lt_nope`, writer),
      404,
      "not_found",
    );
    expectAdminProblem(await list("client_id=no-such-client"), 404, "not_found");
    const { long } = await clientWithTokens();
    const tenant = await otherTenant(h);
    expectAdminProblem(
      await admin(
        h,
        "DELETE",
        `/admin/v1/tenants/${tenant}/automation-tokens/${long.token_id}`,
        writer,
      ),
      404,
      "not_found",
    );
    expect((await postShort(h, long.token)).statusCode).toBe(201);
  });
});
