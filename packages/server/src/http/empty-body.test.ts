import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, type Harness, PASSWORD, startHarness } from "../../test/support/harness.js";
import { listenOnLoopback, sendRaw } from "../../test/support/raw-http.js";
import {
  addClient,
  issueLong,
  type LongTokenBody,
  type TestClient,
} from "../../test/support/token-api.js";

/**
 * A request whose body is empty is a request without a body, whatever its
 * Content-Type: axios (and so clients generated with it) sends
 * `Content-Type: application/x-www-form-urlencoded` with `Content-Length: 0`
 * on a POST without data. Every route answers it as it answers no body.
 */

const ADMIN = "HDB_ADMIN";
const CONTENT_TYPES = [
  "application/x-www-form-urlencoded",
  "text/plain",
  "application/octet-stream",
  "application/json",
  "application/json; charset=utf-8",
  "multipart/form-data; boundary=x",
];

let h: Harness;
let client: TestClient;
let keeper: LongTokenBody;
let target: LongTokenBody;

beforeAll(async () => {
  h = await startHarness({ TESSERA_ADMIN_USERNAME: ADMIN, TESSERA_ADMIN_PASSWORD: PASSWORD });
  client = await addClient(h);
  keeper = await issueLong(h, client);
  target = await issueLong(h, client);
});
afterAll(async () => {
  await h.close();
});

interface Route {
  readonly method: "POST" | "DELETE";
  readonly url: () => string;
  readonly headers: () => Record<string, string>;
  /** What the route answers without a body. */
  readonly expected: (response: LightMyRequestResponse) => void;
}

const ROUTES: Record<string, Route> = {
  "token API revoke (204)": {
    method: "POST",
    url: () => `/auth/tokens/${target.token_id}/revoke`,
    headers: () => ({ authorization: `Bearer ${keeper.token}` }),
    expected: (response) => {
      expect(response.statusCode, response.body).toBe(204);
      expect(response.body).toBe("");
    },
  },
  "token API short-term exchange (201)": {
    method: "POST",
    url: () => "/auth/tokens/short",
    headers: () => ({ authorization: `Bearer ${keeper.token}` }),
    expected: (response) => {
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    },
  },
  "token API long-term token (400: no step-up)": {
    method: "POST",
    url: () => "/auth/tokens/long",
    headers: () => ({ "x-api-key": h.apiKey }),
    expected: (response) => {
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toMatchObject({ code: "invalid_request" });
    },
  },
  "session API login (400)": {
    method: "POST",
    url: () => "/auth/token",
    headers: () => ({ "x-api-key": h.apiKey }),
    expected: (response) => {
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toEqual({
        status: "error",
        message: "username and password, or session.refreshToken, are required",
      });
    },
  },
  "session API login by Basic (200)": {
    method: "POST",
    url: () => "/auth/token",
    headers: () => ({ "x-api-key": h.apiKey, authorization: basic(ADMIN) }),
    expected: (response) => {
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ username: ADMIN });
    },
  },
  "session API logout (400)": {
    method: "DELETE",
    url: () => "/auth/token",
    headers: () => ({ "x-api-key": h.apiKey }),
    expected: (response) => {
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toEqual({
        status: "error",
        message: "session.refreshToken or session.accessToken is required",
      });
    },
  },
  "operations API (400)": {
    method: "POST",
    url: () => "/",
    headers: () => ({ authorization: basic(ADMIN) }),
    expected: (response) => {
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toEqual({ error: "The request body is empty" });
    },
  },
};

const cases = Object.keys(ROUTES).flatMap((route) =>
  [undefined, ...CONTENT_TYPES].map((contentType) => [route, contentType] as const),
);

describe("an empty body is no body (app.inject)", () => {
  it.each(cases)("%s, Content-Type %s", async (name, contentType) => {
    const route = ROUTES[name];
    if (route === undefined) {
      throw new Error(`no route ${name}`);
    }
    const response = await h.app.inject({
      method: route.method,
      url: route.url(),
      headers: {
        ...route.headers(),
        ...(contentType === undefined ? {} : { "content-type": contentType }),
        "content-length": "0",
      },
      payload: "",
    });
    route.expected(response);
  });
});

describe("a body that is not empty keeps its Content-Type rule", () => {
  it.each([
    ["/auth/tokens/short", "text/plain", "ttl_seconds=60"],
    ["/auth/tokens/short", "application/x-www-form-urlencoded", "ttl_seconds=60"],
    ["/auth/token", "application/octet-stream", "\u0000"],
    ["/", "application/x-www-form-urlencoded", "operation=user_info"],
  ])("refuses %s with %s and a body (415)", async (url, contentType, payload) => {
    const response = await h.app.inject({
      method: "POST",
      url,
      headers: {
        "content-type": contentType,
        authorization: `Bearer ${keeper.token}`,
        "x-api-key": h.apiKey,
      },
      payload,
    });
    expect(response.statusCode, response.body).toBe(415);
  });

  it("refuses a body without a Content-Type (415)", async () => {
    const response = await h.app.inject({
      method: "POST",
      url: "/",
      headers: { authorization: basic(ADMIN) },
      payload: '{"operation":"user_info"}',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual({ error: "Content-Type must be application/json" });
  });
});

describe("on the wire", () => {
  let port: number;
  beforeAll(async () => {
    port = await listenOnLoopback(h.app);
  });

  it("revokes with exactly what axios sends on a POST without data (fetch)", async () => {
    const victim = await issueLong(h, client);
    const response = await fetch(`http://127.0.0.1:${port}/auth/tokens/${victim.token_id}/revoke`, {
      method: "POST",
      headers: {
        accept: "application/json, text/plain, */*",
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Bearer ${keeper.token}`,
      },
      body: "",
    });
    expect(response.status).toBe(204);
    const listed = await fetch(`http://127.0.0.1:${port}/auth/tokens/short`, {
      method: "POST",
      headers: { authorization: `Bearer ${victim.token}` },
    });
    expect(listed.status).toBe(401);
  });

  it.each([
    ["text/plain", "POST", `/auth/tokens/TARGET/revoke`, 204],
    ["application/x-www-form-urlencoded", "POST", "/auth/tokens/short", 201],
    ["application/octet-stream", "POST", "/", 400],
    ["application/json", "POST", "/auth/token", 400],
    [undefined, "POST", "/auth/tokens/short", 201],
  ])(
    "treats an empty chunked body with Content-Type %s as none (%s %s)",
    async (contentType, method, path, status) => {
      const url = path.replace("TARGET", target.token_id);
      const text = [
        `${method} ${url} HTTP/1.1`,
        "Host: 127.0.0.1",
        "Connection: close",
        "Transfer-Encoding: chunked",
        `Authorization: ${url === "/" ? basic(ADMIN) : `Bearer ${keeper.token}`}`,
        `X-API-Key: ${h.apiKey}`,
        ...(contentType === undefined ? [] : [`Content-Type: ${contentType}`]),
        "",
        "0",
        "",
        "",
      ].join("\r\n");
      const response = await sendRaw(port, text, { halfClose: false });
      expect(response.status, response.body).toBe(status);
    },
  );
});
