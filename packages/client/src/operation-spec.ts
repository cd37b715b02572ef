import type { ErrorDialect } from "./error-dialects.js";
import type { RetryClass } from "./retry.js";

/**
 * The security schemes of the server's `/openapi.json`, and where the SDK
 * takes each credential from:
 *
 * - `ClientKey` (token API) and `ApiKeyAuth` (session API): `X-API-Key`,
 *   from `configuration.apiKey`;
 * - `LongTokenAuth`, `ShortTokenAuth`: Bearer, from `configuration.accessToken`;
 * - `BasicAuth` (a user's) and `ClientSecretBasic` (a client's, RFC 6749
 *   §2.3.1): from `configuration.username` and `password`;
 * - `OperationToken` (spec 002's operation token, or refresh token, as
 *   Bearer): from `configuration.accessToken`;
 * - `OperationsBasic` (spec 002's user Basic credentials): from
 *   `configuration.username` and `password`;
 * - `IdTokenAuth` (spec 003's ID token in `Authorization`): from the call
 *   itself (`impersonate`'s headers), never from the configuration.
 *
 * @example
 * const scheme: SecurityScheme = "ClientKey"; // X-API-Key from configuration.apiKey
 */
export type SecurityScheme =
  | "ClientKey"
  | "ApiKeyAuth"
  | "LongTokenAuth"
  | "ShortTokenAuth"
  | "OperationToken"
  | "IdTokenAuth"
  | "BasicAuth"
  | "OperationsBasic"
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
}
