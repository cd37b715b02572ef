import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  admin,
  clientToken,
  expectAdminProblem,
  otherTenant,
  unique,
  userToken,
} from "../../../test/support/admin-api.js";
import { type Harness, PASSWORD, startHarness, TENANT } from "../../../test/support/harness.js";

interface Event {
  readonly id: number;
  readonly type: string;
  readonly actor_user_id: string | null;
  readonly actor_client_id: string | null;
  readonly subject_user_id: string | null;
  readonly ip: string | null;
  readonly detail: Record<string, unknown>;
}

interface Page {
  readonly items: Event[];
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

async function search(query: string): Promise<Page> {
  const response = await admin(h, "GET", `${ADMIN}/audit-events?${query}`, reader);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Page>();
}

describe("admin audit events: every write names its actor and ip", () => {
  it("records a client's change with the client as actor and the request's ip, and never a secret", async () => {
    const bot = await clientToken(h, ["admin:write"]);
    const created = await admin(h, "POST", `${ADMIN}/users`, bot.token, {
      username: unique("audited"),
      password: PASSWORD,
    });
    const user = created.json<{ id: string }>();
    const page = await search(`type=user.created&user_id=${user.id}`);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      type: "user.created",
      actor_user_id: null,
      actor_client_id: bot.clientId,
      subject_user_id: user.id,
      ip: "127.0.0.1",
    });
    expect(JSON.stringify(page)).not.toContain(PASSWORD);
  });

  it("records a user's changes to tenants, roles, keys and sessions with the user and ip", async () => {
    const me = (await h.runtime.ctx.store.audit.list(TENANT, { limit: 1 })).at(-1)?.id ?? 0;
    await admin(h, "PATCH", "/admin/v1/tenants/default", writer, { refresh_grace_seconds: 7 });
    await admin(h, "POST", `${ADMIN}/roles`, writer, { name: unique("role") });
    await admin(h, "POST", `${ADMIN}/signing-keys/rotate`, writer);
    const events = (await search("limit=20")).items.filter((e) => e.id > me);
    const types = events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(["tenant.updated", "role.created", "signing_key.rotated"]),
    );
    for (const event of events) {
      expect(event.actor_user_id, event.type).toEqual(expect.any(String));
      expect(event.ip, event.type).toBe("127.0.0.1");
    }
  });
});

describe("admin audit events: search and export", () => {
  it("filters by type prefix and time, pages with a cursor, and exports every match as NDJSON", async () => {
    for (let i = 0; i < 3; i++) {
      await admin(h, "POST", `${ADMIN}/users`, writer, {
        username: unique("paged"),
        password: PASSWORD,
      });
    }
    const first = await search("type=user.&limit=2");
    expect(first.items).toHaveLength(2);
    expect(first.items.every((e) => e.type.startsWith("user."))).toBe(true);
    expect(first.next).toEqual(expect.any(String));
    const second = await search(`type=user.&limit=2&cursor=${first.next}`);
    expect(second.items[0]?.id).toBeLessThan(first.items[1]?.id ?? 0);

    const future = await search(`from=${new Date(h.clock.now() + 86_400_000).toISOString()}`);
    expect(future).toEqual({ items: [], next: null });

    const exported = await admin(
      h,
      "GET",
      `${ADMIN}/audit-events/export?type=user.created`,
      reader,
    );
    expect(exported.statusCode, exported.body).toBe(200);
    expect(exported.headers["content-type"]).toMatch(/^application\/x-ndjson/);
    const lines = exported.body
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Event);
    const all = await search("type=user.created&limit=200");
    expect(lines.map((e) => e.id)).toEqual(all.items.map((e) => e.id));
  });

  it("refuses bad filters before answering (400), in the export too", async () => {
    for (const query of [
      "type=no.such",
      "from=yesterday",
      "ip=not-an-ip",
      "limit=0",
      "cursor=zzz",
      "to=1&from=2",
    ]) {
      expectAdminProblem(
        await admin(h, "GET", `${ADMIN}/audit-events?${query}`, reader),
        400,
        "invalid_request",
      );
    }
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/audit-events/export?from=yesterday`, reader),
      400,
      "invalid_request",
    );
  });

  it("needs a token (401) and keeps a tenant's admin to its own trail (403)", async () => {
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/audit-events`, undefined),
      401,
      "invalid_token",
    );
    const tenant = await otherTenant(h);
    const theirs = await clientToken(h, ["admin:read"], tenant);
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/audit-events`, theirs.token),
      403,
      "forbidden",
    );
    expectAdminProblem(
      await admin(h, "GET", `${ADMIN}/audit-events/export`, theirs.token),
      403,
      "forbidden",
    );
    expect(
      (await admin(h, "GET", `/admin/v1/tenants/${tenant}/audit-events`, theirs.token)).statusCode,
    ).toBe(200);
  });
});
