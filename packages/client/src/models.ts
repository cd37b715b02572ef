/**
 * Every wire model of the four APIs, in one file so that it can be
 * compared with the server's `/openapi.json`: each is named as the
 * document's `components.schemas` names it (the token API's as spec 004's
 * generated client does), and the few the document leaves inline (the
 * `session` object, the JWK, the listing query, the operations API's
 * session, user and role) are named here. Field names are the wire's.
 */

// ---------------------------------------------------------------- token API (spec 004)

/**
 * The grant a long-term token request steps up with, as the generated
 * client names the enum of `LongTokenRequest.grant_type`.
 *
 * @example
 * const request: LongTokenRequest = { grant_type: LongTokenRequestGrantTypeEnum.ClientCredentials };
 */
export const LongTokenRequestGrantTypeEnum = {
  ClientCredentials: "client_credentials",
  UrnIetfParamsOauthGrantTypeJwtBearer: "urn:ietf:params:oauth:grant-type:jwt-bearer",
} as const;

/**
 * One of {@link LongTokenRequestGrantTypeEnum}'s values.
 *
 * @example
 * const grant: LongTokenRequestGrantTypeEnum = "client_credentials";
 */
export type LongTokenRequestGrantTypeEnum =
  (typeof LongTokenRequestGrantTypeEnum)[keyof typeof LongTokenRequestGrantTypeEnum];

/**
 * `POST /auth/tokens/long` (server: `token-api/schemas.ts` `longTokenRequest`).
 * One step-up mechanism a call: `client_secret`, `otp_code`, `assertion`,
 * or none with a short-term token of scope `tokens:write` as Bearer.
 *
 * @example
 * const request: LongTokenRequest = {
 *   grant_type: "client_credentials",
 *   client_id: "ci-deployer",
 *   client_secret: clientSecret,
 *   ttl_days: 30,
 * };
 */
export interface LongTokenRequest {
  grant_type?: LongTokenRequestGrantTypeEnum;
  client_id?: string;
  client_secret?: string;
  /** A TOTP code (RFC 6238) from the client's enrolled authenticator. */
  otp_code?: string;
  /** A JWT the client signed with a registered key (RFC 7523). */
  assertion?: string;
  /** 30 to 90. */
  ttl_days?: number;
  /** Only narrows the client's scopes. */
  scopes?: string[];
  name?: string;
  /** Rotate: the new token replaces this one. */
  rotate_token_id?: string;
}

/**
 * A long-term token, shown only in this answer (`longTokenResponse`); the
 * answer's `X-Token-Id` header repeats `token_id`.
 *
 * @example
 * const { data } = await api.issueLongTermToken(request);
 * store(data.token_id, data.token);
 */
export interface LongTokenResponse {
  token_id: string;
  token: string;
  token_type: "long_term";
  scopes: string[];
  /** ISO 8601. */
  expires_at: string;
}

/**
 * `POST /auth/tokens/short`, optional (`shortTokenRequest`).
 *
 * @example
 * const request: ShortTokenRequest = { scopes: ["deploy:staging"], ttl_seconds: 300 };
 */
export interface ShortTokenRequest {
  scopes?: string[];
  audience?: string;
  /** 60 to 900. */
  ttl_seconds?: number;
}

/**
 * A short-term access token, a JWT (`shortTokenResponse`).
 *
 * @example
 * const { data } = await api.issueShortTermToken();
 * headers.Authorization = `Bearer ${data.access_token}`;
 */
export interface ShortTokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  token_id: string;
  /** Space-separated. */
  scope: string;
}

/**
 * `GET /auth/tokens` query, with typed values (`tokenListQuery` sends them as strings).
 *
 * @example
 * await api.listTokens({ include_ended: true, limit: 50 });
 */
export interface TokenListQuery {
  /** Also revoked, replaced and expired tokens. */
  include_ended?: boolean;
  limit?: number;
}

/**
 * One token as `GET /auth/tokens` lists it (`TokenSummary`): never the token itself.
 *
 * @example
 * const live = data.tokens.filter((token: TokenSummary) => token.revoked_at === null);
 */
export interface TokenSummary {
  token_id: string;
  token_type: "long_term" | "short_term";
  name: string;
  prefix: string | null;
  scopes: string[];
  audience: string | null;
  parent_token_id: string | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string;
  revoked_at: string | null;
  replaced_by_token_id: string | null;
}

/**
 * `GET /auth/tokens` (`TokenList`).
 *
 * @example
 * const { data } = await api.listTokens();
 * data.tokens.length;
 */
export interface TokenList {
  tokens: TokenSummary[];
}

