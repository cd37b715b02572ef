import { BaseAPI } from "./base-api.js";
import type { ApiResponse } from "./errors.js";
import type {
  AuthorizationServerMetadata,
  IntrospectionRequest,
  IntrospectionResponse,
  JsonWebKeySet,
  OAuthClientAuthentication,
  OAuthTokenRequest,
  OAuthTokenResponse,
  RevocationRequest,
} from "./models.js";
import type { OperationSpec, Security } from "./operation-spec.js";
import type { RequestOptions } from "./transport.js";
import { assertParamExists } from "./transport-errors.js";

const CLIENT_AUTH: Security = [[], ["ClientSecretBasic"]];

/**
 * OAuth 2.0's operations (tag `oauth`). Each POST endpoint has two rows, as
 * the server's document has: below a tenant's issuer, and unprefixed for
 * the default tenant (`…DefaultTenant`); the JWKS likewise (`getJwks` for
 * the default tenant, `getTenantJwks`, tag `keys`), whose errors are worded
 * as the session API's.
 *
 * @example
 * OAUTH_API_OPERATIONS.oauthToken.path; // "/tenants/{tenantId}/oauth/token"
 */
export const OAUTH_API_OPERATIONS = {
  oauthToken: {
    operationId: "oauthToken",
    tag: "oauth",
    method: "POST",
    path: "/tenants/{tenantId}/oauth/token",
    security: CLIENT_AUTH,
    retry: "unsafe",
    dialect: "oauth",
  },
  oauthTokenDefaultTenant: {
    operationId: "oauthTokenDefaultTenant",
    tag: "oauth",
    method: "POST",
    path: "/oauth/token",
    security: CLIENT_AUTH,
    retry: "unsafe",
    dialect: "oauth",
  },
  oauthIntrospect: {
    operationId: "oauthIntrospect",
    tag: "oauth",
    method: "POST",
    path: "/tenants/{tenantId}/oauth/introspect",
    security: CLIENT_AUTH,
    retry: "safe",
    dialect: "oauth",
  },
  oauthIntrospectDefaultTenant: {
    operationId: "oauthIntrospectDefaultTenant",
    tag: "oauth",
    method: "POST",
    path: "/oauth/introspect",
    security: CLIENT_AUTH,
    retry: "safe",
    dialect: "oauth",
  },
  oauthRevoke: {
    operationId: "oauthRevoke",
    tag: "oauth",
    method: "POST",
    path: "/tenants/{tenantId}/oauth/revoke",
    security: CLIENT_AUTH,
    retry: "idempotent",
    dialect: "oauth",
  },
  oauthRevokeDefaultTenant: {
    operationId: "oauthRevokeDefaultTenant",
    tag: "oauth",
    method: "POST",
    path: "/oauth/revoke",
    security: CLIENT_AUTH,
    retry: "idempotent",
    dialect: "oauth",
  },
  getAuthorizationServerMetadata: {
    operationId: "getAuthorizationServerMetadata",
    tag: "oauth",
    method: "GET",
    path: "/.well-known/oauth-authorization-server/tenants/{tenantId}",
    security: [],
    retry: "safe",
    dialect: "oauth",
  },
  getOpenIdConfiguration: {
    operationId: "getOpenIdConfiguration",
    tag: "oauth",
    method: "GET",
    path: "/tenants/{tenantId}/.well-known/openid-configuration",
    security: [],
    retry: "safe",
    dialect: "oauth",
  },
  getJwks: {
    operationId: "getJwks",
    tag: "keys",
    method: "GET",
    path: "/.well-known/jwks.json",
    security: [],
    retry: "safe",
    dialect: "session-api",
  },
  getTenantJwks: {
    operationId: "getTenantJwks",
    tag: "keys",
    method: "GET",
    path: "/tenants/{tenantId}/.well-known/jwks.json",
    security: [],
    retry: "safe",
    dialect: "session-api",
  },
} as const satisfies Record<string, OperationSpec>;

/**
 * A form that authenticates its client itself (`client_secret_post`,
 * `private_key_jwt`) is sent without Basic credentials: RFC 6749 §2.3
 * allows one method a request, and the server refuses two.
 */
function securityOf(form: OAuthClientAuthentication): Security | undefined {
  return form.client_secret !== undefined || form.client_assertion !== undefined ? [[]] : undefined;
}

/**
 * OAuth 2.0 for a tenant: the token endpoint (RFC 6749 §3.2, every grant
 * the tenant serves), introspection (RFC 7662), revocation (RFC 7009),
 * discovery (RFC 8414, OpenID Connect) and the JWKS. Each POST takes the
 * tenant's id (default: the default tenant's unprefixed endpoint). The
 * client authenticates by `client_secret_basic` from
 * `configuration.username`/`password` (its id and secret), or by the
 * members of the form.
 *
 * @example
 * const oauth = new OAuthApi(new Configuration({ basePath, username: clientId, password: clientSecret }));
 * const { data } = await oauth.token({ grant_type: "client_credentials" });
 * const { data: described } = await oauth.introspect({ token: data.access_token });
 */
