import { TesseraError } from "../errors.js";
import { parsePermission } from "../permissions.js";

/** Lets a short-term token issue (or rotate) long-term tokens of its client (spec 004). */
export const TOKENS_WRITE = "tokens:write";
/** Lets a token revoke any automation token of its tenant, not only its client's. */
export const TOKENS_ADMIN = "tokens:admin";

const MAX_SCOPES = 64;

/** Checks scope names (the permission grammar) and returns them sorted, without duplicates. */
export function parseScopes(scopes: readonly string[]): string[] {
  if (scopes.length > MAX_SCOPES) {
    throw new TesseraError("invalid_request", `At most ${MAX_SCOPES} scopes`);
  }
  return [...new Set(scopes.map(parsePermission))].sort();
}

/**
 * Narrows `requested` to within `granted`: the default is all of
 * `granted`; asking for anything beyond it is `insufficient_scope` naming
 * what was asked for (RFC 6750 §3.1).
 */
export function narrowScopes(
  granted: readonly string[],
  requested: readonly string[] | undefined,
): string[] {
  if (requested === undefined) {
    return [...granted];
  }
  const asked = parseScopes(requested);
  const beyond = asked.filter((scope) => !granted.includes(scope));
  if (beyond.length > 0) {
    throw new TesseraError(
      "insufficient_scope",
      `Scopes beyond what this credential holds: ${beyond.join(" ")}`,
    );
  }
  return asked;
}