/**
 * The token API's error body: RFC 9457 problem details with Tessera's
 * stable `code` (`problemSchema`, `$id: Problem`).
 *
 * @example
 * const problem = error.response.data as Problem;
 * problem.code; // "invalid_client"
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  /** `urn:uuid:` and the request id. */
  instance?: string;
}

// ---------------------------------------------------------------- session API (spec 000, 001, 003)

/**
 * The `session` object of a session response: the tokens.
 *
 * @example
 * const headers = { AccessToken: data.session.accessToken };
 */
export interface SessionTokens {
  /** The ID token (a JWT): `impersonate`'s `Authorization`. */
  authorization: string;
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, in epoch milliseconds. */
  expireEpoch: number;
}

/**
 * `POST /auth/token` and `DELETE /auth/token` body (`tokenRequestBody`):
 * `{username, password}` to log in, or the previous response (or just
 * `{session: {refreshToken}}`) to refresh or to end the session.
 *
 * @example
 * const login: SessionTokenRequest = { username: "alice", password };
 * const refresh: SessionTokenRequest = { session: { refreshToken } };
 */
export interface SessionTokenRequest {
  endpointUrl?: string;
  clientId?: string;
  userPoolId?: string;
  username?: string;
  password?: string;
  session?: Partial<SessionTokens>;
}

/**
 * A session, field for field as spec 001 shows it (`sessionResponse`).
 * `password` is always empty: the server never echoes one.
 *
 * @example
 * const { data } = await session.createToken({ username: "alice", password });
 * const refreshed = await session.createToken(data);
 */
export interface SessionTokenResponse {
  endpointUrl: string;
  clientId: string;
  /** The tenant. */
  userPoolId: string;
  username: string;
  password: string;
  session: SessionTokens;
}

/**
 * `POST /auth/impersonate` body (`impersonateRequestBody`).
 *
 * @example
 * const request: ImpersonateRequest = { username: "bob" };
 */
export interface ImpersonateRequest {
  username: string;
}

/**
 * `POST /auth/impersonate` header parameters (spec 003): the caller's ID
 * token and access token, from its own session response.
 *
 * @example
 * const headers: ImpersonateHeaders = {
 *   authorization: data.session.authorization,
 *   accessToken: data.session.accessToken,
 * };
 */
export interface ImpersonateHeaders {
  /** Sent as `Authorization`, with or without `Bearer `. */
  authorization: string;
  /** Sent as `AccessToken`. */
  accessToken: string;
}

/**
 * A successful `DELETE /auth/token` (`revokeResponse`).
 *
 * @example
 * const { data } = await session.revokeSessionToken(previous);
 * data.status; // "success"
 */
export interface SessionRevoked {
  status: "success";
  message: string;
}

/**
 * The session API's error body (`SessionError`), as spec 001 shows it.
 *
 * @example
 * (error.response.data as SessionError).message;
 */
export interface SessionError {
  status: "error";
  message: string;
}

// ---------------------------------------------------------------- operations API (spec 002)

/**
 * A JSON value, for HarperDB's free-form permission objects.
 *
 * @example
 * const value: JsonValue = { super_user: false };
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * A role's permission object, kept verbatim as HarperDB shapes it
 * (`super_user: true` is the admin level).
 *
 * @example
 * const permission: RolePermission = { super_user: false };
 */
export type RolePermission = { [key: string]: unknown };

/**
 * `create_authentication_tokens`: with `username` and `password`, tokens
 * for that user (no Authorization needed); with neither, for the caller.
 *
 * @example
 * await ops.runOperation({ operation: "create_authentication_tokens", username: "alice", password });
 */
export interface CreateAuthenticationTokensRequest {
  operation: "create_authentication_tokens";
  username?: string;
  password?: string;
  /** Seconds, or a duration such as `"1h"`: shortens the operation token. */
  expires_in?: string | number;
}

/**
 * `refresh_operation_token`: the refresh token as Bearer, or here, sent by a
 * caller authenticated otherwise.
 *
 * @example
 * await ops.refreshOperationToken({ refresh_token: tokens.refresh_token });
 */
export interface RefreshOperationTokenRequest {
  operation: "refresh_operation_token";
  refresh_token?: string;
}

/**
 * `revoke_authentication_tokens` (Tessera's): at most one target; none
 * ends the caller's own session.
 *
 * @example
 * await ops.revokeAuthenticationTokens({ username: "alice" });
 */
export interface RevokeAuthenticationTokensRequest {
  operation: "revoke_authentication_tokens";
  operation_token?: string;
  refresh_token?: string;
  session_id?: string;
  username?: string;
}

