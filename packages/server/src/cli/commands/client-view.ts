import type { ClientRecord } from "../../core/model/index.js";
import type { AdminClient as AdminClientResource } from "../../http/admin-api/schemas/clients.js";
import { type Lines, table, when } from "../io.js";

/**
 * A client as the CLI shows it, in either mode: never its secret, its hash
 * or its TOTP seed. `apiKeys` (live API keys) when it is known.
 */
export interface ClientView {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly status: string;
  readonly grantTypes: readonly string[];
  readonly tokenEndpointAuthMethod: string;
  readonly apiKeys?: number;
  readonly scopes: readonly string[];
  readonly audiences: readonly string[];
  readonly maxTokenTtlDays: number;
  readonly otpEnrolled: boolean;
  readonly publicKeys: readonly { readonly kid: string; readonly alg: string }[];
  readonly secretPrefix: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A local client as {@link ClientView}. */
export function clientView(client: ClientRecord, apiKeys?: number): ClientView {
  return {
    id: client.id,
    tenantId: client.tenantId,
    name: client.name,
    status: client.status,
    grantTypes: client.grantTypes,
    tokenEndpointAuthMethod: client.tokenEndpointAuthMethod,
    ...(apiKeys === undefined ? {} : { apiKeys }),
    scopes: client.scopes,
    audiences: client.audiences,
    maxTokenTtlDays: client.maxTokenTtlDays,
    otpEnrolled: client.totpSeedSealed !== null,
    publicKeys: client.publicKeys.map((key) => ({ kid: key.kid, alg: key.alg })),
    secretPrefix: client.secretPrefix,
    createdAt: when(client.createdAt),
    updatedAt: when(client.updatedAt),
  };
}

/** The admin API's client as {@link clientView} shows a local one (the same keys, in the same order). */
export function clientViewRemote(client: AdminClientResource, apiKeys?: number): ClientView {
  return {
    id: client.id,
    tenantId: client.tenant_id,
    name: client.name,
    status: client.status,
    grantTypes: client.grant_types,
    tokenEndpointAuthMethod: client.token_endpoint_auth_method,
    ...(apiKeys === undefined ? {} : { apiKeys }),
    scopes: client.scopes,
    audiences: client.audiences,
    maxTokenTtlDays: client.max_token_ttl_days,
    otpEnrolled: client.otp_enrolled,
    publicKeys: client.public_keys.map((key) => ({ kid: key.kid, alg: key.alg })),
    secretPrefix: client.secret_prefix,
    createdAt: client.created_at,
    updatedAt: client.updated_at,
  };
}

/** The first line of a list under its label, the rest aligned below it. */
function listed(label: string, items: readonly string[], none: string): string[] {
  const [first, ...rest] = items;
  return [
    `  ${label.padEnd(16)}${first ?? none}`,
    ...rest.map((item) => `${" ".repeat(18)}${item}`),
  ];
}

/** A client in the layout of `client add` and `client show`, without any secret. */
export function describeClient(client: ClientView): Lines {
  const keys = client.publicKeys.map((key) => `${key.kid} (${key.alg})`);
  return [
    `client ${client.name} (${client.id})`,
    `  tenant          ${client.tenantId}`,
    `  status          ${client.status}`,
    ...listed("grant types", client.grantTypes, "none"),
    `  auth method     ${client.tokenEndpointAuthMethod}${client.tokenEndpointAuthMethod === "none" ? " (public client)" : ""}`,
    ...(client.apiKeys === undefined ? [] : [`  api keys        ${client.apiKeys}`]),
    `  scopes          ${client.scopes.join(", ") || "none"}`,
    ...listed("audiences", client.audiences, "the tenant's issuer only"),
    `  max token ttl   ${client.maxTokenTtlDays} days`,
    `  otp enrolled    ${client.otpEnrolled ? "yes" : "no"}`,
    `  secret prefix   ${client.secretPrefix === null ? "none (no secret)" : `${client.secretPrefix}…`}`,
    ...listed("public keys", keys, "none"),
    `  created         ${client.createdAt}`,
    `  updated         ${client.updatedAt}`,
  ];
}

/** A grant type as a table cell: the RFC 8693 and 7523 URNs by their last part. */
function shortGrant(grant: string): string {
  return grant.replace("urn:ietf:params:oauth:grant-type:", "");
}

/** `client list` as a table, one client a row. */
export function clientTable(clients: readonly ClientView[]): Lines {
  return table(
    [
      "NAME",
      "ID",
      "STATUS",
      "GRANT TYPES",
      "AUTH METHOD",
      "API KEYS",
      "SCOPES",
      "AUDIENCES",
      "MAX TTL",
      "OTP",
      "PUBLIC KEYS",
      "CREATED",
    ],
    clients.map((c) => [
      c.name,
      c.id,
      c.status,
      c.grantTypes.map(shortGrant).join(","),
      c.tokenEndpointAuthMethod,
      String(c.apiKeys ?? 0),
      c.scopes.join(",") || "-",
      c.audiences.join(",") || "-",
      `${c.maxTokenTtlDays}d`,
      c.otpEnrolled ? "yes" : "no",
      String(c.publicKeys.length),
      c.createdAt,
    ]),
  );
}

/** The lines that show a secret once, with the warning that it is not shown again. */
export function shownOnce(secrets: readonly (readonly [label: string, value: string])[]): string[] {
  return [
    ...secrets.flatMap(([label, value]) => ["", `${label}:`, "", `  ${value}`]),
    "",
    secrets.length === 1
      ? "Store it now: it is shown once and never again."
      : "Store them now: they are shown once and never again.",
  ];
}
