import { TesseraError } from "../errors.js";
import type { TokenFailure } from "./types.js";

/**
 * The core error for a refused token, in neutral words: what every dialect
 * that authenticates by a token throws, and words again in its `errors.ts`
 * where its wire format says otherwise.
 *
 * - `expired` → `token_expired`;
 * - `revoked`, `rotated`, `client_disabled` → `token_revoked`;
 * - anything else → `invalid_token`, whatever the reason, so a caller
 *   cannot tell a forged token from another tenant's or another kind's
 *   (a dialect may word `mismatched` more precisely, as the session API does).
 *
 * @example
 * const result = await verifyToken(ctx, text, { kinds: ["access_token"], tenantId });
 * if (!result.valid) throw tokenError(result);
 */
export function tokenError(failure: TokenFailure): TesseraError {
  const options = { detail: failure.detail ?? failure.reason };
  switch (failure.reason) {
    case "expired":
      return new TesseraError("token_expired", "Token has expired", options);
    case "revoked":
    case "rotated":
      return new TesseraError("token_revoked", "Token has been revoked", options);
    case "client_disabled":
      return new TesseraError("token_revoked", "The client is disabled", options);
    default:
      return new TesseraError("invalid_token", "Invalid token", options);
  }
}