export class OAuthApi extends BaseAPI {
  /**
   * POSTs a form to one of the three endpoints: at `tenantId`'s route, or
   * the default tenant's without one, with the form's own client
   * authentication in place of Basic when it carries one.
   */
  #postForm<T>(
    atTenant: OperationSpec,
    atDefaultTenant: OperationSpec,
    form: OAuthClientAuthentication,
    tenantId: string | undefined,
    options: RequestOptions | undefined,
  ): Promise<ApiResponse<T>> {
    const security = securityOf(form);
    return this.send(
      {
        operation: tenantId === undefined ? atDefaultTenant : atTenant,
        ...(tenantId === undefined ? {} : { pathParams: { tenantId } }),
        body: { form },
        ...(security === undefined ? {} : { security }),
      },
      options,
    );
  }

  /**
   * Asks the token endpoint for tokens. Never retried: a grant may be one-time.
   *
   * @example
   * const { data } = await oauth.token({ grant_type: "refresh_token", refresh_token }, "acme");
   */
  async token(
    form: OAuthTokenRequest,
    tenantId?: string,
    options?: RequestOptions,
  ): Promise<ApiResponse<OAuthTokenResponse>> {
    assertParamExists("token", "form", form);
    return this.#postForm(
      OAUTH_API_OPERATIONS.oauthToken,
      OAUTH_API_OPERATIONS.oauthTokenDefaultTenant,
      form,
      tenantId,
      options,
    );
  }

  /**
   * Describes any token Tessera issues; `{active: false}` for one the
   * client may not see or use. Safe, so retried after a network failure too.
   *
   * @example
   * const { data } = await oauth.introspect({ token });
   */
  async introspect(
    form: IntrospectionRequest,
    tenantId?: string,
    options?: RequestOptions,
  ): Promise<ApiResponse<IntrospectionResponse>> {
    assertParamExists("introspect", "form", form);
    return this.#postForm(
      OAUTH_API_OPERATIONS.oauthIntrospect,
      OAUTH_API_OPERATIONS.oauthIntrospectDefaultTenant,
      form,
      tenantId,
      options,
    );
  }

  /**
   * Revokes a token issued to the client (any of the tenant's with
   * `tokens:admin`), ending its session. 200 whatever the token was.
   *
   * @example
   * await oauth.revoke({ token: refreshToken, token_type_hint: "refresh_token" });
   */
  async revoke(
    form: RevocationRequest,
    tenantId?: string,
    options?: RequestOptions,
  ): Promise<ApiResponse<void>> {
    assertParamExists("revoke", "form", form);
    return this.#postForm(
      OAUTH_API_OPERATIONS.oauthRevoke,
      OAUTH_API_OPERATIONS.oauthRevokeDefaultTenant,
      form,
      tenantId,
      options,
    );
  }

  /**
   * The tenant's RFC 8414 metadata, whose `issuer` is the tenant's issuer.
   *
   * @example
   * const { data } = await oauth.getAuthorizationServerMetadata("default");
   */
  async getAuthorizationServerMetadata(
    tenantId: string,
    options?: RequestOptions,
  ): Promise<ApiResponse<AuthorizationServerMetadata>> {
    assertParamExists("getAuthorizationServerMetadata", "tenantId", tenantId);
    return this.send(
      { operation: OAUTH_API_OPERATIONS.getAuthorizationServerMetadata, pathParams: { tenantId } },
      options,
    );
  }

  /**
   * The tenant's OpenID Connect discovery document (the same metadata).
   *
   * @example
   * const { data } = await oauth.getOpenIdConfiguration("default");
   */
  async getOpenIdConfiguration(
    tenantId: string,
    options?: RequestOptions,
  ): Promise<ApiResponse<AuthorizationServerMetadata>> {
    assertParamExists("getOpenIdConfiguration", "tenantId", tenantId);
    return this.send(
      { operation: OAUTH_API_OPERATIONS.getOpenIdConfiguration, pathParams: { tenantId } },
      options,
    );
  }

  /**
   * The tenant's public signing keys (the default tenant's without an id),
   * to verify its JWTs with.
   *
   * @example
   * const { data } = await oauth.getJwks("acme");
   */
  getJwks(tenantId?: string, options?: RequestOptions): Promise<ApiResponse<JsonWebKeySet>> {
    return this.send(
      tenantId === undefined
        ? { operation: OAUTH_API_OPERATIONS.getJwks }
        : { operation: OAUTH_API_OPERATIONS.getTenantJwks, pathParams: { tenantId } },
      options,
    );
  }
}
