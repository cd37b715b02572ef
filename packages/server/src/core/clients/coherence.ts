import { TesseraError } from "../errors.js";
import type { ClientRecord } from "../model/index.js";
import { CLIENT_CREDENTIALS, type GrantType, JWT_BEARER, TOKEN_EXCHANGE } from "./grant-types.js";

/** What decides whether a client's settings make sense together. */
export type ClientShape = Pick<
  ClientRecord,
  "grantTypes" | "tokenEndpointAuthMethod" | "publicKeys" | "totpSeedSealed"
>;

/** The grants no public client (`none`) may hold: see {@link checkClientCoherence}. */
const CONFIDENTIAL_ONLY_GRANTS: readonly GrantType[] = [
  CLIENT_CREDENTIALS,
  JWT_BEARER,
  TOKEN_EXCHANGE,
];

/** True when a public client (`none`) may be registered for `grant`. */
export function publicClientMayUse(grant: GrantType): boolean {
  return !CONFIDENTIAL_ONLY_GRANTS.includes(grant);
}

/**
 * Refuses a client whose settings contradict each other, before it is
 * stored:
 *
 * - a public client (`none`, RFC 6749 §2.1) cannot use `client_credentials`
 *   (RFC 6749 §4.4: confidential clients only), `jwt-bearer` with its
 *   own keys (proving itself with a key is what a public client cannot do),
 *   nor token exchange: its `client_id` is in every access token it was
 *   issued, so anyone who saw one of its users' tokens could exchange it
 *   (a session as another user, with a refresh token) by naming that id;
 * - `private_key_jwt` needs at least one registered public key to check
 *   the client's assertions with (RFC 7523 §2.2);
 * - TOTP codes prove a client for `client_credentials` (spec 004), so an
 *   enrolment needs that grant.
 *
 * @throws `invalid_request` saying which two settings clash.
 */
export function checkClientCoherence(client: ClientShape): void {
  const refuse = (message: string) => {
    throw new TesseraError("invalid_request", message);
  };
  const method = client.tokenEndpointAuthMethod;
  if (method === "none") {
    for (const grant of CONFIDENTIAL_ONLY_GRANTS) {
      if (client.grantTypes.includes(grant)) {
        refuse(
          `A public client (auth method none) cannot use the ${grant} grant: that grant needs a client that authenticates`,
        );
      }
    }
  }
  if (method === "private_key_jwt" && client.publicKeys.length === 0) {
    refuse("The auth method private_key_jwt needs at least one registered public key");
  }
  if (client.totpSeedSealed !== null && !client.grantTypes.includes(CLIENT_CREDENTIALS)) {
    refuse(
      `A TOTP enrolment proves a client for the ${CLIENT_CREDENTIALS} grant: allow that grant, or remove the enrolment`,
    );
  }
}
