import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, type Harness, PASSWORD, startHarness } from "../../test/support/harness.js";
import { addClient, issueLong, type LongTokenBody } from "../../test/support/token-api.js";

/**
 * Every answer, whatever its dialect, status or route, tells a browser not
 * to sniff its type, not to frame it, not to run or load anything from it,
 * and not to send its URL on as a referrer.
 */

const ADMIN = "HDB_ADMIN";

let h: Harness;
let long: LongTokenBody;

beforeAll(async () => {
  h = await startHarness({ TESSERA_ADMIN_USERNAME: ADMIN, TESSERA_ADMIN_PASSWORD: PASSWORD });
  await h.addUser("alice");
  long = await issueLong(h, await addClient(h));
});
afterAll(async () => {
  await h.close();
});

const json = { "content-type": "application/json" };

const ANSWERS: ReadonlyArray<readonly [string, () => Promise<LightMyRequestResponse>]> = [
  ["session API 200", () => h.login("alice")],
  ["session API 401", () => h.login("alice", "wrong password")],
  ["session API 400", () => h.send("POST", "/auth/token", [])],
  ["session API 413", () => h.send("POST", "/auth/token", { username: "a".repeat(70_000) })],
  [
    "session API 415",
    () =>
      h.app.inject({
        method: "POST",
        url: "/auth/token",
        headers: { "content-type": "text/plain", "x-api-key": h.apiKey },
        payload: "x",
      }),
  ],
  ["impersonate 401", () => h.send("POST", "/auth/impersonate", { username: "alice" })],
  ["operations API 200", () => h.operation({ operation: "user_info" }, basic(ADMIN))],
  ["operations API 400", () => h.operation({ operation: "nope" }, basic(ADMIN))],
  ["operations API 401", () => h.operation({ operation: "user_info" })],
  ["operations API 403", () => h.operation({ operation: "list_users" }, basic("alice"))],
  [
    "token API 201",
    () =>
      h.app.inject({
        method: "POST",
        url: "/auth/tokens/short",
        headers: { authorization: `Bearer ${long.token}` },
      }),
  ],
  [
    "token API 200",
    () =>
      h.app.inject({
        method: "GET",
        url: "/auth/tokens",
        headers: { authorization: `Bearer ${long.token}` },
      }),
  ],
  [
    "token API 401",
    () => h.app.inject({ method: "POST", url: "/auth/tokens/short", headers: json, payload: "{}" }),
  ],
  ["JWKS 200", () => h.app.inject({ method: "GET", url: "/.well-known/jwks.json" })],
  [
    "tenant JWKS 404",
    () => h.app.inject({ method: "GET", url: "/tenants/nope/.well-known/jwks.json" }),
  ],
  ["healthz 200", () => h.app.inject({ method: "GET", url: "/healthz" })],
  ["readyz 200", () => h.app.inject({ method: "GET", url: "/readyz" })],
  ["openapi.json 200", () => h.app.inject({ method: "GET", url: "/openapi.json" })],
  ["unknown route 404", () => h.app.inject({ method: "GET", url: "/nothing" })],
  ["unknown method 404", () => h.app.inject({ method: "PUT", url: "/auth/token" })],
];

describe("security headers", () => {
  it.each(ANSWERS)("are on every answer (%s)", async (_, send) => {
    const response = await send();
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(response.headers["x-frame-options"]).toBe("DENY");
    expect(response.headers["content-security-policy"]).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(response.headers["referrer-policy"]).toBe("no-referrer");
    expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keep a token-bearing answer out of every cache", async () => {
    for (const response of [
      await h.login("alice"),
      await h.operation({
        operation: "create_authentication_tokens",
        username: "alice",
        password: PASSWORD,
      }),
      await h.app.inject({
        method: "POST",
        url: "/auth/tokens/short",
        headers: { authorization: `Bearer ${long.token}` },
      }),
    ]) {
      expect(response.statusCode).toBeLessThan(300);
      expect(response.headers["cache-control"]).toBe("no-store");
      expect(response.headers.pragma).toBe("no-cache");
    }
  });
});
