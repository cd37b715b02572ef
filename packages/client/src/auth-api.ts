import { BaseAPI } from "./base-api.js";
import type { ApiResponse } from "./errors.js";
import type {
  LongTokenRequest,
  LongTokenResponse,
  ShortTokenRequest,
  ShortTokenResponse,
  TokenList,
  TokenListQuery,
} from "./models.js";
import type { OperationSpec } from "./operation-spec.js";
import type { RequestOptions } from "./transport.js";
import { assertParamExists } from "./transport-errors.js";

/**
 * The token API's operations (spec 004, tag `Auth`), as the server's
 * `/openapi.json` declares them.
 *
 * @example
 * AUTH_API_OPERATIONS.revokeToken.retry; // "idempotent"
 */
export const AUTH_API_OPERATIONS = {
  issueLongTermToken: {
    operationId: "issueLongTermToken",
    tag: "Auth",
    method: "POST",
    path: "/auth/tokens/long",
    security: [["ClientKey"], ["ClientKey", "ShortTokenAuth"]],
    retry: "unsafe",
    dialect: "token-api",
  },
  issueShortTermToken: {
    operationId: "issueShortTermToken",
    tag: "Auth",
    method: "POST",
    path: "/auth/tokens/short",
    security: [["LongTokenAuth"]],
    retry: "unsafe",
    dialect: "token-api",
  },
  revokeToken: {
    operationId: "revokeToken",
    tag: "Auth",
    method: "POST",
    path: "/auth/tokens/{tokenId}/revoke",
    security: [["LongTokenAuth"], ["ShortTokenAuth"]],
    retry: "idempotent",
    dialect: "token-api",
  },
  listTokens: {
    operationId: "listTokens",
    tag: "Auth",
    method: "GET",
    path: "/auth/tokens",
    security: [["LongTokenAuth"], ["ShortTokenAuth"]],
    retry: "safe",
    dialect: "token-api",
  },
} as const satisfies Record<string, OperationSpec>;

/**
 * The token API for automation (spec 004), called as its generated client
 * is: `const { status, data } = await api.issueLongTermToken(request)`.
 * `configuration.apiKey` is the client key (`X-API-Key`);
 * `configuration.accessToken` is the Bearer token: a short-term token of
 * scope `tokens:write` for `issueLongTermToken` (when it steps up with one),
 * the long-term token for `issueShortTermToken`, either for `revokeToken`
 * and `listTokens`.
 *
 * @example
 * const api = new AuthApi(new Configuration({ basePath, apiKey }));
 * const { status, data, headers } = await api.issueLongTermToken({
 *   grant_type: "client_credentials",
 *   client_id: "ci-deployer",
 *   client_secret: clientSecret,
 * });
 * // status 201, headers["x-token-id"] === data.token_id
 */
export class AuthApi extends BaseAPI {
  /**
   * Issues or rotates a long-term token (30-90 days), stepping up with one
   * mechanism: the client secret, a TOTP code, a signed assertion, or (with
   * no body) the short-term token in `configuration.accessToken`. Never
   * retried: each call issues a token.
   *
   * @example
   * const { data } = await api.issueLongTermToken({ assertion: signedJwt });
   */
  issueLongTermToken(
    longTokenRequest?: LongTokenRequest,
    options?: RequestOptions,
  ): Promise<ApiResponse<LongTokenResponse>> {
    return this.send(
      { operation: AUTH_API_OPERATIONS.issueLongTermToken, body: { json: longTokenRequest } },
      options,
    );
  }

  /**
   * Exchanges the long-term token in `configuration.accessToken` for a
   * short-term JWT (at most 15 minutes), optionally narrowed.
   *
   * @example
   * const { data } = await api.issueShortTermToken({ scopes: ["deploy:staging"] });
   */
  issueShortTermToken(
    shortTokenRequest?: ShortTokenRequest,
    options?: RequestOptions,
  ): Promise<ApiResponse<ShortTokenResponse>> {
    return this.send(
      { operation: AUTH_API_OPERATIONS.issueShortTermToken, body: { json: shortTokenRequest } },
      options,
    );
  }

  /**
   * Revokes a long- or short-term token of the caller's client by id
   * (a long-term token's short-term tokens with it). Idempotent: 204 for a
   * token already revoked, so a 429 or 503 is retried.
   *
   * @example
   * await api.revokeToken(data.token_id);
   */
  async revokeToken(tokenId: string, options?: RequestOptions): Promise<ApiResponse<void>> {
    assertParamExists("revokeToken", "tokenId", tokenId);
    return this.send(
      { operation: AUTH_API_OPERATIONS.revokeToken, pathParams: { tokenId } },
      options,
    );
  }

  /**
   * Lists the caller's client's tokens, newest first, never a token itself;
   * live ones unless `include_ended`. Safe, so retried after a network failure too.
   *
   * @example
   * const { data } = await api.listTokens({ include_ended: true });
   */
  listTokens(params?: TokenListQuery, options?: RequestOptions): Promise<ApiResponse<TokenList>> {
    return this.send(
      {
        operation: AUTH_API_OPERATIONS.listTokens,
        query: {
          include_ended:
            params?.include_ended === undefined ? undefined : String(params.include_ended),
          limit: params?.limit === undefined ? undefined : String(params.limit),
        },
      },
      options,
    );
  }
}
