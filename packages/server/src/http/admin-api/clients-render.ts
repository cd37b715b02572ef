import type { ClientRecord } from "../../core/model/index.js";
import { tenantPath } from "./paths.js";
import type { AdminClient } from "./schemas/clients.js";
import { iso, isoOrNull } from "./schemas/common.js";

/** A client as the admin API shows it: never its secret, a hash of it, or its TOTP seed. */
export function renderClient(client: ClientRecord): AdminClient {
  return {
    id: client.id,
    tenant_id: client.tenantId,
    name: client.name,
    status: client.status,
    grant_types: [...client.grantTypes],
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    scopes: [...client.scopes],
    audiences: [...client.audiences],
    max_token_ttl_days: client.maxTokenTtlDays,
    otp_enrolled: client.totpSeedSealed !== null,
    public_keys: client.publicKeys.map((key) => ({ kid: key.kid, alg: key.alg, jwk: key.jwk })),
    secret_prefix: client.secretPrefix,
    previous_secret_expires_at: isoOrNull(client.previousSecretExpiresAt),
    created_at: iso(client.createdAt),
    updated_at: iso(client.updatedAt),
  };
}

/** The URL of a client of the admin API. */
export function clientPath(tenantId: string, clientId: string): string {
  return `${tenantPath(tenantId)}/clients/${encodeURIComponent(clientId)}`;
}

/** PEM text as it is, a JWK object as the JSON text the core parses. */
export function publicKeyText(key: string | object): string {
  return typeof key === "string" ? key : JSON.stringify(key);
}

/** A route on one client: `{id}` is its id, or its name. */
export interface ClientRoute {
  Params: { tenant: string; id: string };
}