/**
 * `list_sessions` (Tessera's).
 *
 * @example
 * await ops.listSessions({ include_ended: true, limit: 20 });
 */
export interface ListSessionsRequest {
  operation: "list_sessions";
  username?: string;
  include_ended?: boolean;
  limit?: number;
}

/**
 * `user_info`: the caller, with its role.
 *
 * @example
 * await ops.runOperation({ operation: "user_info" });
 */
export interface UserInfoRequest {
  operation: "user_info";
}

/**
 * `list_users` (super users only).
 *
 * @example
 * await ops.runOperation({ operation: "list_users" });
 */
export interface ListUsersRequest {
  operation: "list_users";
}

/**
 * `add_user` (super users only).
 *
 * @example
 * await ops.addUser({ username: "bob", password, role: "reader", active: true });
 */
export interface AddUserRequest {
  operation: "add_user";
  username: string;
  password: string;
  role: string;
  active: boolean;
}

/**
 * `alter_user` (super users only): at least one of the optional fields.
 *
 * @example
 * await ops.alterUser({ username: "bob", active: false });
 */
export interface AlterUserRequest {
  operation: "alter_user";
  username: string;
  password?: string;
  role?: string;
  active?: boolean;
}

/**
 * `drop_user` (super users only).
 *
 * @example
 * await ops.dropUser({ username: "bob" });
 */
export interface DropUserRequest {
  operation: "drop_user";
  username: string;
}

/**
 * `list_roles` (super users only).
 *
 * @example
 * await ops.runOperation({ operation: "list_roles" });
 */
export interface ListRolesRequest {
  operation: "list_roles";
}

/**
 * `add_role` (super users only).
 *
 * @example
 * await ops.addRole({ role: "reader", permission: { super_user: false } });
 */
export interface AddRoleRequest {
  operation: "add_role";
  role: string;
  permission: RolePermission;
}

/**
 * `alter_role` (super users only): a new permission object, and a new name.
 *
 * @example
 * await ops.alterRole({ id: role.id, permission: { super_user: false } });
 */
export interface AlterRoleRequest {
  operation: "alter_role";
  id: string;
  role?: string;
  permission: RolePermission;
}

/**
 * `drop_role` (super users only).
 *
 * @example
 * await ops.dropRole({ id: role.id });
 */
export interface DropRoleRequest {
  operation: "drop_role";
  id: string;
}

/**
 * `POST /` bodies: one of the requests, discriminated by `operation`.
 *
 * @example
 * const request: OperationRequest = { operation: "drop_user", username: "bob" };
 */
export type OperationRequest =
  | CreateAuthenticationTokensRequest
  | RefreshOperationTokenRequest
  | RevokeAuthenticationTokensRequest
  | ListSessionsRequest
  | UserInfoRequest
  | ListUsersRequest
  | AddUserRequest
  | AlterUserRequest
  | DropUserRequest
  | ListRolesRequest
  | AddRoleRequest
  | AlterRoleRequest
  | DropRoleRequest;

/**
 * An operation's name.
 *
 * @example
 * const name: OperationName = "user_info";
 */
export type OperationName = OperationRequest["operation"];

/**
 * An operation's request without its `operation` member: what the method
 * named after it takes.
 *
 * @example
 * const body: OperationParams<"drop_user"> = { username: "bob" };
 */
export type OperationParams<N extends OperationName> = Omit<
  Extract<OperationRequest, { operation: N }>,
  "operation"
>;

/**
 * `create_authentication_tokens`'s answer (RS256 JWTs).
 *
 * @example
 * headers.Authorization = `Bearer ${data.operation_token}`;
 */
export interface CreateAuthenticationTokensResponse {
  operation_token: string;
  refresh_token: string;
}

/**
 * `refresh_operation_token`'s answer.
 *
 * @example
 * const { data } = await ops.refreshOperationToken();
 * data.operation_token;
 */
export interface RefreshOperationTokenResponse {
  operation_token: string;
}

/**
 * `revoke_authentication_tokens`'s answer.
 *
 * @example
 * data.sessions_revoked; // 1
 */
export interface RevokeAuthenticationTokensResponse {
  message: string;
  sessions_revoked: number;
}

/**
 * A session as `list_sessions` shows it (times in epoch milliseconds).
 *
 * @example
 * const mine = data.find((session: OperationsSession) => session.current);
 */
export interface OperationsSession {
  session_id: string;
  /** null once the user is gone. */
  username: string | null;
  client_id: string;
  created_at: number;
  expires_at: number;
  last_refreshed_at: number | null;
  revoked_at: number | null;
  revoked_reason: string | null;
  impersonator_user_id: string | null;
  parent_session_id: string | null;
  /** The session of the operation token that asked. */
  current: boolean;
}

