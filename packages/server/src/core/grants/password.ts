import { PASSWORD } from "../clients/grant-types.js";
import { mayUseGrant } from "../clients/token-endpoint-rules.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import { loginWithPassword } from "../sessions/login.js";
import type { SessionTokens } from "../sessions/session-tokens.js";

/**
 * The resource owner password credentials grant (RFC 6749 §4.3) at a
 * token endpoint: a user's session, started by exactly the session API's
 * login ({@link loginWithPassword}: the login throttle, a dummy hash for an
 * unknown user, one answer for an unknown user, a wrong password and a
 * disabled user, `login.succeeded` / `login.failed` in the audit trail),
 * for `client`. The session is the client's: its refresh token works with
 * the refresh token grant of the same client, its access and ID tokens
 * have `aud` the client's id.
 *
 * Tessera's own clients (`firstParty`: the CLI's `tessera-cli`) use it
 * always, by their id alone. For any other client it is off unless the
 * tenant turned it on (`tessera tenant update --oauth-password-grant on`): RFC 6749 §10.7 and the OAuth 2.0 Security
 * BCP advise against it, so it serves clients that cannot do better only
 * where an operator chose to. Refused with `forbidden` when off, when the
 * client is not registered for `password`, and when it is public: the
 * clients API keys belong to are public and hold `password` for the session
 * API's login, where an API key proves them; here nothing would, and
 * revoking the client's keys would no longer cut it off.
 */
export async function loginForClient(
  ctx: CoreContext,
  input: {
    readonly tenant: TenantRecord;
    readonly client: ClientRecord;
    readonly username: string;
    readonly password: string;
    readonly ip: string;
  },
): Promise<SessionTokens> {
  const { tenant, client } = input;
  // Tessera's own CLI (`firstParty`) is public by necessity, and served whatever the tenant's setting.
  if (!client.firstParty && !tenant.oauthPasswordGrant) {
    throw new TesseraError("forbidden", "This tenant does not serve the password grant", {
      detail: `tenant ${tenant.id} has the OAuth password grant off`,
    });
  }
  if (!mayUseGrant(client, PASSWORD)) {
    throw new TesseraError("forbidden", "This client may not use the password grant", {
      detail: `client ${client.id} lacks password`,
    });
  }
  if (!client.firstParty && client.tokenEndpointAuthMethod === "none") {
    // A public client holds `password` for the session API's login, proven by an API key there.
    throw new TesseraError("forbidden", "A public client may not use the password grant", {
      detail: `client ${client.id} is public`,
    });
  }
  return loginWithPassword(ctx, {
    client: { tenant, client, clientId: client.id, apiKey: null },
    username: input.username,
    password: input.password,
    ip: input.ip,
    // Tessera's CLI signs in admins only: anyone else fails as a wrong password does.
    ...(client.firstParty ? { require: "admin_access" as const } : {}),
  });
}
