import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  requestsMissingFromLog,
  type ServerProcess,
  startServerProcess,
} from "../support/processes.js";

// The operations API (spec 002) as a HarperDB client or HarperDB Studio
// drives it: Node's own fetch (undici) against a real `tessera serve`.

const ADMIN = "HDB_ADMIN";
const ADMIN_PASSWORD = "hdb admin password ✓ 0123";
const ALICE_PASSWORD = "alice password 4567";
const ALICE_NEW_PASSWORD = "alice new password 8901";
const CAROL_PASSWORD = "carol password 2345";
const ROLE = "developer";
const ROLE_PERMISSION = {
  super_user: false,
  dev: {
    tables: {
      dog: { read: true, insert: true, update: false, delete: false, attribute_permissions: [] },
    },
  },
};
const RESTRICTED_LIST_USERS = {
  error: "This operation is not authorized due to role restrictions and/or invalid database items",
  unauthorized_access: ["Operation 'listUsersExternal' is restricted to 'super_user' roles"],
  invalid_schema_items: [],
};

let dataDir: string;
let server: ServerProcess;
/** Every password sent and token received: none may reach the server's output. */
const secretsSeen: string[] = [ADMIN_PASSWORD, ALICE_PASSWORD, ALICE_NEW_PASSWORD, CAROL_PASSWORD];
/** Every request sent to the server ("METHOD /path"), for the log scan to find. */
const requestsSent: string[] = [];

/** Tokens carried from one step of the flow to the next. */
let adminToken: string;
let aliceTokens: Tokens;
let aliceRefreshedToken: string;

interface Tokens {
  readonly operation_token: string;
  readonly refresh_token: string;
}

interface Answer {
  readonly status: number;
  readonly cacheControl: string | null;
  readonly body: unknown;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tessera-e2e-ops-"));
  server = await startServerProcess({
    TESSERA_DATA_DIR: dataDir,
    TESSERA_MASTER_KEY: randomBytes(32).toString("base64"),
    TESSERA_LOG_LEVEL: "info",
    TESSERA_ADMIN_USERNAME: ADMIN,
    TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

function bearer(token: string): string {
  return `Bearer ${token}`;
}

/** POSTs one operation as JSON, the way HarperDB's clients do. */
async function operation(
  body: Record<string, unknown>,
  authorization?: string,
  path = "/",
): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (authorization !== undefined) {
    headers.authorization = authorization;
  }
  requestsSent.push(`POST ${path}`);
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    cacheControl: response.headers.get("cache-control"),
    body: (await response.json()) as unknown,
  };
}

/** Expects a 200 with both tokens, remembers them as secrets, and returns them. */
function expectTokens(answer: Answer): Tokens {
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({
    operation_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    refresh_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
  });
  const tokens = answer.body as Tokens;
  secretsSeen.push(tokens.operation_token, tokens.refresh_token);
  return tokens;
}

/** Expects a 200 with a new operation token only, remembers it, and returns it. */
function expectOperationToken(answer: Answer): string {
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({
    operation_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
  });
  const token = (answer.body as { operation_token: string }).operation_token;
  secretsSeen.push(token);
  return token;
}

function login(username: string, password: string): Promise<Answer> {
  return operation({ operation: "create_authentication_tokens", username, password });
}

function userInfo(token: string): Promise<Answer> {
  return operation({ operation: "user_info" }, bearer(token));
}

function sessionIdOf(token: string): unknown {
  return decodeJwt(token).sid;
}

const INVALID_TOKEN = { status: 401, body: { error: "invalid token" } };

describe("the operations API against a real server, as a HarperDB client calls it", () => {
  describe("logging in with Basic authentication", () => {
    it("issues tokens for the Basic caller when the body has no credentials", async () => {
      const answer = await operation(
        { operation: "create_authentication_tokens" },
        basic(ADMIN, ADMIN_PASSWORD),
      );
      const tokens = expectTokens(answer);
      expect(answer.cacheControl).toBe("no-store");
      expect(decodeJwt(tokens.operation_token)).toMatchObject({
        username: ADMIN,
        sub: "operation",
      });
      expect(decodeJwt(tokens.refresh_token)).toMatchObject({ username: ADMIN, sub: "refresh" });
    });

    it("issues tokens for the classic body credentials with no Authorization header", async () => {
      adminToken = expectTokens(await login(ADMIN, ADMIN_PASSWORD)).operation_token;
      expect((await userInfo(adminToken)).status).toBe(200);
    });

    it("refuses a wrong Basic password with 401 Login failed and a wrong body password with 401 invalid credentials", async () => {
      const wrongBasic = await operation(
        { operation: "create_authentication_tokens" },
        basic(ADMIN, "not the password"),
      );
      expect(wrongBasic).toMatchObject({ status: 401, body: { error: "Login failed" } });
      expect(wrongBasic.cacheControl).toBe("no-store");
      expect(await login(ADMIN, "not the password")).toMatchObject({
        status: 401,
        body: { error: "invalid credentials" },
      });
    });
  });

  describe("administering users and roles with a Bearer operation token", () => {
    it("tells the admin who they are, with the super_user role and no password", async () => {
      const answer = await userInfo(adminToken);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        username: ADMIN,
        active: true,
        role: {
          id: expect.any(String),
          role: "super_user",
          permission: { super_user: true },
          __createdtime__: expect.any(Number),
          __updatedtime__: expect.any(Number),
        },
        __createdtime__: expect.any(Number),
        __updatedtime__: expect.any(Number),
      });
      expect(JSON.stringify(answer.body)).not.toMatch(/password|hash/i);
    });

    it("adds a non-super role with database and table permissions", async () => {
      const answer = await operation(
        { operation: "add_role", role: ROLE, permission: ROLE_PERMISSION },
        bearer(adminToken),
      );
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        id: expect.any(String),
        role: ROLE,
        permission: ROLE_PERMISSION,
        __createdtime__: expect.any(Number),
        __updatedtime__: expect.any(Number),
      });
    });

