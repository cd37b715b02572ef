import type { OAuthClientCredentials } from "./deployment.js";
import { field, requestJson } from "./http.js";
import type { LoadPlan } from "./load.js";
import { roundRobin, sessionLogins } from "./pools.js";
import type { Scenario } from "./scenarios.js";

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
