import type { FastifyRequest } from "fastify";
import type { PresentedClientCredentials } from "../../core/clients/authenticate-client.js";
import { TesseraError } from "../../core/errors.js";
import type { OAuthForm } from "./form.js";

/** RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

const FAILED = "Client authentication failed";

/**
 * Decodes RFC 6749 §2.3.1 Basic credentials: base64 of `id:secret`, where
 * each was form-url-encoded first (so a `:` or a non-ASCII character in
 * either survives; client libraries encode both). Anything undecodable is a
 * failed authentication, not a malformed request: the answer a client
 * sees is the same as for a wrong secret.
 */
export function decodeBasicCredentials(header: string): { clientId: string; secret: string } {
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(header);
  const decoded = match?.[1] === undefined ? "" : Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 1) {
    throw new TesseraError("invalid_credentials", FAILED, {
      detail: "malformed Basic credentials",
    });
  }
  try {
    const clientId = decodeURIComponent(decoded.slice(0, colon).replaceAll("+", " "));
    const secret = decodeURIComponent(decoded.slice(colon + 1).replaceAll("+", " "));
    return { clientId, secret };
  } catch {
    throw new TesseraError("invalid_credentials", FAILED, { detail: "malformed Basic encoding" });
  }
}

/**
 * True when the request carries any client authentication: HTTP
 * `Authorization`, a `client_secret`, or a client assertion. A `client_id`
 * alone identifies a client and authenticates none.
 */
export function sendsClientAuthentication(request: FastifyRequest, form: OAuthForm): boolean {
  return (
    request.headers.authorization !== undefined ||
    form.has("client_secret") ||
    form.has("client_assertion") ||
    form.has("client_assertion_type")
  );
}

/**
 * What the request presents to authenticate its client, by exactly one
 * method (RFC 6749 §2.3: never more than one in a request): HTTP Basic,
 * `client_id` with `client_secret` in the body, a `client_assertion`
 * (RFC 7523 §2.2), or `client_id` alone (a public client). A `client_id`
 * in the body beside another method must name the same client.
 *
 * @param audiences the `aud` values an assertion may carry here.
 */
export function presentedCredentials(
  request: FastifyRequest,
  form: OAuthForm,
  audiences: readonly string[],
): PresentedClientCredentials {
  const authorization = request.headers.authorization;
  const clientId = form.get("client_id");
  const secret = form.get("client_secret");
  const assertion = form.get("client_assertion");
  const assertionType = form.get("client_assertion_type");
  // A client_assertion_type alone counts: it says the request uses an assertion too.
  const used = [authorization, secret, assertion ?? assertionType].filter(
    (value) => value !== undefined,
  );
  if (used.length > 1) {
    throw new TesseraError(
      "invalid_request",
      "Use one client authentication method per request (RFC 6749 section 2.3)",
    );
  }
  if (authorization !== undefined) {
    if (!/^basic /i.test(authorization)) {
      throw new TesseraError(
        "invalid_request",
        "The token endpoint takes client credentials in Authorization: Basic only",
      );
    }
    const basic = decodeBasicCredentials(authorization);
    if (clientId !== undefined && clientId !== basic.clientId) {
      throw new TesseraError("invalid_request", "client_id differs from the Basic credentials");
    }
    return { method: "client_secret_basic", ...basic };
  }
  if (assertion !== undefined || assertionType !== undefined) {
    if (assertionType !== JWT_CLIENT_ASSERTION_TYPE) {
      throw new TesseraError(
        "invalid_request",
        `client_assertion_type must be ${JWT_CLIENT_ASSERTION_TYPE}`,
      );
    }
    if (assertion === undefined) {
      throw new TesseraError("invalid_request", "client_assertion is required");
    }
    return {
      method: "private_key_jwt",
      assertion,
      audiences,
      ...(clientId === undefined ? {} : { clientId }),
    };
  }
  if (clientId === undefined) {
    if (secret !== undefined) {
      throw new TesseraError("invalid_request", "client_secret needs a client_id beside it");
    }
    throw new TesseraError("invalid_credentials", FAILED, { detail: "no client credentials" });
  }
  return secret === undefined
    ? { method: "none", clientId }
    : { method: "client_secret_post", clientId, secret };
}