    it("adds a user with that role", async () => {
      const answer = await operation(
        {
          operation: "add_user",
          username: "alice",
          password: ALICE_PASSWORD,
          role: ROLE,
          active: true,
        },
        bearer(adminToken),
      );
      expect(answer).toMatchObject({ status: 200, body: { message: "alice successfully added" } });
    });

    it("lists the users by username, each with its role and never a password", async () => {
      const answer = await operation({ operation: "list_users" }, bearer(adminToken));
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual([
        expect.objectContaining({
          username: ADMIN,
          active: true,
          role: expect.objectContaining({ role: "super_user" }),
        }),
        expect.objectContaining({
          username: "alice",
          active: true,
          role: expect.objectContaining({ role: ROLE, permission: ROLE_PERMISSION }),
        }),
      ]);
      expect(JSON.stringify(answer.body)).not.toMatch(/password|hash/i);
    });

    it("lists the roles by name, the new one beside the bootstrap super_user role", async () => {
      const answer = await operation({ operation: "list_roles" }, bearer(adminToken));
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual([
        expect.objectContaining({ role: ROLE, permission: ROLE_PERMISSION }),
        expect.objectContaining({ role: "super_user", permission: { super_user: true } }),
      ]);
    });
  });

  describe("a user without super_user", () => {
    it("logs in, is refused list_users with HarperDB's exact 403, and can call user_info", async () => {
      aliceTokens = expectTokens(await login("alice", ALICE_PASSWORD));
      const refused = await operation(
        { operation: "list_users" },
        bearer(aliceTokens.operation_token),
      );
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual(RESTRICTED_LIST_USERS);

      const info = await userInfo(aliceTokens.operation_token);
      expect(info.status).toBe(200);
      expect(info.body).toMatchObject({
        username: "alice",
        active: true,
        role: { role: ROLE, permission: ROLE_PERMISSION },
      });
    });
  });

  describe("refreshing the operation token", () => {
    it("gives a working operation token for the refresh token sent as Bearer with no body token", async () => {
      const token = expectOperationToken(
        await operation(
          { operation: "refresh_operation_token" },
          bearer(aliceTokens.refresh_token),
        ),
      );
      expect(token).not.toBe(aliceTokens.operation_token);
      expect(decodeJwt(token)).toMatchObject({
        username: "alice",
        super_user: false,
        sub: "operation",
      });
      expect(sessionIdOf(token)).toBe(sessionIdOf(aliceTokens.operation_token));
      expect(await userInfo(token)).toMatchObject({ status: 200, body: { username: "alice" } });
    });

    it("gives a working operation token for the refresh token in the body with Basic authentication", async () => {
      aliceRefreshedToken = expectOperationToken(
        await operation(
          { operation: "refresh_operation_token", refresh_token: aliceTokens.refresh_token },
          basic("alice", ALICE_PASSWORD),
        ),
      );
      expect(await userInfo(aliceRefreshedToken)).toMatchObject({
        status: 200,
        body: { username: "alice" },
      });
    });

    it("refuses the refresh token as a Bearer credential for anything but refresh", async () => {
      expect(await userInfo(aliceTokens.refresh_token)).toMatchObject(INVALID_TOKEN);
    });
  });

  describe("several sessions of one user (HarperDB keeps one refresh token per user)", () => {
    it("gives two concurrent logins two sessions that list_sessions shows", async () => {
      const added = await operation(
        {
          operation: "add_user",
          username: "carol",
          password: CAROL_PASSWORD,
          role: ROLE,
          active: true,
        },
        bearer(adminToken),
      );
      expect(added.status).toBe(200);
      const [firstLogin, secondLogin] = await Promise.all([
        login("carol", CAROL_PASSWORD),
        login("carol", CAROL_PASSWORD),
      ]);
      const first = expectTokens(firstLogin);
      const second = expectTokens(secondLogin);
      expect(sessionIdOf(first.operation_token)).not.toBe(sessionIdOf(second.operation_token));

      const listed = await operation({ operation: "list_sessions" }, bearer(first.operation_token));
      expect(listed.status).toBe(200);
      const sessions = listed.body as Array<Record<string, unknown>>;
      expect(sessions).toHaveLength(2);
      expect(sessions.map((s) => s.session_id).sort()).toEqual(
        [sessionIdOf(first.operation_token), sessionIdOf(second.operation_token)].sort(),
      );
      for (const session of sessions) {
        expect(session).toMatchObject({
          username: "carol",
          client_id: "tessera:operations",
          revoked_at: null,
          current: session.session_id === sessionIdOf(first.operation_token),
        });
      }

      // Logging out of the first session ends it alone.
      const revoked = await operation(
        { operation: "revoke_authentication_tokens" },
        bearer(first.operation_token),
      );
      expect(revoked).toMatchObject({
        status: 200,
        body: { message: "1 session(s) revoked", sessions_revoked: 1 },
      });
      expect(await userInfo(first.operation_token)).toMatchObject(INVALID_TOKEN);
      expect(
        await operation({ operation: "refresh_operation_token" }, bearer(first.refresh_token)),
      ).toMatchObject(INVALID_TOKEN);

      expect(await userInfo(second.operation_token)).toMatchObject({
        status: 200,
        body: { username: "carol" },
      });
      const refreshed = expectOperationToken(
        await operation({ operation: "refresh_operation_token" }, bearer(second.refresh_token)),
      );
      expect((await userInfo(refreshed)).status).toBe(200);
      const after = await operation({ operation: "list_sessions" }, bearer(second.operation_token));
      expect(after.body).toEqual([
        expect.objectContaining({
          session_id: sessionIdOf(second.operation_token),
          current: true,
        }),
      ]);
    });
  });

  describe("changing and dropping a user", () => {
    it("revokes every token of the user at once on a new password; the old password fails", async () => {
      const altered = await operation(
        { operation: "alter_user", username: "alice", password: ALICE_NEW_PASSWORD },
        bearer(adminToken),
      );
      expect(altered).toMatchObject({
        status: 200,
        body: {
          message: "updated 1 of 1 records",
          update_hashes: ["alice"],
          skipped_hashes: [],
        },
      });

      expect(await userInfo(aliceTokens.operation_token)).toMatchObject(INVALID_TOKEN);
      expect(await userInfo(aliceRefreshedToken)).toMatchObject(INVALID_TOKEN);
      expect(
        await operation(
          { operation: "refresh_operation_token" },
          bearer(aliceTokens.refresh_token),
        ),
      ).toMatchObject(INVALID_TOKEN);
      expect(await login("alice", ALICE_PASSWORD)).toMatchObject({
        status: 401,
        body: { error: "invalid credentials" },
      });
      aliceTokens = expectTokens(await login("alice", ALICE_NEW_PASSWORD));
      expect((await userInfo(aliceTokens.operation_token)).status).toBe(200);
    });

    it("refuses the token of a dropped user at once", async () => {
      const dropped = await operation(
        { operation: "drop_user", username: "alice" },
        bearer(adminToken),
      );
      expect(dropped).toMatchObject({
        status: 200,
        body: { message: "alice successfully deleted" },
      });
      expect(await userInfo(aliceTokens.operation_token)).toMatchObject(INVALID_TOKEN);
      expect(await login("alice", ALICE_NEW_PASSWORD)).toMatchObject({
        status: 401,
        body: { error: "invalid credentials" },
      });
    });
  });

  describe("what an independent client sees", () => {
    it("verifies the operation token with jose against the published JWKS", async () => {
      const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(adminToken, jwks, {
        algorithms: ["RS256"],
        issuer: `${server.url}/tenants/default`,
        audience: "tessera:operations",
      });
      expect(protectedHeader).toMatchObject({ alg: "RS256", typ: "JWT" });
      expect(payload).toMatchObject({ username: ADMIN, super_user: true, sub: "operation" });
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(86_400);
    });

    it("answers POST /operations the same as POST /", async () => {
      const atRoot = await userInfo(adminToken);
      const atOperations = await operation(
        { operation: "user_info" },
        bearer(adminToken),
        "/operations",
      );
      expect(atOperations).toEqual(atRoot);
      expect(atOperations.status).toBe(200);

      const tokens = expectTokens(
        await operation(
          { operation: "create_authentication_tokens", username: ADMIN, password: ADMIN_PASSWORD },
          undefined,
          "/operations",
        ),
      );
      expect((await userInfo(tokens.operation_token)).status).toBe(200);
      expect(await operation({ operation: "list_users" }, undefined, "/operations")).toEqual({
        status: 401,
        cacheControl: "no-store",
        body: { error: "Must login" },
      });
    });

    it("never writes a password or a token to its output", async () => {
      // Stopped first: the server writes its log asynchronously, and flushes it as it exits.
      await server.stop();
      const output = server.output();
      // The scan means something only if it reads the lines of every request sent.
      expect(requestsSent.length).toBeGreaterThan(20);
      expect(requestsMissingFromLog(output, requestsSent)).toEqual([]);
      for (const secret of secretsSeen) {
        expect(output).not.toContain(secret);
      }
      expect(output).not.toMatch(/"password"\s*:\s*"(?!\[redacted\]")/);
    });
  });
});
