import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, type Harness, PASSWORD, startHarness } from "../../../test/support/harness.js";

const ADMIN = "HDB_ADMIN";
const JSON_TYPE = { "content-type": "application/json" };
const USER_INFO = JSON.stringify({ operation: "user_info" });
const BODY_LIMIT = 64 * 1024;

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ TESSERA_ADMIN_USERNAME: ADMIN, TESSERA_ADMIN_PASSWORD: PASSWORD });
});
afterAll(async () => {
  await h.close();
});

/** A raw POST: the payload is sent exactly as given, with only the headers given. */
function post(
  payload: string,
  headers: Record<string, string> = JSON_TYPE,
  url = "/",
): Promise<LightMyRequestResponse> {
  return h.app.inject({ method: "POST", url, headers, payload });
}

/** As {@link post}, authenticated as the super user. */
function postAsAdmin(
  payload: string,
  headers: Record<string, string> = JSON_TYPE,
): Promise<LightMyRequestResponse> {
  return post(payload, { ...headers, authorization: basic(ADMIN) });
}

function expectError(response: LightMyRequestResponse, status: number, error: string): void {
  expect({ status: response.statusCode, body: response.json() }).toEqual({
    status,
    body: { error },
  });
}

/** A body of exactly `bytes` bytes of JSON naming `user_info`. */
function bodyOfSize(bytes: number): string {
  const empty = JSON.stringify({ operation: "user_info", pad: "" });
  return JSON.stringify({ operation: "user_info", pad: "x".repeat(bytes - empty.length) });
}

describe("200", () => {
  it.each(["/", "/operations"])("serves operations at POST %s", async (url) => {
    const response = await post(USER_INFO, { ...JSON_TYPE, authorization: basic(ADMIN) }, url);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ username: ADMIN, active: true });
  });

  it("accepts application/json with a charset", async () => {
    const response = await postAsAdmin(USER_INFO, {
      "content-type": "application/json; charset=utf-8",
    });
    expect(response.statusCode).toBe(200);
  });

  it("accepts a body just within 64 KiB", async () => {
    const payload = bodyOfSize(BODY_LIMIT);
    expect(Buffer.byteLength(payload)).toBe(BODY_LIMIT);
    expect((await postAsAdmin(payload)).statusCode).toBe(200);
  });
});

describe("400", () => {
  it("refuses unparsable JSON", async () => {
    const response = await postAsAdmin('{"operation":');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: expect.any(String) });
  });

  it.each([
    ["an array", JSON.stringify([{ operation: "user_info" }])],
    ["a string", JSON.stringify("user_info")],
    ["a number", "5"],
  ])("refuses a body that is %s with `Invalid JSON.`", async (_, payload) => {
    expectError(await postAsAdmin(payload), 400, "Invalid JSON.");
  });

  it.each([
    ["no Content-Type", {}],
    ["a JSON Content-Type", JSON_TYPE],
    ["a form Content-Type", { "content-type": "application/x-www-form-urlencoded" }],
  ])("answers an empty body with %s as a request without a body", async (_, headers) => {
    expectError(await postAsAdmin("", headers), 400, "The request body is empty");
  });

  it.each([
    ["an empty object", {}],
    ["other fields only", { username: "alice" }],
  ])("refuses a body without operation (%s)", async (_, body) => {
    expectError(
      await postAsAdmin(JSON.stringify(body)),
      400,
      "Request body must include an 'operation' property.",
    );
  });

  it.each([5, true, {}, ["user_info"]])(
    "refuses the non-string operation %j",
    async (operation) => {
      expectError(
        await postAsAdmin(JSON.stringify({ operation })),
        400,
        "'operation' must be a string",
      );
    },
  );

  it("names an unknown operation to an authenticated caller", async () => {
    expectError(
      await postAsAdmin(JSON.stringify({ operation: "describe_all" })),
      400,
      "Operation 'describe_all' not found",
    );
  });

  it.each([
    ["__proto__", '{"operation":"user_info","__proto__":{"super_user":true}}'],
    ["nested __proto__", '{"operation":"user_info","a":{"__proto__":{"super_user":true}}}'],
  ])("refuses a body holding %s", async (_, payload) => {
    const response = await postAsAdmin(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: expect.any(String) });
  });
});

describe("401", () => {
  it("asks an unauthenticated caller to log in rather than naming an unknown operation", async () => {
    const response = await post(JSON.stringify({ operation: "describe_all" }));
    expectError(response, 401, "Must login");
    expect(response.body).not.toContain("describe_all");
  });
});

describe("413", () => {
  it("refuses a body over 64 KiB", async () => {
    const response = await postAsAdmin(bodyOfSize(BODY_LIMIT + 1));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ error: expect.any(String) });
  });
});

describe("415", () => {
  it("refuses a body without a Content-Type", async () => {
    expectError(
      await post(USER_INFO, { authorization: basic(ADMIN) }),
      415,
      "Content-Type must be application/json",
    );
  });

  it.each(["text/plain", "application/xml", "application/x-www-form-urlencoded"])(
    "refuses Content-Type %s",
    async (contentType) => {
      const response = await postAsAdmin(USER_INFO, { "content-type": contentType });
      expect(response.statusCode).toBe(415);
      expect(response.json()).toEqual({ error: expect.any(String) });
    },
  );
});

describe("every answer", () => {
  const requests: ReadonlyArray<readonly [string, () => Promise<LightMyRequestResponse>]> = [
    ["200", () => postAsAdmin(USER_INFO)],
    ["400 unparsable", () => postAsAdmin('{"operation":')],
    ["400 array", () => postAsAdmin("[]")],
    ["400 non-string operation", () => postAsAdmin('{"operation":5}')],
    ["400 __proto__", () => postAsAdmin('{"operation":"user_info","__proto__":{"a":1}}')],
    ["400 unknown operation", () => postAsAdmin('{"operation":"describe_all"}')],
    ["401", () => post(USER_INFO)],
    ["401 Login failed", () => post(USER_INFO, { ...JSON_TYPE, authorization: "Basic !!!" })],
    ["413", () => postAsAdmin(bodyOfSize(BODY_LIMIT + 1))],
    ["415", () => post(USER_INFO, {})],
  ];

  it.each(requests)("carries Cache-Control: no-store and an X-Request-Id (%s)", async (_, send) => {
    const first = await send();
    const second = await send();
    expect(first.headers["cache-control"]).toBe("no-store");
    expect(first.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers["x-request-id"]).not.toBe(first.headers["x-request-id"]);
  });

  it.each(requests)("is JSON and never leaks a stack trace (%s)", async (_, send) => {
    const response = await send();
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(response.body).not.toMatch(/\n\s+at |\.[jt]s:\d+|node_modules|"stack"/);
    expect(response.body).not.toContain(PASSWORD);
  });
});
