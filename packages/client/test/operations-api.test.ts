import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Configuration,
  type ConfigurationParameters,
  ConflictError,
  type CreateAuthenticationTokensResponse,
  ForbiddenError,
  InvalidCredentialsError,
  InvalidRequestError,
  InvalidTokenError,
  NotFoundError,
  OperationsApi,
  type OperationsPath,
} from "../src/index.js";
import { expectApiError } from "./support/expect-api-error.js";
import { addUser, PASSWORD } from "./support/provision.js";
import { recordingFetch } from "./support/recording-fetch.js";
import { startTessera, type Tessera } from "./support/tessera.js";

let tessera: Tessera;

beforeAll(async () => {
  tessera = await startTessera();
  addUser(tessera, "root", { admin: true });
  addUser(tessera, "alice");
});
afterAll(async () => {
  await tessera.stop();
});

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

function operationsApi(settings: ConfigurationParameters = {}, path?: OperationsPath) {
  const recorder = recordingFetch();
  const configuration = new Configuration({
    basePath: tessera.url,
    fetch: recorder.fetch,
    ...settings,
  });
  return {
    api: new OperationsApi(configuration, undefined, path),
    configuration,
    exchanges: recorder.exchanges,
  };
}

/** An operations API client for `username`, by Basic credentials. */
const as = (username: string) => operationsApi({ username, password: PASSWORD }).api;

async function tokensOf(username: string): Promise<CreateAuthenticationTokensResponse> {
  const { data } = await operationsApi().api.createAuthenticationTokens({
    username,
    password: PASSWORD,
  });
  return data;
}

describe("OperationsApi: tokens (spec 002)", () => {
  it("createAuthenticationTokens: tokens for the username and password in the body, no Authorization", async () => {
    const { api, exchanges } = operationsApi();
    const { status, data } = await api.createAuthenticationTokens({
      username: "alice",
      password: PASSWORD,
    });

    expect(status).toBe(200);
    expect(data).toEqual({
      operation_token: expect.stringMatching(JWT),
      refresh_token: expect.stringMatching(JWT),
    });
    expect(new URL(exchanges[0]?.url ?? "").pathname).toBe("/");
    expect(JSON.parse(exchanges[0]?.body ?? "")).toEqual({
      operation: "create_authentication_tokens",
      username: "alice",
      password: PASSWORD,
    });
    expect(exchanges[0]?.headers.authorization).toBeUndefined();
  });

  it("createAuthenticationTokens: a wrong password is InvalidCredentialsError with HarperDB's {error}", async () => {
    await expectApiError(
      operationsApi().api.createAuthenticationTokens({ username: "alice", password: "nope nope" }),
      InvalidCredentialsError,
      { code: "invalid_credentials", status: 401, data: { error: "invalid credentials" } },
      ["nope nope"],
    );
  });

  it("refreshOperationToken: a new operation token from the refresh token as Bearer", async () => {
    const tokens = await tokensOf("alice");
    const { api, exchanges } = operationsApi({
      accessToken: (name?: string) => (name === "OperationToken" ? tokens.refresh_token : ""),
    });

    const { data } = await api.refreshOperationToken();

    expect(data).toEqual({ operation_token: expect.stringMatching(JWT) });
    expect(exchanges[0]?.headers.authorization).toBe(`Bearer ${tokens.refresh_token}`);
  });

  it("refreshOperationToken: the refresh token in the body, the caller by Basic", async () => {
    const tokens = await tokensOf("alice");
    const { data } = await as("alice").refreshOperationToken({
      refresh_token: tokens.refresh_token,
    });
    expect(data.operation_token).toMatch(JWT);
  });

  it("refreshOperationToken: anything else as Bearer is InvalidTokenError ('invalid token')", async () => {
    await expectApiError(
      operationsApi({ accessToken: "not.a.token" }).api.refreshOperationToken(),
      InvalidTokenError,
      { code: "invalid_token", status: 401, data: { error: "invalid token" } },
      ["not.a.token"],
    );
  });

  it("revokeAuthenticationTokens and listSessions: the caller's own session ends", async () => {
    const tokens = await tokensOf("alice");
    const { api } = operationsApi({ accessToken: tokens.operation_token });

    const before = await api.listSessions();
    const current = before.data.find((session) => session.current);
    const revoked = await api.revokeAuthenticationTokens();
    const history = await as("alice").listSessions({ include_ended: true });

    expect(current).toMatchObject({ username: "alice", revoked_at: null });
    expect(revoked.data).toEqual({ message: "1 session(s) revoked", sessions_revoked: 1 });
    expect(
      history.data.find((session) => session.session_id === current?.session_id)?.revoked_at,
    ).toEqual(expect.any(Number));
    // HarperDB has no revocation: its clients re-login on "invalid token".
    await expectApiError(api.userInfo(), InvalidTokenError, {
      code: "invalid_token",
      status: 401,
      data: { error: "invalid token" },
    });
  });

  it("listSessions: another user's sessions are ForbiddenError for a user who is not super", async () => {
    await expectApiError(as("alice").listSessions({ username: "root" }), ForbiddenError, {
      code: "forbidden",
      status: 403,
    });
  });

  it("revokeAuthenticationTokens: Basic has no session of its own to end: InvalidRequestError", async () => {
    await expectApiError(as("alice").revokeAuthenticationTokens(), InvalidRequestError, {
      code: "invalid_request",
      status: 400,
    });
  });
});

