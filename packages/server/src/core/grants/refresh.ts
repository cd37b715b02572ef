import { mayUseGrant } from "../clients/token-endpoint-rules.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import { refreshSession } from "../sessions/refresh.js";
import type { SessionTokens } from "../sessions/session-tokens.js";

/**
 * The refresh token grant (RFC 6749 §6) at a token endpoint: new tokens
 * for a refresh token issued to `client` (the session API's included,
 * when `client` is the client its API key belongs to), under the tenant's
 * refresh policy, with the session API's own rotation: exactly-once
 * compare-and-swap, the grace window's shared successor, and a reuse after
 * it ending the whole session ({@link refreshSession}). The client must be
 * registered for `refresh_token` (`forbidden` otherwise); a refresh token
 * of another client is `invalid_token`, as an unknown one is.
 */
export async function refreshForClient(
  ctx: CoreContext,
  input: {
    readonly tenant: TenantRecord;
    readonly client: ClientRecord;
    readonly refreshToken: string;
    readonly ip: string;
  },
): Promise<SessionTokens> {
  const { tenant, client } = input;
  if (!mayUseGrant(client, "refresh_token")) {
    throw new TesseraError("forbidden", "This client may not use the refresh_token grant", {
      detail: `client ${client.id} lacks refresh_token`,
    });
  }
  return refreshSession(ctx, {
    client: { tenant, client, clientId: client.id },
    refreshToken: input.refreshToken,
    ip: input.ip,
  });
}
