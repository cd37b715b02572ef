import type { ListedClient } from "../../core/clients/clients.js";
import type { ClientRecord } from "../../core/model/index.js";
import { type Lines, table, when } from "../io.js";

/**
 * A client as the CLI shows it: never its secret, its hash or its TOTP seed.
 * `apiKeys` (live API keys) when it is known.
 */
export function clientView(client: ClientRecord, apiKeys?: number) {
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

/** The first line of a list under its label, the rest aligned below it. */
function listed(label: string, items: readonly string[], none: string): string[] {
  const [first, ...rest] = items;
  return [
    `  ${label.padEnd(16)}${first ?? none}`,
    ...rest.map((item) => `${" ".repeat(18)}${item}`),
  ];
}

/** A client in the layout of `client add` and `client show`, without any secret. */
export function describeClient(client: ClientRecord, apiKeys?: number): Lines {
  const keys = client.publicKeys.map((key) => `${key.kid} (${key.alg})`);
  return [
    `client ${client.name} (${client.id})`,
    `  tenant          ${client.tenantId}`,
    `  status          ${client.status}`,
    ...listed("grant types", client.grantTypes, "none"),
    `  auth method     ${client.tokenEndpointAuthMethod}${client.tokenEndpointAuthMethod === "none" ? " (public client)" : ""}`,
    ...(apiKeys === undefined ? [] : [`  api keys        ${apiKeys}`]),
    `  scopes          ${client.scopes.join(", ") || "none"}`,
    ...listed("audiences", client.audiences, "the tenant's issuer only"),
    `  max token ttl   ${client.maxTokenTtlDays} days`,
    `  otp enrolled    ${client.totpSeedSealed === null ? "no" : "yes"}`,
    `  secret prefix   ${client.secretPrefix === null ? "none (no secret)" : `${client.secretPrefix}…`}`,
    ...listed("public keys", keys, "none"),
    `  created         ${when(client.createdAt)}`,
    `  updated         ${when(client.updatedAt)}`,
  ];
}

/** A grant type as a table cell: the RFC 8693 and 7523 URNs by their last part. */
function shortGrant(grant: string): string {
  return grant.replace("urn:ietf:params:oauth:grant-type:", "");
}

/** `client list` as a table, one client a row. */
export function clientTable(clients: readonly ListedClient[]): Lines {
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
    clients.map(({ client: c, apiKeys }) => [
      c.name,
      c.id,
      c.status,
      c.grantTypes.map(shortGrant).join(","),
      c.tokenEndpointAuthMethod,
      String(apiKeys),
      c.scopes.join(",") || "-",
      c.audiences.join(",") || "-",
      `${c.maxTokenTtlDays}d`,
      c.totpSeedSealed === null ? "no" : "yes",
      String(c.publicKeys.length),
      when(c.createdAt),
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
