import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, type Harness, PASSWORD, startHarness } from "../../test/support/harness.js";
import { addClient, issueLong, type LongTokenBody } from "../../test/support/token-api.js";

/**
 * An error message that names what the caller sent (`Operation '…' not
 * found`, `User … does not exist`, an unknown field) shows at most the first
 * 64 characters of it, with control, bidirectional and other invisible
 * characters written as `\uXXXX`: a message printed by a client can neither
 * rewrite the terminal nor reorder what is around it, and cannot be made
 * arbitrarily long.
 */

const ADMIN = "HDB_ADMIN";
/** Erases the line, reverses the text after it, and then runs on for 500 characters. */
const HOSTILE = `\u001b[2K\u202eevil\u0085\u200b\u2028${"x".repeat(500)}`;
/**
 * A name the identifier rule lets through (visible text) but far too long to
 * echo whole: usernames, role and database names refuse control and
 * bidirectional characters before any message could name them
 * (identifiers.md), so what is left to do there is bounding.
 */
const LONG_NAME = `caf\u00e9-${"x".repeat(500)}`;
/** Anything a terminal or a text renderer would act on rather than print. */
const INVISIBLE = /[\p{C}\p{Zl}\p{Zp}]/u;

let h: Harness;
let long: LongTokenBody;

beforeAll(async () => {
  h = await startHarness({ TESSERA_ADMIN_USERNAME: ADMIN, TESSERA_ADMIN_PASSWORD: PASSWORD });
  await h.addUser("alice");
  long = await issueLong(h, await addClient(h), { scopes: ["tokens:write"] });
});
afterAll(async () => {
  await h.close();
});

function messageOf(response: LightMyRequestResponse): string {
  const body = response.json<{ message?: string; error?: string; detail?: string }>();
  const message = body.message ?? body.error ?? body.detail;
  if (message === undefined) {
    throw new Error(`no message in ${response.body}`);
  }
  return message;
}

/** The message names the input escaped and cut, and nothing invisible remains. */
function expectBoundedEcho(message: string, shape: RegExp): void {
  expect(message).toMatch(shape);
  expect(message).not.toMatch(INVISIBLE);
  expect(message).toContain("\\x1b[2K\\u{202e}evil\\x85\\u{200b}\\u{2028}");
  expect(message).toContain("x…");
  expect(message).not.toContain("x".repeat(64));
}

/** The message names the long input cut to its first 64 characters. */
function expectBoundedName(message: string, shape: RegExp): void {
  expect(message).toMatch(shape);
  expect(message).toContain(`caf\u00e9-${"x".repeat(59)}…`);
  expect(message).not.toContain("x".repeat(60));
}

const admin = basic(ADMIN);

describe("operations API", () => {
  it.each<[string, () => Promise<LightMyRequestResponse>, number, RegExp]>([
    [
      "an unknown operation",
      () => h.operation({ operation: HOSTILE }, admin),
      400,
      /^Operation '.+' not found$/,
    ],
  ])("bounds and escapes %s", async (_, send, status, shape) => {
    const response = await send();
    expect(response.statusCode, response.body).toBe(status);
    expectBoundedEcho(messageOf(response), shape);
  });

  it.each<[string, () => Promise<LightMyRequestResponse>, number, RegExp]>([
    [
      "drop_user of an unknown user",
      () => h.operation({ operation: "drop_user", username: LONG_NAME }, admin),
      404,
      /^User .+ does not exist$/,
    ],
    [
      "alter_user of an unknown user",
      () => h.operation({ operation: "alter_user", username: LONG_NAME, active: true }, admin),
      404,
      /^User .+ does not exist$/,
    ],
    [
      "alter_user to an unknown role",
      () => h.operation({ operation: "alter_user", username: "alice", role: LONG_NAME }, admin),
      404,
      /^Update failed. {2}Requested '.+' role not found\.$/,
    ],
    [
      "add_user with an unknown role",
      () =>
        h.operation(
          {
            operation: "add_user",
            username: "carol",
            password: PASSWORD,
            role: LONG_NAME,
            active: true,
          },
          admin,
        ),
      404,
      /^.+ role not found$/,
    ],
    [
      "list_sessions of an unknown user",
      () => h.operation({ operation: "list_sessions", username: LONG_NAME }, admin),
      404,
      /^User .+ does not exist$/,
    ],
    [
      "revoke_authentication_tokens of an unknown user",
      () => h.operation({ operation: "revoke_authentication_tokens", username: LONG_NAME }, admin),
      404,
      /^User .+ does not exist$/,
    ],
    [
      "add_role with a database that is not an object",
      () =>
        h.operation(
          { operation: "add_role", role: "echo-test", permission: { [LONG_NAME]: true } },
          admin,
        ),
      400,
      /^'.+' must be an object with a 'tables' object$/,
    ],
  ])("bounds %s", async (_, send, status, shape) => {
    const response = await send();
    expect(response.statusCode, response.body).toBe(status);
    expectBoundedName(messageOf(response), shape);
  });
});

describe("token API", () => {
  it("bounds and escapes an unknown field's name", async () => {
    const response = await h.app.inject({
      method: "POST",
      url: "/auth/tokens/short",
      headers: { authorization: `Bearer ${long.token}`, "content-type": "application/json" },
      payload: JSON.stringify({ [HOSTILE]: 1 }),
    });
    expect(response.statusCode, response.body).toBe(400);
    expectBoundedEcho(messageOf(response), /^.+ is not allowed$/);
  });

  it("escapes a token id it cannot find", async () => {
    const id = "\u001b[2K\u202eevil";
    const response = await h.app.inject({
      method: "POST",
      url: `/auth/tokens/${encodeURIComponent(id)}/revoke`,
      headers: { authorization: `Bearer ${long.token}` },
    });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(messageOf(response)).not.toMatch(INVISIBLE);
  });
});

describe("unknown routes", () => {
  it("bound the path they name", async () => {
    const response = await h.app.inject({ method: "GET", url: `/${"y".repeat(5000)}` });
    expect(response.statusCode).toBe(404);
    expect(messageOf(response)).toBe(`No route for GET /${"y".repeat(63)}…`);
  });
});
