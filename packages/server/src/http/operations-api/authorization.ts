import type { CoreContext } from "../../core/context.js";
import { TesseraError } from "../../core/errors.js";
import type { TenantRecord } from "../../core/model/index.js";
import type { OperationsCaller } from "../../core/operation-tokens/caller.js";
import { checkPassword } from "../../core/sessions/check-password.js";
import { requireToken } from "../../core/tokens/registry.js";
import { reworded } from "./errors.js";

/** An `Authorization` header as HarperDB reads it. */
export type Credentials =
  | { readonly scheme: "Basic"; readonly username: string; readonly password: string }
  | { readonly scheme: "Bearer"; readonly token: string }
  | { readonly scheme: "malformed" }
  | undefined;

/** HarperDB's answer when an operation needs a caller and none is given. */
export const MUST_LOGIN = "Must login";

/**
 * Parses `Authorization: Basic <base64 user:pass>` or `Bearer <token>`.
 * Scheme names are case-sensitive, as HarperDB matches them; any other
 * scheme, and `Basic` with an empty `user:pass`, count as no credentials.
 */
export function parseAuthorization(header: string | undefined): Credentials {
  if (header === undefined) {
    return undefined;
  }
  const space = header.indexOf(" ");
  const scheme = space < 0 ? header : header.slice(0, space);
  const value = space < 0 ? "" : header.slice(space + 1).trim();
  if (scheme === "Bearer") {
    return value === "" ? { scheme: "malformed" } : { scheme: "Bearer", token: value };
  }
  if (scheme !== "Basic") {
    return undefined;
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    return { scheme: "malformed" };
  }
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) {
    return { scheme: "malformed" };
  }
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  return username === "" && password === "" ? undefined : { scheme: "Basic", username, password };
}

/**
 * Authenticates the caller of an operation that needs one.
 *
 * - Basic: the password is checked (throttled, audited) on every call, as
 *   HarperDB does; a failure is 401 `Login failed`.
 * - Bearer: an operation token, checked against revocation; a refresh
 *   token or anything else is 401 `invalid token`, an expired token 401
 *   `token expired`. HarperDB carries on without a user after an expired
 *   token; Tessera refuses.
 * - None: 401 `Must login`. HarperDB lets loopback callers in as the super
 *   user without credentials by default; Tessera never does.
 */
export async function authenticateCaller(
  ctx: CoreContext,
  input: { readonly tenant: TenantRecord; readonly credentials: Credentials; readonly ip: string },
): Promise<OperationsCaller> {
  const { tenant, credentials, ip } = input;
  if (credentials === undefined) {
    throw new TesseraError("invalid_credentials", MUST_LOGIN);
  }
  switch (credentials.scheme) {
    case "Basic": {
      const user = await reworded(
        checkPassword(ctx, {
          tenantId: tenant.id,
          username: credentials.username,
          password: credentials.password,
          ip,
        }),
        { invalid_credentials: "Login failed" },
      );
      return { user };
    }
    case "Bearer": {
      const { user, session } = await requireToken(ctx, credentials.token, {
        kinds: ["operation_token"],
        tenantId: tenant.id,
      });
      return { user, session };
    }
    default:
      throw new TesseraError("invalid_credentials", "Login failed", {
        detail: "malformed Authorization header",
      });
  }
}
