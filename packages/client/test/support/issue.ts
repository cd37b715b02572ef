import { PASSWORD } from "./provision.js";
import type { Tessera } from "./tessera.js";

/** The audience the suites' resource server is known by. */
export const RESOURCE = "https://reports.example.com";

/** An API key and the id of the client it belongs to (the `aud` of its users' tokens). */
export interface ApiKey {
  readonly key: string;
  readonly clientId: string;
}

/** A confidential client: its id and secret. */
export interface Client {
  readonly id: string;
  readonly clientSecret: string;
}

async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${response.url} answered ${response.status}: ${text}`);
  }
  return JSON.parse(text) as T;
}

function basic(client: Client): string {
  return `Basic ${Buffer.from(`${client.id}:${client.clientSecret}`).toString("base64")}`;
}

/** An API key of a new public client (`tessera apikey create`), or of `client`. */
export function createApiKey(tessera: Tessera, name: string, client?: string): ApiKey {
  return tessera.cliJson<ApiKey>([
    "apikey",
    "create",
    "--name",
    name,
    ...(client === undefined ? [] : ["--client", client]),
  ]);
}

/** The session API's login: its access token (`at+jwt`), ID token (`JWT`) and refresh token. */
export async function login(
  tessera: Tessera,
  apiKey: ApiKey,
  username: string,
): Promise<{ accessToken: string; idToken: string; refreshToken: string }> {
  const body = await json<{
    session: { accessToken: string; authorization: string; refreshToken: string };
  }>(
    await fetch(`${tessera.url}/auth/token`, {
      method: "POST",
      headers: { "x-api-key": apiKey.key, "content-type": "application/json" },
      body: JSON.stringify({ username, password: PASSWORD }),
    }),
  );
  return {
    accessToken: body.session.accessToken,
    idToken: body.session.authorization,
    refreshToken: body.session.refreshToken,
  };
}

/** OAuth's token endpoint of the default tenant, with the client's secret (Basic). */
export async function oauthToken(
  tessera: Tessera,
  client: Client,
  form: Record<string, string>,
): Promise<string> {
  const body = await json<{ access_token: string }>(
    await fetch(`${tessera.issuer}/oauth/token`, {
      method: "POST",
      headers: { authorization: basic(client) },
      body: new URLSearchParams(form),
    }),
  );
  return body.access_token;
}

/** A short-term token (`automation+jwt`) through a long-term token, as the token API issues it. */
export async function shortTermToken(
  tessera: Tessera,
  apiKey: ApiKey,
  client: Client,
  request: { readonly audience?: string; readonly scopes?: readonly string[] } = {},
): Promise<string> {
  const long = await json<{ token: string }>(
    await fetch(`${tessera.url}/auth/tokens/long`, {
      method: "POST",
      headers: { "x-api-key": apiKey.key, "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "client_credentials",
        client_id: client.id,
        client_secret: client.clientSecret,
      }),
    }),
  );
  const short = await json<{ access_token: string }>(
    await fetch(`${tessera.url}/auth/tokens/short`, {
      method: "POST",
      headers: { authorization: `Bearer ${long.token}`, "content-type": "application/json" },
      body: JSON.stringify(request),
    }),
  );
  return short.access_token;
}

/** The operations API's login: an RS256 operation token and its refresh token (`typ: JWT`). */
export async function operationTokens(
  tessera: Tessera,
  username: string,
): Promise<{ operation_token: string; refresh_token: string }> {
  return json(
    await fetch(`${tessera.url}/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        operation: "create_authentication_tokens",
        username,
        password: PASSWORD,
      }),
    }),
  );
}
