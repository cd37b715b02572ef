/**
 * The token API (spec 004) and session API (spec 001) flows through the
 * SDK that `@hey-api/openapi-ts` generates from `/openapi.json`, called as
 * generated. Every request and answer is typed with the generated names
 * (the document's component names), so renaming a component or an
 * operation fails the suite's `tsc` run before any request is sent.
 */

import { expect } from "vitest";
import { type Auth, createClient, createConfig } from "../.generated/hey-api/client/index.js";
import {
  type ClientOptions,
  createToken,
  issueLongTermToken,
  issueShortTermToken,
  type LongTokenRequest,
  type LongTokenResponse,
  listTokens,
  type Problem,
  revokeSessionToken,
  revokeToken,
  type SessionError,
  type SessionRevoked,
  type SessionTokenRequest,
  type SessionTokenResponse,
  type ShortTokenRequest,
  type ShortTokenResponse,
  type TokenList,
  type TokenSummary,
} from "../.generated/hey-api/index.js";
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

function clientFor(target: { readonly baseUrl: string }) {
  return createClient(createConfig<ClientOptions>({ baseUrl: target.baseUrl }));
}

/** The generated SDK asks for each security scheme of an operation: answer only `X-API-Key`. */
function apiKeyOnly(target: { readonly apiKey: string }) {
  return (auth: Auth) => (auth.type === "apiKey" ? target.apiKey : undefined);
}

/** Answers the operation's `http` scheme (bearer or basic) with `credential`. */
function httpScheme(credential: string) {
  return (auth: Auth) => (auth.type === "http" ? credential : undefined);
}

async function tokenApi(target: TokenApiTarget): Promise<void> {
  const client = clientFor(target);
  const request: LongTokenRequest = {
    grant_type: "client_credentials",
    client_id: target.clientId,
    client_secret: target.clientSecret,
    name: "generated-hey-api",
  };
  const issued = await issueLongTermToken({
    client,
    body: request,
    auth: apiKeyOnly(target),
    throwOnError: true,
  });
  const long: LongTokenResponse = issued.data;
  expectLongTokenAnswer(issued.response, long);

  const plain = await issueShortTermToken({
    client,
    auth: httpScheme(long.token),
    throwOnError: true,
  });
  expect(plain.request.headers.has("Content-Type")).toBe(false);
  const short: ShortTokenResponse = plain.data;
  expectShortTokenAnswer(plain.response, short);

  const narrowing: ShortTokenRequest = { ttl_seconds: 120, scopes: ["tokens:write"] };
  const narrowed = await issueShortTermToken({
    client,
    body: narrowing,
    auth: httpScheme(long.token),
    throwOnError: true,
  });
  const brief: ShortTokenResponse = narrowed.data;
  expectShortTokenAnswer(narrowed.response, brief);
  expect(brief.expires_in).toBeLessThanOrEqual(120);

  const listed = await listTokens({
    client,
    query: { limit: 2 },
    auth: httpScheme(short.access_token),
    throwOnError: true,
  });
  const list: TokenList = listed.data;
  const newest: TokenSummary[] = list.tokens;
  expect(newest.map((token) => token.token_id)).toEqual([brief.token_id, short.token_id]);

  const revoked = await revokeToken({
    client,
    path: { tokenId: brief.token_id },
    auth: httpScheme(long.token),
    throwOnError: true,
  });
  expect(revoked.response.status).toBe(204);
  const ended = await listTokens({
    client,
    query: { include_ended: true, limit: 10 },
    auth: httpScheme(long.token),
    throwOnError: true,
  });
  const revokedSummary = ended.data.tokens.find((token) => token.token_id === brief.token_id);
  expect(revokedSummary?.revoked_at).toEqual(expect.any(String));

  const refused = await issueLongTermToken({
    client,
    body: { ...request, client_secret: "tsr_cs_not-the-secret" },
    auth: apiKeyOnly(target),
  });
  expectProblemAnswer(refused.response, 401);
  const problem: Problem | undefined = refused.error;
  expect(problem?.code).toBe("invalid_client");
  expect(problem?.status).toBe(401);
  expect(refused.data).toBeUndefined();
}

async function sessionApi(target: SessionApiTarget): Promise<void> {
  const client = clientFor(target);
  const credentials: SessionTokenRequest = {
    username: target.username,
    password: target.password,
  };
  const login = await createToken({
    client,
    body: credentials,
    auth: apiKeyOnly(target),
    throwOnError: true,
  });
  const session: SessionTokenResponse = login.data;
  expectSessionAnswer(login.response, session, target.username);

  const basic = await createToken({
    client,
    auth: (auth: Auth) =>
      auth.type === "apiKey"
        ? target.apiKey
        : auth.scheme === "basic"
          ? `${target.username}:${target.password}`
          : undefined,
    throwOnError: true,
  });
  expect(basic.request.headers.get("Authorization")).toMatch(/^Basic /);
  expect(basic.request.headers.has("Content-Type")).toBe(false);
  expectSessionAnswer(basic.response, basic.data, target.username);

  const refresh: SessionTokenRequest = { session: { refreshToken: session.session.refreshToken } };
  const refreshed = await createToken({
    client,
    body: refresh,
    auth: apiKeyOnly(target),
    throwOnError: true,
  });
  const renewed: SessionTokenResponse = refreshed.data;
  expectSessionAnswer(refreshed.response, renewed, target.username);
  expect(renewed.session.accessToken).not.toBe(session.session.accessToken);

  const loggedOut = await revokeSessionToken({
    client,
    body: { session: { refreshToken: renewed.session.refreshToken } },
    auth: apiKeyOnly(target),
    throwOnError: true,
  });
  const revoked: SessionRevoked = loggedOut.data;
  expect(loggedOut.response.status).toBe(200);
  expect(revoked.status).toBe("success");

  const afterLogout = await createToken({ client, body: refresh, auth: apiKeyOnly(target) });
  expectSessionErrorAnswer(afterLogout.response, 401);

  const refused = await createToken({
    client,
    body: { ...credentials, password: "not the password" },
    auth: apiKeyOnly(target),
  });
  expectSessionErrorAnswer(refused.response, 401);
  const failure: SessionError | undefined = refused.error;
  expect(failure).toEqual({ status: "error", message: expect.any(String) });
}

/** The flows through the `@hey-api/openapi-ts` SDK. */
export const flows: GeneratedClientFlows = { tokenApi, sessionApi };
