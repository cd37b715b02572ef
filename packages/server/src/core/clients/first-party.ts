import type { ClientId, TenantId } from "../ids.js";
import type { ClientRecord } from "../model/index.js";
import { type ClientCtx, createClient } from "./clients.js";
import { PASSWORD, REFRESH_TOKEN } from "./grant-types.js";

/**
 * The CLI's client in every tenant: `tessera login` signs an admin in
 * through it (the password grant, then refresh tokens), as `kcadm.sh`
 * does through Keycloak's `admin-cli`. Public, since a CLI on an
 * operator's laptop can keep no secret, and an admin client (its scopes
 * hold `admin:read` and `admin:write`), so what a user signed in through
 * it may do is what the user's own permissions allow.
 */
export const CLI_CLIENT_ID = "tessera-cli" as ClientId;

/** The scopes that make a client an admin client (see the admin API's caller rules). */
const ADMIN_SCOPES = ["admin:read", "admin:write"];

/**
 * Makes the tenant's first-party clients ({@link CLI_CLIENT_ID}) when
 * missing; idempotent. A client an operator registered under that id
 * before is left as it is (and is not first-party, so it cannot sign the
 * CLI in: the operator can remove it and start the server again).
 */
export async function ensureFirstPartyClients(
  ctx: ClientCtx,
  tenantId: TenantId,
): Promise<ClientRecord> {
  const existing = await ctx.store.clients.get(tenantId, CLI_CLIENT_ID);
  if (existing !== undefined) {
    return existing;
  }
  const { client } = await createClient(ctx, {
    tenantId,
    id: CLI_CLIENT_ID,
    name: "tessera-cli",
    tokenEndpointAuthMethod: "none",
    grantTypes: [PASSWORD, REFRESH_TOKEN],
    scopes: ADMIN_SCOPES,
    firstParty: true,
  });
  return client;
}
