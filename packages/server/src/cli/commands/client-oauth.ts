import { isTokenEndpointAuthMethod, usesSecret } from "../../core/clients/auth-methods.js";
import { CLIENT_CREDENTIALS } from "../../core/clients/grant-types.js";
import {
  AS_METADATA_SUFFIX,
  ENDPOINT_SUFFIXES,
  OIDC_CONFIGURATION_SUFFIX,
} from "../../http/oauth/paths.js";
import type { Lines } from "../io.js";
import type { ClientView } from "./client-view.js";

/** What the OAuth lines need of a client, local or remote. */
type OAuthClient = Pick<ClientView, "id" | "tenantId" | "grantTypes" | "tokenEndpointAuthMethod">;

/** The shell variable a first-token line reads the client's secret from: it is never printed again. */
export const SECRET_VARIABLE = "CLIENT_SECRET";
/** The shell variable a first-token line reads a `private_key_jwt` client's assertion from. */
export const ASSERTION_VARIABLE = "CLIENT_ASSERTION";

/** Where a client finds its tenant's OAuth endpoints, and how it gets its first token. */
export interface ClientOAuthView {
  readonly issuer: string;
  /** RFC 8414 §3.1: the metadata URL derived from the issuer. */
  readonly metadataUrl: string;
  /** OpenID Connect Discovery 1.0 §4. */
  readonly openidConfigurationUrl: string;
  readonly tokenEndpoint: string;
  /**
   * A curl command for a `client_credentials` token, reading the secret
   * (or assertion) from a shell variable; absent when the client may not
   * use that grant (a public client, or one registered without it).
   */
  readonly firstTokenCommand?: string;
}

/** A word the shell passes on as it is, single-quoted unless it needs no quoting. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** RFC 6749 §2.3.1: an id or secret is form-url-encoded before it goes into Basic credentials. */
function formEncoded(value: string): string {
  return encodeURIComponent(value).replaceAll("%20", "+");
}

/**
 * The curl command for `client`'s first `client_credentials` token at
 * `tokenEndpoint`, by the method it authenticates with, or undefined when
 * it may not use that grant. Its secret is `$CLIENT_SECRET`, left to the
 * shell: a secret is shown once, when made, and never put in a command
 * line that lands in shell history from here.
 */
function firstTokenCommand(client: OAuthClient, tokenEndpoint: string): string | undefined {
  // The token endpoint's own test (mayUseGrant), on the view a remote client also has.
  if (!client.grantTypes.includes(CLIENT_CREDENTIALS)) {
    return undefined;
  }
  const method = client.tokenEndpointAuthMethod;
  const grant = "-d grant_type=client_credentials";
  const url = shellWord(tokenEndpoint);
  if (method === "client_secret_basic") {
    return `curl -s -u "${formEncoded(client.id)}:$${SECRET_VARIABLE}" ${grant} ${url}`;
  }
  if (method === "client_secret_post") {
    return `curl -s ${grant} --data-urlencode ${shellWord(`client_id=${client.id}`)} --data-urlencode "client_secret=$${SECRET_VARIABLE}" ${url}`;
  }
  if (method === "private_key_jwt") {
    return `curl -s ${grant} -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer -d "client_assertion=$${ASSERTION_VARIABLE}" ${url}`;
  }
  return undefined;
}

/** Where a tenant's OAuth URLs start: the deployment's public URL and the tenant's issuer below it. */
export interface TenantUrls {
  /** `TESSERA_PUBLIC_URL`. */
  readonly publicUrl: string;
  /** The tenant's issuer (`tenantIssuer`). */
  readonly issuer: string;
}

/** The OAuth URLs of `client`'s tenant and its first-token command (see {@link ClientOAuthView}). */
export function clientOAuthView(
  { publicUrl, issuer }: TenantUrls,
  client: OAuthClient,
): ClientOAuthView {
  const tokenEndpoint = `${issuer}${ENDPOINT_SUFFIXES.token}`;
  const command = firstTokenCommand(client, tokenEndpoint);
  return {
    issuer,
    metadataUrl: `${publicUrl}${AS_METADATA_SUFFIX}/tenants/${client.tenantId}`,
    openidConfigurationUrl: `${issuer}${OIDC_CONFIGURATION_SUFFIX}`,
    tokenEndpoint,
    ...(command === undefined ? {} : { firstTokenCommand: command }),
  };
}

/** {@link ClientOAuthView} as `client show` and `client add` print it, below the client. */
export function describeClientOAuth(client: OAuthClient, view: ClientOAuthView): Lines {
  const method = client.tokenEndpointAuthMethod;
  const lines = [
    "",
    `OAuth endpoints of tenant ${client.tenantId}:`,
    `  metadata        ${view.metadataUrl}`,
    `  openid config   ${view.openidConfigurationUrl}`,
    `  token endpoint  ${view.tokenEndpoint}`,
  ];
  if (view.firstTokenCommand === undefined) {
    return [
      ...lines,
      "",
      method === "none"
        ? "A public client gets no client_credentials token: it has no secret to prove itself with."
        : "It may not use the client_credentials grant (see its grant types).",
    ];
  }
  const how =
    isTokenEndpointAuthMethod(method) && usesSecret(method)
      ? `with the client's secret in ${SECRET_VARIABLE}`
      : `with a client assertion in ${ASSERTION_VARIABLE}: a JWT (RFC 7523 section 2.2) signed with one of its public keys' private keys, iss and sub its client id, aud ${view.tokenEndpoint}, a new jti and a short exp`;
  return [
    ...lines,
    "",
    `First token (client_credentials, ${method}), ${how}:`,
    `  ${view.firstTokenCommand}`,
  ];
}
