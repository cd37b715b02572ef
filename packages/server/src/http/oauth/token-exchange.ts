import { isTesseraError } from "../../core/errors.js";
import { exchangeToken } from "../../core/grants/token-exchange.js";
import { OAuthDialectError } from "./errors.js";
import type { OAuthForm } from "./form.js";
import {
  clientTokenAnswer,
  type GrantCall,
  scopesOf,
  sessionTokenAnswer,
  type TokenResponse,
} from "./grant-call.js";

/** RFC 8693 §3: an OAuth 2.0 access token. */
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
/** RFC 8693 §3: a JWT (RFC 7519). */
export const JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";

/**
 * The types a subject or actor token may be declared as: Tessera exchanges
 * its own access tokens, which are JWTs, so either name fits them.
 */
export const EXCHANGED_TOKEN_TYPES = [ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE] as const;
/** The types an exchange issues: an access token, a JWT (RFC 9068) either way. */
export const ISSUED_TOKEN_TYPES = [ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE] as const;

function refuse(message: string): never {
  throw new OAuthDialectError("invalid_request", message);
}

/** A token type parameter's value, checked against `allowed`; never quoted back. */
function tokenTypeOf(
  form: OAuthForm,
  name: string,
  allowed: readonly string[],
): string | undefined {
  const value = form.get(name);
  if (value !== undefined && !allowed.includes(value)) {
    refuse(`${name} must be one of ${allowed.join(", ")}`);
  }
  return value;
}

/**
 * The refusals of an exchange's own rules in OAuth's words: once the
 * client has proven itself and its registration for the grant (checked
 * at authentication), a `forbidden` is about the tokens presented (an
 * actor without `impersonate`, a more privileged target, chaining, a
 * `may_act` naming someone else), so `invalid_grant` (RFC 6749 §5.2), not
 * `unauthorized_client`.
 */
function inExchangeWords(error: unknown): unknown {
  return isTesseraError(error) && error.code === "forbidden"
    ? new OAuthDialectError("invalid_grant", error.message)
    : error;
}

/**
 * RFC 8693 §2: the token exchange grant. `subject_token` with its
 * `subject_token_type` is required; `requested_subject` (Keycloak's
 * convention) asks for impersonation, `actor_token` with its
 * `actor_token_type` (required together, §2.1) for delegation.
 * `requested_token_type` may ask for an access token or a JWT (the same
 * token); any other type is `invalid_request`, as is any token type
 * Tessera does not exchange. The answer names `issued_token_type`
 * (§2.2.1); an impersonation's carries its session's ID token and (for a
 * client registered for `refresh_token`) its refresh token, a delegation
 * has no session of its own and carries neither.
 */
export async function tokenExchange(call: GrantCall): Promise<TokenResponse> {
  const { ctx, served, client, form, request } = call;
  const subjectToken = form.require("subject_token");
  if (tokenTypeOf(form, "subject_token_type", EXCHANGED_TOKEN_TYPES) === undefined) {
    refuse("subject_token_type is required");
  }
  const actorToken = form.get("actor_token");
  const actorTokenType = tokenTypeOf(form, "actor_token_type", EXCHANGED_TOKEN_TYPES);
  if ((actorToken === undefined) !== (actorTokenType === undefined)) {
    refuse("actor_token and actor_token_type are sent together (RFC 8693 section 2.1)");
  }
  const issuedTokenType =
    tokenTypeOf(form, "requested_token_type", ISSUED_TOKEN_TYPES) ?? ACCESS_TOKEN_TYPE;
  const requestedSubject = form.get("requested_subject");
  const scopes = scopesOf(form.get("scope"));
  const result = await exchangeToken(ctx, {
    tenant: served.tenant,
    client,
    subjectToken,
    ip: request.ip,
    resources: form.all("resource"),
    audiences: form.all("audience"),
    ...(actorToken === undefined ? {} : { actorToken }),
    ...(requestedSubject === undefined ? {} : { requestedSubject }),
    ...(scopes === undefined ? {} : { scopes }),
  }).catch((error: unknown) => {
    throw inExchangeWords(error);
  });
  const answer =
    result.mode === "impersonation"
      ? sessionTokenAnswer(ctx, result.tokens, client)
      : clientTokenAnswer(result);
  return { ...answer, issued_token_type: issuedTokenType };
}