describe("OperationsApi: users and roles", () => {
  it("userInfo: the caller by its operation token", async () => {
    const tokens = await tokensOf("alice");
    const { data } = await operationsApi({ accessToken: tokens.operation_token }).api.userInfo();
    expect(data).toMatchObject({ username: "alice", active: true });
  });

  it("userInfo: no credentials is InvalidCredentialsError ('Must login')", async () => {
    await expectApiError(operationsApi().api.userInfo(), InvalidCredentialsError, {
      code: "invalid_credentials",
      status: 401,
      data: { error: "Must login" },
    });
  });

  it("addRole, listRoles, alterRole, addUser, listUsers, alterUser, dropUser, dropRole", async () => {
    const root = as("root");

    const role = (await root.addRole({ role: "reader", permission: { super_user: false } })).data;
    expect(role).toMatchObject({ role: "reader", permission: { super_user: false } });
    expect((await root.listRoles()).data.map((r) => r.role)).toContain("reader");
    const altered = await root.alterRole({
      id: role.id,
      permission: { super_user: false, dev: { tables: {} } },
    });
    expect(altered.data.permission).toEqual({ super_user: false, dev: { tables: {} } });

    const added = await root.addUser({
      username: "carol",
      password: PASSWORD,
      role: "reader",
      active: true,
    });
    expect(added.data).toEqual({ message: "carol successfully added" });
    const users = (await root.listUsers()).data;
    expect(users.find((user) => user.username === "carol")?.role?.id).toBe(role.id);
    const alteredUser = await root.alterUser({ username: "carol", active: false });
    expect(alteredUser.data).toMatchObject({
      message: "updated 1 of 1 records",
      update_hashes: ["carol"],
    });

    expect((await root.dropUser({ username: "carol" })).data).toEqual({
      message: "carol successfully deleted",
    });
    expect((await root.dropRole({ id: role.id })).data).toEqual({
      message: "reader successfully deleted",
    });
  });

  it("a user who is not super is ForbiddenError with HarperDB's unauthorized_access", async () => {
    const error = await expectApiError(as("alice").listUsers(), ForbiddenError, {
      code: "forbidden",
      status: 403,
    });
    expect(error.response.data).toMatchObject({
      error: expect.any(String),
      unauthorized_access: [expect.stringContaining("super_user")],
    });
    await expectApiError(as("alice").listRoles(), ForbiddenError, {
      code: "forbidden",
      status: 403,
    });
  });

  it("addUser twice is ConflictError; addRole twice is ConflictError", async () => {
    const root = as("root");
    await root.addRole({ role: "twice", permission: { super_user: false } });
    await expectApiError(
      root.addRole({ role: "twice", permission: { super_user: false } }),
      ConflictError,
      { code: "conflict", status: 409 },
    );
    await root.addUser({ username: "dave", password: PASSWORD, role: "twice", active: true });
    await expectApiError(
      root.addUser({ username: "dave", password: PASSWORD, role: "twice", active: true }),
      ConflictError,
      { code: "conflict", status: 409 },
      [PASSWORD],
    );
  });

  it("alterUser and dropUser of nobody are NotFoundError; alterRole and dropRole of no role too", async () => {
    const root = as("root");
    await expectApiError(root.alterUser({ username: "nobody", active: false }), NotFoundError, {
      code: "not_found",
      status: 404,
    });
    await expectApiError(root.dropUser({ username: "nobody" }), NotFoundError, {
      code: "not_found",
      status: 404,
    });
    // HarperDB answers an unknown role id to alter_role with a 400.
    await expectApiError(
      root.alterRole({ id: "no-such-role", permission: { super_user: false } }),
      InvalidRequestError,
      { code: "invalid_request", status: 400, data: { error: "Invalid role id" } },
    );
    await expectApiError(root.dropRole({ id: "no-such-role" }), NotFoundError, {
      code: "not_found",
      status: 404,
    });
  });
});

describe("OperationsApi.runOperation", () => {
  it("sends any operation by name, at / or at /operations", async () => {
    const { api, exchanges } = operationsApi(
      { username: "root", password: PASSWORD },
      "/operations",
    );
    const { data } = await api.runOperation({ operation: "user_info" });

    expect(data.username).toBe("root");
    expect(new URL(exchanges[0]?.url ?? "").pathname).toBe("/operations");
    expect(exchanges[0]?.headers.authorization).toMatch(/^Basic /);
  });

  it("an operation the server does not know is InvalidRequestError", async () => {
    const unknown = { operation: "describe_all" } as unknown as { operation: "user_info" };
    await expectApiError(as("root").runOperation(unknown), InvalidRequestError, {
      code: "invalid_request",
      status: 400,
      data: { error: "Operation 'describe_all' not found" },
    });
  });
});
