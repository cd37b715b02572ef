/**
 * `@tessera/client`: the TypeScript SDK for Tessera. One class per API,
 * called as the token API's generated client is
 * (`const { status, data } = await api.issueLongTermToken(request)`), on
 * the platform's fetch, with typed errors and bounded retries.
 */

export * from "./api-errors.js";
export { AUTH_API_OPERATIONS, AuthApi } from "./auth-api.js";
export { BaseAPI } from "./base-api.js";
export * from "./clients/index.js";
export * from "./configuration.js";
export { type ClassifiedError, classifyError, type ErrorDialect } from "./error-dialects.js";
export * from "./errors.js";
export type * from "./models.js";
export { LongTokenRequestGrantTypeEnum } from "./models.js";
export { OAUTH_API_OPERATIONS, OAuthApi } from "./oauth-api.js";
export type { OperationSpec, Security, SecurityScheme } from "./operation-spec.js";
export {
  OPERATIONS,
  OPERATIONS_API_OPERATIONS,
  OperationsApi,
  type OperationsPath,
} from "./operations-api.js";
export { DEFAULT_RETRY, type RetryClass } from "./retry.js";
export { SESSION_API_OPERATIONS, SessionApi } from "./session-api.js";
export type { RequestOptions } from "./transport.js";
export * from "./transport-errors.js";
export * from "./verify/index.js";
