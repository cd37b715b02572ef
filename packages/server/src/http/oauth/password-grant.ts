import { isTesseraError } from "../../core/errors.js";
import { loginForClient } from "../../core/grants/password.js";
import { OAuthDialectError } from "./errors.js";
import {
  type GrantCall,
  requireSessionScope,
  sessionTokenAnswer,
  type TokenResponse,
} from "./grant-call.js";

/**
 * RFC 6749 §4.3: a user's session for the client, by the session API's
 * own login (throttle, dummy hash, audit), where the tenant serves the
 * grant. A wrong username or password is the grant failing, not the
 * client: `invalid_grant` (§5.2), one answer for an unknown user and a
 * wrong password. The answer is the session's, as the refresh token grant
 * gives it (its refresh token only for a client registered for
 * `refresh_token`).
 */
export async function password(call: GrantCall): Promise<TokenResponse> {
  const { ctx, served, client, form, request } = call;
  const username = form.require("username");
  const secret = form.require("password");
  requireSessionScope(form);
  const tokens = await loginForClient(ctx, {
    tenant: served.tenant,
    client,
    username,
    password: secret,
    ip: request.ip,
  }).catch((error: unknown) => {
    if (isTesseraError(error) && error.code === "invalid_credentials") {
      throw new OAuthDialectError("invalid_grant", error.message);
    }
    throw error;
  });
  return sessionTokenAnswer(ctx, tokens, client);
}
