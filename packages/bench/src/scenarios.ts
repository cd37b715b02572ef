import { BENCH_ADMIN, BENCH_USER, type Deployment, type Provisioned } from "./deployment.js";
import { field, requestJson } from "./http.js";
import type { LoadPlan, LoadRequest } from "./load.js";
import { OAUTH_SCENARIOS } from "./oauth-scenarios.js";
import { poolSize, roundRobin, sessionLogins } from "./pools.js";

/** The scenarios, in the order they run and are reported. */
export const SCENARIO_IDS = [
  "session-login",
  "session-refresh-none",
  "session-refresh-rotate",
  "operations-create-tokens",
  "operations-refresh",
  "token-api-short",
  "oauth-client-credentials",
  "oauth-introspect-session",
  "oauth-introspect-client",
  "oauth-token-exchange",
  "jwks",
] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/** What a scenario prepares against: a running server and the deployment behind it. */
export interface Target {
  readonly url: string;
  readonly deployment: Deployment;
  readonly provisioned: Provisioned;
}

/** One token path under load. */
export interface Scenario {
  readonly id: ScenarioId;
  readonly title: string;
  /**
   * Makes what one run at `concurrency` needs (sessions, tokens) through the
   * server's own API; called anew for each run.
   */
  prepare(target: Target, concurrency: number): Promise<LoadPlan>;
}

const json = { "content-type": "application/json" };

export const SCENARIOS: readonly Scenario[] = [
  {
    id: "session-login",
    title: "session API: new token (password)",
    prepare: async ({ deployment, provisioned }) => {
      const headers = { ...json, "x-api-key": provisioned.apiKey };
      return {
        method: "POST",
        path: "/auth/token",
        headers,
        body: JSON.stringify({ username: BENCH_USER, password: deployment.password }),
        request: fromManyAddresses(headers),
      };
    },
  },
  {
    id: "session-refresh-none",
    title: "session API: refresh (policy none)",
    prepare: async (target, concurrency) => {
      const tokens = await sessionRefreshTokens(target, target.provisioned.apiKey, concurrency);
      return {
        method: "POST",
        path: "/auth/token",
        headers: { ...json, "x-api-key": target.provisioned.apiKey },
        request: roundRobin(tokens, (token) => ({
          body: JSON.stringify({ session: { refreshToken: token } }),
        })),
      };
    },
  },
  {
    id: "session-refresh-rotate",
    title: "session API: refresh (policy rotate)",
    prepare: async (target, concurrency) => {
      const apiKey = target.provisioned.rotatingApiKey;
      const tokens = await sessionRefreshTokens(target, apiKey, concurrency);
      return {
        method: "POST",
        path: "/auth/token",
        headers: { ...json, "x-api-key": apiKey },
        request: rotatingPool(tokens),
      };
    },
  },
  {
    id: "operations-create-tokens",
    title: "operations API: create_authentication_tokens",
    prepare: async ({ deployment }) => ({
      method: "POST",
      path: "/",
      headers: json,
      body: JSON.stringify({
        operation: "create_authentication_tokens",
        username: BENCH_ADMIN,
        password: deployment.adminPassword,
      }),
      request: fromManyAddresses(json),
    }),
  },
  {
    id: "operations-refresh",
    title: "operations API: refresh_operation_token",
    prepare: async ({ url, deployment }, concurrency) => {
      const tokens: string[] = [];
      for (let i = 0; i < poolSize(concurrency); i++) {
        const answer = await requestJson(url, "/", {
          body: {
            operation: "create_authentication_tokens",
            username: BENCH_ADMIN,
            password: deployment.adminPassword,
          },
        });
        tokens.push(field(answer, "refresh_token"));
      }
      return {
        method: "POST",
        path: "/",
        headers: json,
        body: JSON.stringify({ operation: "refresh_operation_token" }),
        request: roundRobin(tokens, (token) => ({
          headers: { ...json, authorization: `Bearer ${token}` },
        })),
      };
    },
  },
  {
    id: "token-api-short",
    title: "token API: short-term token exchange",
    prepare: async ({ url, provisioned }) => {
      const tokens: string[] = [];
      // Long-term tokens are few per client in real use: a handful serve every connection.
      for (let i = 0; i < 8; i++) {
        const answer = await requestJson(url, "/auth/tokens/long", {
          headers: { "x-api-key": provisioned.apiKey },
          body: {
            grant_type: "client_credentials",
            client_id: provisioned.clientId,
            client_secret: provisioned.clientSecret,
            name: `bench-${i}`,
          },
          expect: 201,
        });
        tokens.push(field(answer, "token"));
      }
      return {
        method: "POST",
        path: "/auth/tokens/short",
        request: roundRobin(tokens, (token) => ({
          headers: { authorization: `Bearer ${token}` },
        })),
      };
    },
  },
  ...OAUTH_SCENARIOS,
  {
    id: "jwks",
    title: "JWKS",
    prepare: async () => ({ method: "GET", path: "/.well-known/jwks.json" }),
  },
];

/** Logs the bench user in for a run at `concurrency` and returns the refresh tokens. */
export async function sessionRefreshTokens(
  target: Target,
  apiKey: string,
  concurrency: number,
): Promise<string[]> {
  const sessions = await sessionLogins(target, apiKey, concurrency);
  return sessions.map((session) => session.refreshToken);
}

/**
 * Password logins, each from its own address: the server joins identical
 * credentials from one address while a check of them runs, so logins from
 * one address would measure one hash for many answers, not a hash each.
 */
function fromManyAddresses(headers: Record<string, string>): LoadRequest {
  const addresses = Array.from({ length: 4096 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.1`);
  return roundRobin(addresses, (address) => ({
    headers: { ...headers, "x-forwarded-for": address },
  }));
}

/**
 * Refresh under `rotate`: each answer replaces the refresh token it used, so
 * a request takes a token from the pool and its answer puts the successor
 * back. No two requests in flight share a token (which would be a replay).
 */
function rotatingPool(initial: readonly string[]): LoadRequest {
  const pool = [...initial];
  return {
    setupRequest: (request, context: { token?: string }) => {
      const token = pool.shift() ?? "";
      context.token = token;
      return { ...request, body: JSON.stringify({ session: { refreshToken: token } }) };
    },
    onResponse: (status, body, context: { token?: string }) => {
      const used = context.token ?? "";
      if (status === 200) {
        const next = (JSON.parse(body) as { session?: { refreshToken?: unknown } }).session
          ?.refreshToken;
        pool.push(typeof next === "string" ? next : used);
      } else if (used !== "") {
        pool.push(used);
      }
    },
  };
}
