/**
 * The token API (spec 004) and session API (spec 001) flows through
 * `openapi-fetch`, typed by what `openapi-typescript` generates from
 * `/openapi.json`. The models are the document's components by name and
 * the operations by operationId, so a rename fails the suite's `tsc` run.
 */

import createClient from "openapi-fetch";
import { expect } from "vitest";
import type { components, operations, paths } from "../.generated/openapi-typescript/schema.js";
import {
  expectLongTokenAnswer,
  expectProblemAnswer,
  expectSessionAnswer,
  expectSessionErrorAnswer,
  expectShortTokenAnswer,
} from "../support/flow-expectations.js";
import type {
  GeneratedClientFlows,
  SessionApiTarget,
  TokenApiTarget,
} from "../support/generated-flow.js";

type Schemas = components["schemas"];
type LongTokenRequest = Schemas["LongTokenRequest"];
type LongTokenResponse = Schemas["LongTokenResponse"];
type ShortTokenRequest = Schemas["ShortTokenRequest"];
type ShortTokenResponse = Schemas["ShortTokenResponse"];
type TokenList = Schemas["TokenList"];
type Problem = Schemas["Problem"];
type SessionTokenRequest = Schemas["SessionTokenRequest"];
type SessionTokenResponse = Schemas["SessionTokenResponse"];
type SessionRevoked = Schemas["SessionRevoked"];
type SessionError = Schemas["SessionError"];
/** The documented response header of a new long-term token (spec 004). */
type TokenIdHeader = operations["issueLongTermToken"]["responses"][201]["headers"]["X-Token-Id"];
type ListTokensQuery = NonNullable<operations["listTokens"]["parameters"]["query"]>;

/** `openapi-fetch` leaves security schemes to the caller: the headers are set by hand. */
function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/** A data-or-error answer's data, failing the flow with the error body otherwise. */
function dataOf<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`answered ${result.response.status}: ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

async function tokenApi(target: TokenApiTarget): Promise<void> {
  const client = createClient<paths>({ baseUrl: target.baseUrl });
  const apiKey = { "X-API-Key": target.apiKey };
  const request: LongTokenRequest = {
    grant_type: "client_credentials",
    client_id: target.clientId,
    client_secret: target.clientSecret,
    name: "generated-openapi-fetch",
  };
  const issued = await client.POST("/auth/tokens/long", { body: request, headers: apiKey });
  const long: LongTokenResponse = dataOf(issued);
  expectLongTokenAnswer(issued.response, long);
  const tokenIdHeader: TokenIdHeader = issued.response.headers.get("X-Token-Id") ?? undefined;
  expect(tokenIdHeader).toBe(long.token_id);

  const plain = await client.POST("/auth/tokens/short", { headers: bearer(long.token) });
  const short: ShortTokenResponse = dataOf(plain);
  expectShortTokenAnswer(plain.response, short);

  const narrowing: ShortTokenRequest = { ttl_seconds: 120, scopes: ["tokens:write"] };
  const narrowed = await client.POST("/auth/tokens/short", {
    body: narrowing,
    headers: bearer(long.token),
  });
  const brief: ShortTokenResponse = dataOf(narrowed);
  expectShortTokenAnswer(narrowed.response, brief);
  expect(brief.expires_in).toBeLessThanOrEqual(120);

  const newestTwo: ListTokensQuery = { limit: 2 };
  const listed = await client.GET("/auth/tokens", {
    params: { query: newestTwo },
    headers: bearer(short.access_token),
  });
  const list: TokenList = dataOf(listed);
  expect(list.tokens.map((token) => token.token_id)).toEqual([brief.token_id, short.token_id]);

  const revoked = await client.POST("/auth/tokens/{tokenId}/revoke", {
    params: { path: { tokenId: brief.token_id } },
    headers: bearer(long.token),
  });
  expect(revoked.response.status).toBe(204);
  expect(revoked.error).toBeUndefined();
  const ended = await client.GET("/auth/tokens", {
    params: { query: { include_ended: true, limit: 10 } },
    headers: bearer(long.token),
  });
  const revokedSummary = dataOf(ended).tokens.find((token) => token.token_id === brief.token_id);
  expect(revokedSummary?.revoked_at).toEqual(expect.any(String));

  const refused = await client.POST("/auth/tokens/long", {
    body: { ...request, client_secret: "tsr_cs_not-the-secret" },
    headers: apiKey,
  });
  expectProblemAnswer(refused.response, 401);
  const problem: Problem | undefined = refused.error;
  expect(problem?.code).toBe("invalid_client");
  expect(problem?.status).toBe(401);
  expect(refused.data).toBeUndefined();
}

async function sessionApi(target: SessionApiTarget): Promise<void> {
  const client = createClient<paths>({ baseUrl: target.baseUrl });
  const apiKey = { "X-API-Key": target.apiKey };
  const credentials: SessionTokenRequest = {
    username: target.username,
    password: target.password,
  };
  const login = await client.POST("/auth/token", { body: credentials, headers: apiKey });
  const session: SessionTokenResponse = dataOf(login);
  expectSessionAnswer(login.response, session, target.username);

  const basic = Buffer.from(`${target.username}:${target.password}`).toString("base64");
  const withBasic = await client.POST("/auth/token", {
    headers: { ...apiKey, Authorization: `Basic ${basic}` },
  });
  expectSessionAnswer(withBasic.response, dataOf(withBasic), target.username);

  const refresh: SessionTokenRequest = { session: { refreshToken: session.session.refreshToken } };
  const refreshed = await client.POST("/auth/token", { body: refresh, headers: apiKey });
  const renewed: SessionTokenResponse = dataOf(refreshed);
  expectSessionAnswer(refreshed.response, renewed, target.username);
  expect(renewed.session.accessToken).not.toBe(session.session.accessToken);

  const loggedOut = await client.DELETE("/auth/token", {
    body: { session: { refreshToken: renewed.session.refreshToken } },
    headers: apiKey,
  });
  const revoked: SessionRevoked = dataOf(loggedOut);
  expect(loggedOut.response.status).toBe(200);
  expect(revoked.status).toBe("success");

  const afterLogout = await client.POST("/auth/token", { body: refresh, headers: apiKey });
  expectSessionErrorAnswer(afterLogout.response, 401);

  const refused = await client.POST("/auth/token", {
    body: { ...credentials, password: "not the password" },
    headers: apiKey,
  });
  expectSessionErrorAnswer(refused.response, 401);
  const failure: SessionError | undefined = refused.error;
  expect(failure).toEqual({ status: "error", message: expect.any(String) });
}

/** The flows through `openapi-fetch` with the `openapi-typescript` types. */
export const flows: GeneratedClientFlows = { tokenApi, sessionApi };
