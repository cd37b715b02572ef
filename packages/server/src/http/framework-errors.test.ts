import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, type Harness, startHarness } from "../../test/support/harness.js";
import { listenOnLoopback, type RawResponse, sendRaw } from "../../test/support/raw-http.js";

/**
 * Requests that fail before any route runs (a path segment past the router's
 * limit, a URL that cannot be decoded, a body shorter than its
 * Content-Length, headers past Node's 16 KiB, bytes that are not HTTP) are
 * sent over raw sockets to a listening server: `app.inject` cannot produce
 * most of them. Each answer must be in the shape of the dialect its path
 * belongs to, carry a request id, and echo nothing of the request.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LONG_ID = "a".repeat(5000);
const BIG_HEADER = `X-Padding: ${"p".repeat(17 * 1024)}`;

type Dialect = "session" | "operations" | "token";

let h: Harness;
let port: number;

beforeAll(async () => {
  h = await startHarness();
  port = await listenOnLoopback(h.app);
});
afterAll(async () => {
  await h.close();
});

function request(head: string, headers: readonly string[] = [], body = ""): string {
  return [head, "Host: 127.0.0.1", ...headers, "", body].join("\r\n");
}

/** Checks the status, the dialect's exact body shape, the request id and the security headers. */
function expectAnswer(
  response: RawResponse,
  dialect: Dialect,
  status: number,
  message: string,
): void {
  expect(response.status, response.raw.slice(0, 300)).toBe(status);
  const requestId = response.headers["x-request-id"];
  expect(requestId).toMatch(UUID);
  expect(response.headers["x-content-type-options"]).toBe("nosniff");
  expect(response.headers["x-frame-options"]).toBe("DENY");
  expect(response.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(response.headers["cache-control"]).toBe("no-store");
  const body: unknown = JSON.parse(response.body);
  if (dialect === "session") {
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(body).toEqual({ status: "error", message });
  } else if (dialect === "operations") {
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(body).toEqual({ error: message });
  } else {
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(body).toEqual({
      type: expect.stringMatching(/^urn:tessera:problem:/),
      title: expect.any(String),
      status,
      detail: message,
      code: expect.any(String),
      instance: `urn:uuid:${requestId}`,
    });
  }
}

describe("a path segment longer than the router takes", () => {
  it("answers a 5,000-character tenant id in the session API's shape, without echoing it", async () => {
    const response = await sendRaw(
      port,
      request(`GET /tenants/${LONG_ID}/.well-known/jwks.json HTTP/1.1`, ["Connection: close"]),
    );
    expectAnswer(response, "session", 414, "A segment of the request path is too long");
    expect(response.raw).not.toContain("aaaaaaaaaa");
  });

  it("answers a 5,000-character token id as a token API problem", async () => {
    const response = await sendRaw(
      port,
      request(`POST /auth/tokens/${LONG_ID}/revoke HTTP/1.1`, [
        "Connection: close",
        "Content-Length: 0",
      ]),
    );
    expectAnswer(response, "token", 414, "A segment of the request path is too long");
    expect(JSON.parse(response.body)).toMatchObject({ code: "uri_too_long" });
    expect(response.raw).not.toContain("aaaaaaaaaa");
  });
});

describe("a URL that cannot be decoded", () => {
  it("answers GET /% in the session API's shape", async () => {
    const response = await sendRaw(port, request("GET /% HTTP/1.1", ["Connection: close"]));
    expectAnswer(response, "session", 400, "The request URL is not valid");
    expect(response.body).not.toContain("%");
  });

  it("answers a token id that cannot be decoded as a token API problem", async () => {
    const response = await sendRaw(
      port,
      request("POST /auth/tokens/%zz%ff/revoke HTTP/1.1", [
        "Connection: close",
        "Content-Length: 0",
      ]),
    );
    expectAnswer(response, "token", 400, "The request URL is not valid");
    expect(response.body).not.toContain("%zz");
  });
});

describe("a body shorter than its Content-Length", () => {
  const SHORT = ["Content-Type: application/json", "Content-Length: 50"];
  const MESSAGE = "The request body does not match its Content-Length";

  it.each<[string, Dialect, string[]]>([
    ["POST /auth/token", "session", ["X-API-Key: tsr_ak_unused"]],
    ["POST /", "operations", [`Authorization: ${basic("nobody")}`]],
    ["POST /operations", "operations", []],
    ["POST /auth/tokens/long", "token", []],
    ["POST /auth/tokens/short", "token", ["Authorization: Bearer tsr_lt_unused"]],
  ])("answers %s in its dialect's shape", async (head, dialect, headers) => {
    const response = await sendRaw(
      port,
      request(`${head} HTTP/1.1`, [...SHORT, ...headers], '{"secret":"do-not-echo"'),
    );
    expectAnswer(response, dialect, 400, MESSAGE);
    expect(response.headers.connection).toBe("close");
    expect(response.raw).not.toContain("do-not-echo");
  });
});

describe("headers over Node's 16 KiB limit", () => {
  it.each<[string, Dialect]>([
    ["GET /healthz", "session"],
    ["GET /nothing", "session"],
    ["POST /auth/token", "session"],
    ["POST /", "operations"],
    ["POST /auth/tokens/short", "token"],
    ["GET /auth/tokens?limit=5", "token"],
  ])("answers %s with 431 in its dialect's shape", async (head, dialect) => {
    const response = await sendRaw(port, request(`${head} HTTP/1.1`, [BIG_HEADER]));
    expectAnswer(response, dialect, 431, "The request headers are too large");
    expect(response.headers.connection).toBe("close");
    expect(response.raw).not.toContain("ppppppppppppppp");
  });
});

describe("bytes that are not an HTTP request", () => {
  it.each([
    ["an unknown method", "HELLO /nothing HTTP/1.1\r\n\r\n"],
    ["bytes that are not HTTP at all", "\u0016\u0003\u0001\u0000\u00a5\u0001\r\n\r\n"],
    ["a control character in the URL", "GET /auth/token\u0007 HTTP/1.1\r\nHost: x\r\n\r\n"],
    ["a space in a header name", "GET /healthz HTTP/1.1\r\nBad Header: y\r\n\r\n"],
  ])("answers %s with 400 in the session API's shape", async (_, text) => {
    const response = await sendRaw(port, text);
    expectAnswer(response, "session", 400, "The request is malformed");
    expect(response.headers.connection).toBe("close");
  });

  it("answers an unknown method on the operations API's path in its shape", async () => {
    const response = await sendRaw(port, "HELLO / HTTP/1.1\r\n\r\n");
    expectAnswer(response, "operations", 400, "The request is malformed");
  });

  it("answers a malformed token API request as a problem", async () => {
    const response = await sendRaw(
      port,
      "POST /auth/tokens/short HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
    );
    expectAnswer(response, "token", 400, "The request is malformed");
  });
});

describe("an HTTP/1.1 request without Host", () => {
  it.each<[string, Dialect]>([
    ["GET /healthz", "session"],
    ["POST /", "operations"],
    ["GET /auth/tokens", "token"],
  ])("answers %s with 400 in its dialect's shape, not Node's bare 400", async (head, dialect) => {
    const response = await sendRaw(port, `${head} HTTP/1.1\r\nConnection: close\r\n\r\n`);
    expectAnswer(response, dialect, 400, "The Host header is required");
  });
});

describe("unknown routes", () => {
  it.each<[string, Dialect, string]>([
    ["GET /nothing", "session", "No route for GET /nothing"],
    ["GET /", "operations", "No route for GET /"],
    ["DELETE /operations", "operations", "No route for DELETE /operations"],
    ["GET /auth/tokens/long", "token", "No route for GET /auth/tokens/long"],
  ])("answers %s in its dialect's shape", async (head, dialect, message) => {
    const response = await sendRaw(port, request(`${head} HTTP/1.1`, ["Connection: close"]));
    expectAnswer(response, dialect, 404, message);
  });
});

describe("a body sent to an unknown route", () => {
  it.each<[string, string, Dialect]>([
    ["application/json", "{not json", "token"],
    ["text/plain", "hello", "token"],
    ["application/json", "{not json", "session"],
  ])("is not read: %s %j answers the 404", async (contentType, body, dialect) => {
    const path = dialect === "token" ? "/auth/tokens/nothing" : "/nothing";
    const response = await sendRaw(
      port,
      request(
        `POST ${path} HTTP/1.1`,
        ["Connection: close", `Content-Type: ${contentType}`, `Content-Length: ${body.length}`],
        body,
      ),
      { halfClose: false },
    );
    expectAnswer(response, dialect, 404, `No route for POST ${path}`);
  });
});

describe("after all of these", () => {
  it("still serves", async () => {
    const response = await sendRaw(port, request("GET /healthz HTTP/1.1", ["Connection: close"]));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: "ok" });
  });
});