/**
 * `list_sessions`'s answer.
 *
 * @example
 * const { data }: { data: ListSessionsResponse } = await ops.listSessions();
 */
export type ListSessionsResponse = OperationsSession[];

/**
 * A role as `list_roles`, `add_role` and `alter_role` show it.
 *
 * @example
 * const reader = data.find((role: OperationsRole) => role.role === "reader");
 */
export interface OperationsRole {
  id: string;
  role: string;
  permission: RolePermission;
  __createdtime__: number;
  __updatedtime__: number;
}

/**
 * A user as `user_info` and `list_users` show it: never a password.
 *
 * @example
 * const { data } = await ops.userInfo();
 * data.role?.permission.super_user;
 */
export interface OperationsUser {
  username: string;
  active: boolean;
  /** null for a user without one. */
  role: OperationsRole | null;
  __createdtime__: number;
  __updatedtime__: number;
}

/**
 * `user_info`'s answer.
 *
 * @example
 * const { data }: { data: UserInfoResponse } = await ops.userInfo();
 */
export type UserInfoResponse = OperationsUser;

/**
 * `list_users`'s answer.
 *
 * @example
 * const { data }: { data: ListUsersResponse } = await ops.listUsers();
 */
export type ListUsersResponse = OperationsUser[];

/**
 * `add_user`'s answer.
 *
 * @example
 * data.message; // "bob successfully added"
 */
export interface AddUserResponse {
  message: string;
}

/**
 * `alter_user`'s answer, in HarperDB's shape.
 *
 * @example
 * data.update_hashes; // ["bob"]
 */
export interface AlterUserResponse {
  message: string;
  new_attributes: string[];
  txn_time: number;
  update_hashes: string[];
  skipped_hashes: string[];
}

/**
 * `drop_user`'s answer.
 *
 * @example
 * data.message; // "bob successfully deleted"
 */
export interface DropUserResponse {
  message: string;
}

/**
 * `list_roles`'s answer.
 *
 * @example
 * const { data }: { data: ListRolesResponse } = await ops.listRoles();
 */
export type ListRolesResponse = OperationsRole[];

/**
 * `add_role`'s answer: the role.
 *
 * @example
 * const { data }: { data: AddRoleResponse } = await ops.addRole(request);
 */
export type AddRoleResponse = OperationsRole;

/**
 * `alter_role`'s answer: the role as it now is.
 *
 * @example
 * const { data }: { data: AlterRoleResponse } = await ops.alterRole(request);
 */
export type AlterRoleResponse = OperationsRole;

/**
 * `drop_role`'s answer.
 *
 * @example
 * data.message; // "reader successfully deleted"
 */
export interface DropRoleResponse {
  message: string;
}

/**
 * Every operation's answer, by name.
 *
 * @example
 * const tokens: OperationResponses["create_authentication_tokens"] = data;
 */
export interface OperationResponses {
  create_authentication_tokens: CreateAuthenticationTokensResponse;
  refresh_operation_token: RefreshOperationTokenResponse;
  revoke_authentication_tokens: RevokeAuthenticationTokensResponse;
  list_sessions: ListSessionsResponse;
  user_info: UserInfoResponse;
  list_users: ListUsersResponse;
  add_user: AddUserResponse;
  alter_user: AlterUserResponse;
  drop_user: DropUserResponse;
  list_roles: ListRolesResponse;
  add_role: AddRoleResponse;
  alter_role: AlterRoleResponse;
  drop_role: DropRoleResponse;
}

/**
 * The operations API's error body (`OperationsError`), with HarperDB's
 * extra fields on a role refusal.
 *
 * @example
 * (error.response.data as OperationsError).error; // "token expired"
 */
export interface OperationsError {
  error: string;
  unauthorized_access?: string[];
  invalid_schema_items?: string[];
}

// ---------------------------------------------------------------- OAuth 2.0

/**
 * The client authentication members any OAuth endpoint's form may carry:
 * `client_secret_post` or `private_key_jwt`. Leave them out to use
 * `client_secret_basic` from the configuration's `username`/`password`.
 *
 * @example
 * const auth: OAuthClientAuthentication = { client_id: "gateway", client_secret };
 */
export interface OAuthClientAuthentication {
  client_id?: string;
  client_secret?: string;
  client_assertion_type?: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  client_assertion?: string;
}

