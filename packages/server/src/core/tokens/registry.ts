import type { CoreContext } from "../context.js";
import { tokenError } from "./errors.js";
import { type Inspection, inspectToken } from "./identify.js";
import { accessTokenKind } from "./kinds/access-token.js";
import { clientAccessTokenKind } from "./kinds/client-access-token.js";
import { delegatedAccessTokenKind } from "./kinds/delegated-access-token.js";
import { idTokenKind } from "./kinds/id-token.js";
import { fail, INACTIVE, namesTenants, type TokenKindModule } from "./kinds/kind.js";
import { longTermTokenKind } from "./kinds/long-term-token.js";
import { operationRefreshTokenKind } from "./kinds/operation-refresh-token.js";
import { operationTokenKind } from "./kinds/operation-token.js";
import { refreshTokenKind } from "./kinds/refresh-token.js";
import { shortTermTokenKind } from "./kinds/short-term-token.js";
import {
  type Introspection,
  NOTHING_REVOKED,
  type RevocationResult,
  type Revoker,
  type TokenExpectations,
  type TokenFailure,
  type TokenKind,
  type TokenScope,
  type VerifiedOf,
} from "./types.js";

/**
 * Every kind's module, by kind. A new kind is its name in `TOKEN_KINDS`
 * (types.ts), how `identifyToken` tells it (identify.ts), one module in
 * `kinds/`, and one line here; no dialect adds a verifier of its own.
 */
const KINDS: { readonly [K in TokenKind]: TokenKindModule<K> } = {
  access_token: accessTokenKind,
  id_token: idTokenKind,
  refresh_token: refreshTokenKind,
  operation_token: operationTokenKind,
  operation_refresh_token: operationRefreshTokenKind,
  long_term_token: longTermTokenKind,
  short_term_token: shortTermTokenKind,
  client_access_token: clientAccessTokenKind,
  delegated_access_token: delegatedAccessTokenKind,
};

/** The module of an inspected bearer token, or why there is none. */
function moduleOf(
  inspected: Inspection,
): { readonly module: TokenKindModule<TokenKind> } | TokenFailure {
  switch (inspected.kind) {
    case "unknown":
      return fail("malformed", "not a Tessera token");
    case "client_secret":
    case "api_key":
      // They prove a client; they are never a bearer token.
      return fail("wrong_kind", `a ${inspected.kind} is not a bearer token`);
    default:
      return { module: KINDS[inspected.kind] as TokenKindModule<TokenKind> };
  }
}

/**
 * Verifies any Tessera token for use now: identifies its kind
 * ({@link inspectToken}), refuses a kind not in `expectations.kinds`
 * (`wrong_kind`) before any I/O, and hands it to that kind's module, which
 * checks everything the kind lives by (signature and claims under an
 * algorithm allow-list, its session or record, its client, its tenant).
 *
 * A refusal is a value (`{ valid: false, reason }`); only a failing store
 * throws. {@link requireToken} throws the neutral core error instead.
 *
 * @example
 * const result = await verifyToken(ctx, bearer, {
 *   kinds: ["operation_token"],
 *   tenantId: tenant.id,
 * });
 * if (result.valid) console.log(result.user.username);
 */
export async function verifyToken<K extends TokenKind>(
  ctx: CoreContext,
  text: string,
  expectations: TokenExpectations<K>,
): Promise<VerifiedOf<K> | TokenFailure> {
  const inspected = inspectToken(text);
  const found = moduleOf(inspected);
  if ("valid" in found) {
    return found;
  }
  if (!(expectations.kinds as readonly TokenKind[]).includes(found.module.kind)) {
    return fail(
      "wrong_kind",
      `a ${found.module.kind} where ${expectations.kinds.join(" or ")} is expected`,
    );
  }
  const jwt = "jwt" in inspected ? inspected.jwt : undefined;
  return (await found.module.verify(ctx, text, expectations, jwt)) as VerifiedOf<K> | TokenFailure;
}

/**
 * {@link verifyToken}, throwing the neutral core error for a refusal
 * (`invalid_token`, `token_expired` or `token_revoked`; see `tokenError`):
 * what a dialect's bearer authentication calls.
 */
export async function requireToken<K extends TokenKind>(
  ctx: CoreContext,
  text: string,
  expectations: TokenExpectations<K>,
): Promise<VerifiedOf<K>> {
  const result = await verifyToken(ctx, text, expectations);
  if (!result.valid) {
    throw tokenError(result);
  }
  return result;
}

/**
 * Describes any Tessera token (RFC 7662's model): `active` with its kind,
 * tenant, subject, client, scopes, audience, session, parent, `act` and
 * times when it may be used now and lies within `scope`; `{active: false}`
 * for anything else (unknown, malformed, expired, revoked, another
 * tenant's, outside `scope`), with no hint of which. `scope` names the
 * tenant (or says `allTenants: true`); one that does not sees nothing.
 *
 * @example
 * const found = await introspectToken(ctx, token, { tenantId, clientId });
 * if (found.active) console.log(found.kind, found.subject);
 */
export async function introspectToken(
  ctx: CoreContext,
  text: string,
  scope: TokenScope,
): Promise<Introspection> {
  if (!namesTenants(scope)) {
    return INACTIVE;
  }
  const inspected = inspectToken(text);
  const found = moduleOf(inspected);
  if ("valid" in found || (scope.kinds !== undefined && !scope.kinds.includes(found.module.kind))) {
    return INACTIVE;
  }
  const jwt = "jwt" in inspected ? inspected.jwt : undefined;
  return found.module.introspect(ctx, text, scope, jwt);
}

/**
 * Revokes any Tessera token with the cascade its kind needs: a refresh
 * token or any session token ends its session (and the impersonation
 * sessions born of it); a long-term token ends with its short-term
 * children; a short-term token's row ends; a client or delegated access
 * token's `jti` is refused until its `exp` (a delegated token's subject's
 * session goes on).
 *
 * As RFC 7009 §2.2 prescribes, a token that is unknown, malformed, already
 * revoked, of another tenant or client than `by` may revoke, or of a kind
 * outside `by.kinds`, is not an error: nothing changes and `matched` is
 * false, so the call is idempotent and reveals nothing. `by` names the
 * tenant (or says `allTenants: true`); one that does not ends nothing.
 */
export async function revokeToken(
  ctx: CoreContext,
  text: string,
  by: Revoker,
): Promise<RevocationResult> {
  if (!namesTenants(by)) {
    return NOTHING_REVOKED;
  }
  const inspected = inspectToken(text);
  const found = moduleOf(inspected);
  if ("valid" in found || (by.kinds !== undefined && !by.kinds.includes(found.module.kind))) {
    return NOTHING_REVOKED;
  }
  const jwt = "jwt" in inspected ? inspected.jwt : undefined;
  return found.module.revoke(ctx, text, by, jwt);
}
