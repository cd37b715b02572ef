import { CLI_CLIENT_ID } from "../../core/clients/first-party.js";
import { CliError } from "../errors.js";
import type { StoredLogin } from "./credentials.js";
import { jsonOf, member, send } from "./http.js";

/** Where a tenant's OAuth endpoints are: below its issuer, or unprefixed for the default tenant. */
function endpoint(server: string, tenant: string | undefined, name: "token" | "revoke"): string {
  const below =
    tenant === undefined || tenant === "" ? "" : `/tenants/${encodeURIComponent(tenant)}`;
  return `${server}${below}/oauth/${name}`;
}

/** A token endpoint's answer, as far as the CLI needs it. */
interface TokenAnswer {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly refreshToken: string | null;
}

/** How a login proves itself to the token endpoint. */
export type Credentials =
  | { readonly kind: "user"; readonly username: string; readonly password: string }
  | { readonly kind: "client"; readonly clientId: string; readonly clientSecret: string };

/**
 * RFC 6749 §5.1/§5.2: the tokens, or one line saying why not. A refused
 * password says what the server said (one answer for an unknown user and
 * a wrong password); a server that does not answer as Tessera would is
 * named as such.
 */
async function tokenRequest(
  server: string,
  url: string,
  form: Record<string, string>,
  basic?: { readonly id: string; readonly secret: string },
): Promise<TokenAnswer> {
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  if (basic !== undefined) {
    // RFC 6749 §2.3.1: each half form-encoded before base64.
    const pair = `${encodeURIComponent(basic.id)}:${encodeURIComponent(basic.secret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
  }
  const started = Date.now();
  const response = await send(server, url, {
    method: "POST",
    headers,
    body: new URLSearchParams(form).toString(),
  });
  const body = await jsonOf(response);
  const accessToken = member(body, "access_token");
  if (response.ok && accessToken !== undefined) {
    const expiresIn = (body as { expires_in?: unknown }).expires_in;
    return {
      accessToken: (body as { access_token: string }).access_token,
      expiresAt: started + (typeof expiresIn === "number" ? expiresIn : 60) * 1000,
      refreshToken:
        member(body, "refresh_token") === undefined
          ? null
          : (body as { refresh_token: string }).refresh_token,
    };
  }
  const error = member(body, "error");
  if (error === undefined) {
    throw new CliError(
      "unreachable",
      `${server} did not answer as a Tessera server would (HTTP ${response.status} from ${url})`,
    );
  }
  const description = member(body, "error_description") ?? error;
  throw new OAuthRefusal(error, description);
}

/** The token endpoint refused (RFC 6749 §5.2): `error` and its description. */
export class OAuthRefusal extends CliError {
  constructor(
    readonly error: string,
    description: string,
  ) {
    super(
      error === "invalid_grant" || error === "invalid_client" ? "not_logged_in" : "failed",
      description,
    );
    this.name = "OAuthRefusal";
  }
}

/**
 * Signs in: a user through the CLI's own client (`tessera-cli`, the
 * password grant), or a client by its id and secret (client credentials,
 * asking for `admin:write` and, where it lacks it, `admin:read`).
 */
export async function signIn(
  server: string,
  tenant: string | undefined,
  credentials: Credentials,
): Promise<TokenAnswer> {
  const url = endpoint(server, tenant, "token");
  if (credentials.kind === "user") {
    return tokenRequest(server, url, {
      grant_type: "password",
      client_id: CLI_CLIENT_ID,
      username: credentials.username,
      password: credentials.password,
    });
  }
  const basic = { id: credentials.clientId, secret: credentials.clientSecret };
  try {
    return await tokenRequest(
      server,
      url,
      { grant_type: "client_credentials", scope: "admin:write" },
      basic,
    );
  } catch (error) {
    if (error instanceof OAuthRefusal && error.error === "invalid_scope") {
      return tokenRequest(
        server,
        url,
        { grant_type: "client_credentials", scope: "admin:read" },
        basic,
      );
    }
    throw error;
  }
}

/**
 * A fresh access token for a stored login: a user's by its refresh token
 * (which rotates: the new one replaces it), a client's by its secret.
 */
export async function renew(login: StoredLogin): Promise<TokenAnswer> {
  const url = endpoint(login.server, login.tenant, "token");
  if (login.kind === "client" && login.clientSecret !== null) {
    return signIn(login.server, login.tenant, {
      kind: "client",
      clientId: login.clientId,
      clientSecret: login.clientSecret,
    });
  }
  if (login.refreshToken === null) {
    throw new CliError("not_logged_in", "This login cannot be renewed");
  }
  const answer = await tokenRequest(login.server, url, {
    grant_type: "refresh_token",
    client_id: login.clientId,
    refresh_token: login.refreshToken,
  });
  return { ...answer, refreshToken: answer.refreshToken ?? login.refreshToken };
}

/**
 * RFC 7009: ends what a login holds: a user's refresh token (which ends
 * its session, every token of it), a client's access token. Best effort:
 * an unreachable server or a token already ended is not an error, since
 * the login is forgotten either way.
 */
export async function revoke(login: StoredLogin): Promise<boolean> {
  const url = endpoint(login.server, login.tenant, "revoke");
  const [token, hint] =
    login.refreshToken === null
      ? [login.accessToken, "access_token"]
      : [login.refreshToken, "refresh_token"];
  const form: Record<string, string> = { token, token_type_hint: hint };
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (login.clientSecret === null) {
    form.client_id = login.clientId;
  } else {
    const pair = `${encodeURIComponent(login.clientId)}:${encodeURIComponent(login.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
  }
  try {
    const response = await send(login.server, url, {
      method: "POST",
      headers,
      body: new URLSearchParams(form).toString(),
    });
    return response.ok;
  } catch {
    return false;
  }
}