/**
 * RFC 8693 token type identifiers, as the exchange takes and issues them.
 *
 * @example
 * const type: OAuthTokenType = "urn:ietf:params:oauth:token-type:access_token";
 */
export type OAuthTokenType =
  | "urn:ietf:params:oauth:token-type:access_token"
  | "urn:ietf:params:oauth:token-type:jwt";

/**
 * The token request's form (`tokenRequestForm`): RFC 6749 §4.3, §4.4 and
 * §6, RFC 7523, RFC 8693, RFC 8707.
 *
 * @example
 * await oauth.token({ grant_type: "client_credentials", scope: "tokens:write" });
 */
export interface OAuthTokenRequest extends OAuthClientAuthentication {
  grant_type:
    | "client_credentials"
    | "refresh_token"
    | "urn:ietf:params:oauth:grant-type:token-exchange"
    | "urn:ietf:params:oauth:grant-type:jwt-bearer"
    | "password";
  scope?: string;
  resource?: string[];
  audience?: string[];
  refresh_token?: string;
  assertion?: string;
  username?: string;
  password?: string;
  subject_token?: string;
  subject_token_type?: OAuthTokenType;
  actor_token?: string;
  actor_token_type?: OAuthTokenType;
  requested_token_type?: OAuthTokenType;
  requested_subject?: string;
}

/**
 * A successful token answer (RFC 6749 §5.1, `tokenResponseSchema`).
 *
 * @example
 * const { data } = await oauth.token({ grant_type: "client_credentials" });
 * data.access_token;
 */
export interface OAuthTokenResponse {
  access_token: string;
  issued_token_type?: string;
  token_type: "Bearer";
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

/**
 * RFC 7662 §2.1 introspection request (`introspectionRequestForm`).
 *
 * @example
 * await oauth.introspect({ token });
 */
export interface IntrospectionRequest extends OAuthClientAuthentication {
  token: string;
  token_type_hint?: string;
}

/**
 * RFC 7662 §2.2 (`introspectionResponseSchema`): `{active: false}`, or the token described.
 *
 * @example
 * const { data } = await oauth.introspect({ token });
 * if (data.active) console.log(data.sub, data.scope);
 */
export interface IntrospectionResponse {
  active: boolean;
  scope?: string;
  client_id?: string;
  username?: string;
  token_type?: string;
  exp?: number;
  iat?: number;
  nbf?: number;
  sub?: string;
  aud?: string | string[];
  iss?: string;
  jti?: string;
  act?: { [key: string]: unknown };
}

/**
 * RFC 7009 §2.1 revocation request (`revocationRequestForm`).
 *
 * @example
 * await oauth.revoke({ token: refreshToken, token_type_hint: "refresh_token" });
 */
export interface RevocationRequest extends OAuthClientAuthentication {
  token: string;
  token_type_hint?: string;
}

/**
 * A tenant's RFC 8414 / OpenID Connect discovery document (`metadataSchema`).
 *
 * @example
 * const { data } = await oauth.getAuthorizationServerMetadata("default");
 * data.token_endpoint;
 */
export interface AuthorizationServerMetadata {
  issuer: string;
  token_endpoint: string;
  introspection_endpoint: string;
  revocation_endpoint: string;
  jwks_uri: string;
  grant_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  token_endpoint_auth_signing_alg_values_supported: string[];
  introspection_endpoint_auth_methods_supported: string[];
  introspection_endpoint_auth_signing_alg_values_supported: string[];
  introspection_signing_alg_values_supported: string[];
  revocation_endpoint_auth_methods_supported: string[];
  revocation_endpoint_auth_signing_alg_values_supported: string[];
  scopes_supported: string[];
  response_types_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
  token_exchange_subject_token_types_supported: string[];
  token_exchange_actor_token_types_supported: string[];
  token_exchange_requested_token_types_supported: string[];
}

/**
 * A public key of a tenant's JWKS: only public members (`well-known.ts`).
 *
 * @example
 * const kids = data.keys.map((key: PublicJwk) => key.kid);
 */
export interface PublicJwk {
  kty: string;
  kid: string;
  alg: string;
  use: string;
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

/**
 * A tenant's JWKS (RFC 7517 §5, `JsonWebKeySet`): the active key, the next and retired ones.
 *
 * @example
 * const { data } = await oauth.getJwks();
 * data.keys.length;
 */
export interface JsonWebKeySet {
  keys: PublicJwk[];
}

/**
 * OAuth's error body (RFC 6749 §5.2, `OAuthError`).
 *
 * @example
 * (error.response.data as OAuthError).error; // "invalid_grant"
 */
export interface OAuthError {
  error: string;
  error_description: string;
}
