import { TesseraApiError } from "../errors.js";

/**
 * Whether the server refused a token for good: a 401 saying it is revoked,
 * expired or unknown (the session API's fixed words are read as these
 * codes too). Any other 401 (a refused API key, a proxy's own) is not about
 * the token, so a client keeps it.
 */
export function refusesToken(error: unknown): error is TesseraApiError {
  return (
    error instanceof TesseraApiError &&
    error.status === 401 &&
    (error.code === "token_revoked" ||
      error.code === "token_expired" ||
      error.code === "invalid_token")
  );
}
