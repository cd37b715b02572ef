import { BENCH_ADMIN, BENCH_USER, type OAuthClientCredentials } from "./deployment.js";
import { field, requestJson } from "./http.js";
import type { LoadPlan } from "./load.js";
import { roundRobin, sessionLogins } from "./pools.js";
import type { Scenario, Target } from "./scenarios.js";

/**
 * `client_secret_basic` (RFC 6749 §2.3.1): the id and the secret each
 * form-url-encoded, then joined by a colon, in Basic credentials.
 */
export function basicAuthorization(client: OAuthClientCredentials): string {
  const encoded = `${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`;
  return `Basic ${Buffer.from(encoded).toString("base64")}`;
}

const FORM = "application/x-www-form-urlencoded";

/**
 * The OAuth 2.0 dialect's paths, at the default tenant's unprefixed
 * endpoints: a service getting its own token, and a gateway introspecting
 * the tokens its requests carry, as API gateways do for every request
 * they pass on.
 */
export const OAUTH_SCENARIOS: readonly Scenario[] = [
  {
    id: "oauth-client-credentials",
    title: "OAuth: client_credentials (client_secret_basic)",
    prepare: async ({ provisioned }) => ({
      method: "POST",
      path: "/oauth/token",
      headers: { "content-type": FORM, authorization: basicAuthorization(provisioned.service) },
      body: "grant_type=client_credentials",
    }),
  },
  {
    id: "oauth-introspect-session",
    title: "OAuth: introspect a session access token",
    prepare: async (target, concurrency) => {
      const sessions = await sessionLogins(target, target.provisioned.apiKey, concurrency);
      return introspecting(
        target.url,
        target.provisioned.gateway,
        sessions.map((session) => session.accessToken),
      );
    },
  },
  {
    id: "oauth-introspect-client",
    title: "OAuth: introspect a client_credentials token",
    prepare: async ({ url, provisioned }) => {
      const tokens: string[] = [];
      // A service reuses its token until it expires: a handful serve every connection.
      for (let i = 0; i < 8; i++) {
        const answer = await requestJson(url, "/oauth/token", {
          headers: { authorization: basicAuthorization(provisioned.service) },
          form: { grant_type: "client_credentials" },
        });
        tokens.push(field(answer, "access_token"));
      }
      return introspecting(url, provisioned.gateway, tokens);
    },
  },
  {
    id: "oauth-token-exchange",
    title: "OAuth: token exchange (delegation)",
    prepare: async (target) => {
      const exchange = await tokenExchangeSetup(target);
      return {
        method: "POST",
        path: "/oauth/token",
        headers: { "content-type": FORM, authorization: basicAuthorization(exchange.client) },
        request: roundRobin(exchange.subjectTokens, (subjectToken) => ({
          body: new URLSearchParams({
            grant_type: TOKEN_EXCHANGE,
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
            actor_token: exchange.actorToken,
            actor_token_type: ACCESS_TOKEN_TYPE,
          }).toString(),
        })),
      };
    },
  },
];

/**
 * The gateway introspecting each of `tokens` in turn at the default
 * tenant's endpoint. An inactive token is a 200 too, so the first is
 * checked to be active here: a run never measures `{"active": false}`.
 */
async function introspecting(
  url: string,
  gateway: OAuthClientCredentials,
  tokens: readonly string[],
): Promise<LoadPlan> {
  const answer = await requestJson(url, "/oauth/introspect", {
    headers: { authorization: basicAuthorization(gateway) },
    form: { token: tokens[0] ?? "" },
  });
  if (answer.active !== true) {
    throw new Error(`introspection of a fresh token answered ${JSON.stringify(answer)}`);
  }
  return {
    method: "POST",
    path: "/oauth/introspect",
    headers: { "content-type": FORM, authorization: basicAuthorization(gateway) },
    request: roundRobin(tokens, (token) => ({
      body: new URLSearchParams({ token }).toString(),
    })),
  };
}

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** What the token exchange scenario sends with: its client, users' tokens, the actor's. */
interface TokenExchangeSetup {
  readonly client: OAuthClientCredentials;
  /** Access tokens of the bench user's sessions, issued to the exchanging client. */
  readonly subjectTokens: readonly string[];
  /** The bench admin's access token: the actor of every delegation. */
  readonly actorToken: string;
}

const exchangeSetups = new WeakMap<object, Promise<TokenExchangeSetup>>();

/**
 * Delegation: a client registered for token exchange (made once per
 * deployment with the CLI, confidential as the grant requires, with an API
 * key its users sign in through) exchanges the bench user's access token,
 * with the bench admin's as the actor, for a delegated access token. It
 * authenticates with its secret (`client_secret_basic`), as the
 * `client_credentials` scenario's service does, under the same raised
 * step-up limits. Each run takes the tokens of a handful of the bench
 * user's sessions in turn; they live an hour, longer than any run.
 */
function tokenExchangeSetup(target: Target): Promise<TokenExchangeSetup> {
  let setup = exchangeSetups.get(target.deployment);
  if (setup === undefined) {
    setup = makeTokenExchangeSetup(target);
    exchangeSetups.set(target.deployment, setup);
  }
  return setup;
}

async function makeTokenExchangeSetup({ url, deployment }: Target): Promise<TokenExchangeSetup> {
  const client = deployment.cli([
    "client",
    "add",
    "bench-exchange",
    "--grant-types",
    `password,refresh_token,${TOKEN_EXCHANGE}`,
  ]) as { id: string; clientSecret: string };
  const { key } = deployment.cli(["apikey", "create", "--client", client.id]) as { key: string };
  const login = async (username: string, password: string) =>
    field(
      await requestJson(url, "/auth/token", {
        headers: { "x-api-key": key },
        body: { username, password },
      }),
      "session",
      "accessToken",
    );
  const subjectTokens: string[] = [];
  for (let i = 0; i < 8; i++) {
    subjectTokens.push(await login(BENCH_USER, deployment.password));
  }
  const actorToken = await login(BENCH_ADMIN, deployment.adminPassword);
  return { client: { id: client.id, secret: client.clientSecret }, subjectTokens, actorToken };
}
