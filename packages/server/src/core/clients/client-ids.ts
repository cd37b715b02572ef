import { echoInput } from "../echo.js";
import { TesseraError } from "../errors.js";
import type { ClientId, TenantId } from "../ids.js";

/**
 * A client id an operator may choose (`ci-bot`): 1-64 letters, digits, `.`,
 * `_` or `-`, starting with a letter or digit. Safe as it is in a URL path
 * segment (RFC 3986 §2.3 unreserved characters, and never `.` or `..`), in
 * a header, and in `Authorization: Basic` (no `:`, which ends the user-id
 * there, RFC 7617 §2).
 */
const CHOSEN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The shape of a generated id ({@link newClientId}): 26 lowercase letters and digits. */
const GENERATED_ID = /^[a-z0-9]{26}$/;

/**
 * Every id a stored client may have: generated, chosen, or carried over
 * from an API key's free-form client id of before (1-128 of the same
 * characters). What a lookup accepts before asking the store.
 */
const ANY_CLIENT_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** True when `id` has the shape of a generated client id. */
export function isGeneratedClientId(id: string): boolean {
  return GENERATED_ID.test(id);
}

/** True when `value` could be a stored client's id, so it is worth looking up. */
export function isClientIdShaped(value: string): value is ClientId {
  return ANY_CLIENT_ID.test(value);
}

/**
 * Checks an id chosen at creation. The shape of a generated id is refused:
 * those are random and so unique across tenants, which one-time claims rely
 * on (see {@link clientClaimScope}); a chosen one could copy another
 * tenant's.
 *
 * @throws `invalid_request`.
 */
export function parseChosenClientId(id: string): ClientId {
  if (!CHOSEN_ID.test(id) || isGeneratedClientId(id)) {
    throw new TesseraError(
      "invalid_request",
      `Client id ${echoInput(id)} is not valid: a client id is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit, and not 26 lowercase letters and digits (the shape of a generated id)`,
    );
  }
  return id as ClientId;
}

/**
 * What names a client in one-time claim keys (TOTP steps, assertion ids):
 * its generated id alone, as before client ids were per tenant (so claims
 * taken before an upgrade still count after it), or `tenant/id` for any
 * other id, which two tenants may share. Neither part holds `/` or `:`, so
 * no two clients get the same scope.
 */
export function clientClaimScope(client: {
  readonly tenantId: TenantId;
  readonly id: ClientId;
}): string {
  return isGeneratedClientId(client.id) ? client.id : `${client.tenantId}/${client.id}`;
}
