import { isTesseraError, TesseraError } from "../errors.js";
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
 * missing; idempotent. A client an operator registered under that id or
 * name before is left as it is, and the tenant has no CLI client (the
 * answer is `undefined`): `tessera login` to it fails until the operator
 * renames or removes that client and starts the server again.
 */
export async function ensureFirstPartyClients(
  ctx: ClientCtx,
  tenantId: TenantId,
): Promise<ClientRecord | undefined> {
  const existing = await ctx.store.clients.get(tenantId, CLI_CLIENT_ID);
  if (existing !== undefined) {
    return existing.firstParty ? existing : undefined;
  }
  try {
    const { client } = await createClient(ctx, {
      tenantId,
      id: CLI_CLIENT_ID,
      name: CLI_CLIENT_ID,
      tokenEndpointAuthMethod: "none",
      grantTypes: [PASSWORD, REFRESH_TOKEN],
      scopes: ADMIN_SCOPES,
      firstParty: true,
    });
    return client;
  } catch (error) {
    // The name is another client's: an operator's, kept as it is.
    if (isTesseraError(error) && error.code === "conflict") {
      return undefined;
    }
    throw error;
  }
}

/**
 * Refuses `what` (a change, a secret, a key) to one of Tessera's own
 * clients: they are what Tessera made them, so no admin or bot can turn
 * the CLI's client into one with a secret, other grants or other scopes
 * (locking every operator out of `tessera login`, or worse). Disabling
 * and enabling them is allowed: it is how an operator turns password
 * logins to the admin API off and on.
 */
export function refuseFirstPartyChange(client: ClientRecord, what: string): void {
  if (client.firstParty) {
    throw new TesseraError(
      "forbidden",
      `${client.id} is Tessera's own client: it can be disabled and enabled, but not given ${what}`,
    );
  }
}
