import { BaseAPI } from "./base-api.js";
import type { ApiResponse } from "./errors.js";
import type {
  ImpersonateHeaders,
  ImpersonateRequest,
  SessionRevoked,
  SessionTokenRequest,
  SessionTokenResponse,
} from "./models.js";
import type { OperationSpec } from "./operation-spec.js";
import type { RequestOptions } from "./transport.js";
import { assertParamExists } from "./transport-errors.js";

/**
 * The session API's operations (spec 000, 001, 003, tag `session`). Every
 * one needs the API key; `createToken` also takes the user's Basic
 * credentials (spec 001 lists BasicAuth), which the server reads when the
 * body has no username and password; `impersonate` the caller's ID token
 * (`IdTokenAuth`), which the call passes with its `AccessToken`.
 *
 * @example
 * SESSION_API_OPERATIONS.revokeSessionToken.method; // "DELETE"
 */
export const SESSION_API_OPERATIONS = {
  createToken: {
    operationId: "createToken",
    tag: "session",
    method: "POST",
    path: "/auth/token",
    security: [["ApiKeyAuth"], ["ApiKeyAuth", "BasicAuth"]],
    retry: "unsafe",
    dialect: "session-api",
  },
  revokeSessionToken: {
    operationId: "revokeSessionToken",
    tag: "session",
    method: "DELETE",
    path: "/auth/token",
    security: [["ApiKeyAuth"]],
    retry: "idempotent",
    dialect: "session-api",
  },
  impersonate: {
    operationId: "impersonate",
    tag: "session",
    method: "POST",
    path: "/auth/impersonate",
    security: [["ApiKeyAuth", "IdTokenAuth"]],
    retry: "unsafe",
    dialect: "session-api",
  },
} as const satisfies Record<string, OperationSpec>;

/**
 * The session API (Tenovos-compatible): log in by password, refresh, end
 * a session, impersonate. `configuration.apiKey` is the `X-API-Key`;
 * `configuration.username`/`password`, when set, log in by Basic.
 *
 * @example
 * const session = new SessionApi(new Configuration({ basePath, apiKey }));
 * const { data } = await session.createToken({ username: "alice", password });
 * const refreshed = await session.createToken(data); // the previous answer refreshes
 * await session.revokeSessionToken(refreshed.data);
 */
export class SessionApi extends BaseAPI {
  /**
   * A new session from `{username, password}` (or, with no body, the
   * configuration's Basic credentials), or refreshed tokens from the
   * previous answer (or just `{session: {refreshToken}}`).
   *
   * @example
   * const { data } = await session.createToken({ session: { refreshToken } });
   */
  createToken(
    body?: SessionTokenRequest,
    options?: RequestOptions,
  ): Promise<ApiResponse<SessionTokenResponse>> {
    return this.send(
      { operation: SESSION_API_OPERATIONS.createToken, body: { json: body } },
      options,
    );
  }

  /**
   * Ends the session of the previous answer's refresh token (else its
   * access token), with any impersonation session born of it. Idempotent:
   * an unknown or already-ended session answers the same success.
   *
   * @example
   * await session.revokeSessionToken({ session: { refreshToken } });
   */
  async revokeSessionToken(
    body: SessionTokenRequest,
    options?: RequestOptions,
  ): Promise<ApiResponse<SessionRevoked>> {
    assertParamExists("revokeSessionToken", "body", body);
    return this.send(
      { operation: SESSION_API_OPERATIONS.revokeSessionToken, body: { json: body } },
      options,
    );
  }

  /**
   * Tokens for another user, for a caller allowed to impersonate
   * (deprecated by the server in favour of OAuth token exchange; its answers
   * carry `Deprecation` and a `Link` to the successor). `headers` are the
   * caller's ID token (`Authorization`) and access token (`AccessToken`),
   * from its own session.
   *
   * @example
   * const { data } = await session.impersonate(
   *   { username: "bob" },
   *   { authorization: admin.session.authorization, accessToken: admin.session.accessToken },
   * );
   */
  async impersonate(
    body: ImpersonateRequest,
    headers: ImpersonateHeaders,
    options?: RequestOptions,
  ): Promise<ApiResponse<SessionTokenResponse>> {
    assertParamExists("impersonate", "body", body);
    assertParamExists("impersonate", "headers", headers);
    return this.send(
      {
        operation: SESSION_API_OPERATIONS.impersonate,
        headers: { Authorization: headers.authorization, AccessToken: headers.accessToken },
        body: { json: body },
      },
      options,
    );
  }
}
