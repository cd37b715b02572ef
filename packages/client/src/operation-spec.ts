import type { ErrorDialect } from "./error-dialects.js";
import type { RetryClass } from "./retry.js";

/**
 * The security schemes the SDK applies, by the names the server's
 * `/openapi.json` gives them (`ClientKey`, `LongTokenAuth`,
 * `ShortTokenAuth`, `ClientSecretBasic`), and the session and operations
 * APIs' own: `BasicAuth` (spec 001's user Basic credentials) and
 * `OperationTokenAuth` (spec 002's operation token as Bearer).
 *
 * @example
 * const scheme: SecurityScheme = "ClientKey"; // X-API-Key from configuration.apiKey
 */
export type SecurityScheme =
  | "ClientKey"
  | "LongTokenAuth"
  | "ShortTokenAuth"
  | "OperationTokenAuth"
  | "BasicAuth"
  | "ClientSecretBasic";

/**
 * An operation's security as OpenAPI writes it: alternatives, each a set
 * of schemes sent together; an empty set allows a call without any.
 *
 * @example
 * const security: Security = [["ClientKey"], ["ClientKey", "ShortTokenAuth"]];
 */
export type Security = readonly (readonly SecurityScheme[])[];

/**
 * One row of an API class's operation table: everything the transport
 * needs to send the operation, declared once, so the table can be compared
 * with the server's `/openapi.json`.
 *
 * @example
 * const row: OperationSpec = {
 *   operationId: "listTokens",
 *   tag: "Auth",
 *   method: "GET",
 *   path: "/auth/tokens",
 *   security: [["LongTokenAuth"], ["ShortTokenAuth"]],
 *   retry: "safe",
 *   dialect: "token-api",
 * };
 */
export interface OperationSpec {
  /** The operation's `operationId` in the server's `/openapi.json`. */
  readonly operationId: string;
  readonly tag: string;
  readonly method: "GET" | "POST" | "DELETE";
  /** The path below the base path, with `{name}` for path parameters. */
  readonly path: string;
  readonly security: Security;
  readonly retry: RetryClass;
  /** How the server words this operation's errors. */
  readonly dialect: ErrorDialect;
  /**
   * `false` for a route the server serves but leaves out of its document
   * (JWKS), so a comparison with the document knows to skip it.
   */
  readonly documented?: false;
}
