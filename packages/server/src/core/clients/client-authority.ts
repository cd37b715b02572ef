import type { Authority } from "../authority.js";
import { TesseraError } from "../errors.js";
import type { ClientRecord } from "../model/index.js";

/**
 * Refuses managing a client that holds a scope the caller does not
 * (`forbidden`): a management credential that is not an admin's (a client
 * holding `admin:write`) may not rotate the secret of, change, disable,
 * give keys to or revoke the credentials of a client stronger than itself,
 * which would hand it that client's power. No authority (the operator's own
 * tools) and an admin's reach every client.
 */
export function checkMayManageClient(
  authority: Authority | undefined,
  client: Pick<ClientRecord, "scopes">,
): void {
  if (authority === undefined || authority.admin) {
    return;
  }
  const beyond = client.scopes.filter((scope) => !authority.holds.has(scope));
  if (beyond.length > 0) {
    throw new TesseraError("forbidden", "You may not manage a client that holds more than you do", {
      detail: `the client holds ${beyond.join(" ")}`,
    });
  }
}
