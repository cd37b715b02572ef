import { TesseraError } from "../core/errors.js";

/**
 * The token of `Authorization: Bearer <token>` (RFC 6750 §2.1; the scheme
 * name is case-insensitive), or undefined without such a header.
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) {
    return undefined;
  }
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
  if (match?.[1] === undefined) {
    throw new TesseraError("invalid_token", "The Authorization header must be 'Bearer <token>'");
  }
  return match[1];
}

/** Like {@link bearerToken}, for endpoints that need one. */
export function requireBearer(header: string | undefined): string {
  const token = bearerToken(header);
  if (token === undefined) {
    throw new TesseraError("invalid_token", "A Bearer token is required", {
      detail: "no Authorization header",
    });
  }
  return token;
}
