import { CLIENT_CREDENTIALS } from "../clients/grant-types.js";
import { mayUseGrant } from "../clients/token-endpoint-rules.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import {
  type ClientAccessTokenRequest,
  type IssuedClientAccessToken,
  issueClientAccessToken,
} from "./client-access-token.js";

/**
 * The client credentials grant (RFC 6749 §4.4): an access token for the
 * client itself ({@link issueClientAccessToken}: RFC 9068, scopes only
 * narrowing, an allowed audience), once the client has authenticated. The
 * client must be allowed the grant (`forbidden`).
 */
export async function issueClientCredentialsToken(
  ctx: Pick<CoreContext, "store" | "clock" | "keyring" | "settings">,
  input: ClientAccessTokenRequest & {
    readonly tenant: TenantRecord;
    readonly client: ClientRecord;
    readonly ip: string;
  },
): Promise<IssuedClientAccessToken> {
  const { client } = input;
  if (!mayUseGrant(client, CLIENT_CREDENTIALS)) {
    throw new TesseraError("forbidden", "The client may not use the client_credentials grant", {
      detail: `client ${client.id} lacks client_credentials`,
    });
  }
  return issueClientAccessToken(ctx, { ...input, grant: CLIENT_CREDENTIALS });
}
