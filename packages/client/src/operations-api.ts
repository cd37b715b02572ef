import { BaseAPI } from "./base-api.js";
import type { Configuration } from "./configuration.js";
import type { ApiResponse } from "./errors.js";
import type {
  OperationName,
  OperationParams,
  OperationRequest,
  OperationResponses,
} from "./models.js";
import type { OperationSpec } from "./operation-spec.js";
import type { RetryClass } from "./retry.js";
import type { RequestOptions } from "./transport.js";
import { assertParamExists } from "./transport-errors.js";

/**
 * The operations API's HTTP operation (spec 002): `POST /` with
 * `{"operation": …}`, and the same at `/operations` for deployments behind
 * a prefix; by the caller's Basic credentials, its operation token as
 * Bearer, or neither (`create_authentication_tokens` with a username and
 * password in the body).
 *
 * @example
 * OPERATIONS_API_OPERATIONS.runOperation.path; // "/"
 */
export const OPERATIONS_API_OPERATIONS = {
  runOperation: {
    operationId: "runOperation",
    tag: "operations",
    method: "POST",
    path: "/",
    security: [["OperationsBasic"], ["OperationToken"], []],
    retry: "unsafe",
    dialect: "operations-api",
  },
  runOperationAtOperationsPath: {
    operationId: "runOperationAtOperationsPath",
    tag: "operations",
    method: "POST",
    path: "/operations",
    security: [["OperationsBasic"], ["OperationToken"], []],
    retry: "unsafe",
    dialect: "operations-api",
  },
} as const satisfies Record<string, OperationSpec>;

/**
 * Every operation the server serves (`operations-api/plugin.ts`
 * `OPERATIONS`): the method that sends it, and how it may be repeated.
 * Reads are safe; changes that end where one call ends (alter, drop,
 * revoke) are idempotent; what issues tokens or creates is neither.
 *
 * @example
 * OPERATIONS.user_info; // { method: "userInfo", retry: "safe" }
 */
export const OPERATIONS = {
  create_authentication_tokens: { method: "createAuthenticationTokens", retry: "unsafe" },
  refresh_operation_token: { method: "refreshOperationToken", retry: "unsafe" },
  revoke_authentication_tokens: { method: "revokeAuthenticationTokens", retry: "idempotent" },
  list_sessions: { method: "listSessions", retry: "safe" },
  user_info: { method: "userInfo", retry: "safe" },
  list_users: { method: "listUsers", retry: "safe" },
  add_user: { method: "addUser", retry: "unsafe" },
  alter_user: { method: "alterUser", retry: "idempotent" },
  drop_user: { method: "dropUser", retry: "idempotent" },
  list_roles: { method: "listRoles", retry: "safe" },
  add_role: { method: "addRole", retry: "unsafe" },
  alter_role: { method: "alterRole", retry: "idempotent" },
  drop_role: { method: "dropRole", retry: "idempotent" },
} as const satisfies Record<
  OperationName,
  { readonly method: keyof OperationsApi; readonly retry: RetryClass }
>;

/**
 * Where the server listens for operations: `/`, as HarperDB does, or
 * `/operations`, which it also serves for deployments behind a prefix.
 *
 * @example
 * new OperationsApi(configuration, undefined, "/operations");
 */
export type OperationsPath = "/" | "/operations";

function retryOf(operation: unknown): RetryClass {
  return typeof operation === "string" && Object.hasOwn(OPERATIONS, operation)
    ? OPERATIONS[operation as OperationName].retry
    : "unsafe";
}

/**
 * The operations API (HarperDB-compatible token operations, and Tessera's
 * session and user operations). Authenticates with
 * `configuration.accessToken` as Bearer (an operation token, or a refresh
 * token for `refreshOperationToken`) when it is set, else with
 * `configuration.username`/`password` as Basic; `path` picks `/` or
 * `/operations`.
 *
 * @example
 * const ops = new OperationsApi(new Configuration({ basePath, username: "admin", password }));
 * const { data } = await ops.createAuthenticationTokens();
 * configuration.accessToken = data.operation_token;
 */
export class OperationsApi extends BaseAPI {
  readonly #path: OperationsPath;

  constructor(configuration?: Configuration, basePath?: string, path: OperationsPath = "/") {
    super(configuration, basePath);
    this.#path = path;
  }

  /**
   * Sends any operation; the answer's type follows `body.operation`.
   *
   * @example
   * const { data } = await ops.runOperation({ operation: "drop_user", username: "bob" });
   */
  async runOperation<R extends OperationRequest>(
    body: R,
    options?: RequestOptions,
  ): Promise<ApiResponse<OperationResponses[R["operation"]]>> {
    assertParamExists("runOperation", "body", body);
    const operation =
      this.#path === "/operations"
        ? OPERATIONS_API_OPERATIONS.runOperationAtOperationsPath
        : OPERATIONS_API_OPERATIONS.runOperation;
    return this.send(
      { operation: { ...operation, retry: retryOf(body.operation) }, body: { json: body } },
      options,
    );
  }

  /**
   * An operation token and its refresh token: for `username` and
   * `password` when given, else for the authenticated caller.
   *
   * @example
   * const { data } = await ops.createAuthenticationTokens({ username: "alice", password });
   */
  createAuthenticationTokens(
    body: OperationParams<"create_authentication_tokens"> = {},
    options?: RequestOptions,
  ) {
    return this.runOperation({ operation: "create_authentication_tokens", ...body }, options);
  }

  /**
   * A new operation token, from the refresh token in
   * `configuration.accessToken`, or in `body` for a caller authenticated otherwise.
   *
   * @example
   * configuration.accessToken = tokens.refresh_token;
   * const { data } = await ops.refreshOperationToken();
   */
  refreshOperationToken(
    body: OperationParams<"refresh_operation_token"> = {},
    options?: RequestOptions,
  ) {
    return this.runOperation({ operation: "refresh_operation_token", ...body }, options);
  }

  /**
   * Ends sessions: of a token, by id, all of a user's, or (with no field)
   * the caller's own.
   *
   * @example
   * await ops.revokeAuthenticationTokens({ refresh_token: tokens.refresh_token });
   */
  revokeAuthenticationTokens(
    body: OperationParams<"revoke_authentication_tokens"> = {},
    options?: RequestOptions,
  ) {
    return this.runOperation({ operation: "revoke_authentication_tokens", ...body }, options);
  }

  /**
   * The caller's sessions (a super user's: anyone's), newest first.
   *
   * @example
   * const { data } = await ops.listSessions({ include_ended: true });
   */
  listSessions(body: OperationParams<"list_sessions"> = {}, options?: RequestOptions) {
    return this.runOperation({ operation: "list_sessions", ...body }, options);
  }

  /**
   * The caller, with its role.
   *
   * @example
   * const { data } = await ops.userInfo();
   */
  userInfo(options?: RequestOptions) {
    return this.runOperation({ operation: "user_info" }, options);
  }

  /**
   * Every user of the tenant (super users only).
   *
   * @example
   * const { data } = await ops.listUsers();
   */
  listUsers(options?: RequestOptions) {
    return this.runOperation({ operation: "list_users" }, options);
  }

  /**
   * Adds a user with a role (super users only).
   *
   * @example
   * await ops.addUser({ username: "bob", password, role: "reader", active: true });
   */
  async addUser(body: OperationParams<"add_user">, options?: RequestOptions) {
    assertParamExists("addUser", "body", body);
    return this.runOperation({ operation: "add_user", ...body }, options);
  }

  /**
   * Changes a user's password, role or active flag (super users only).
   *
   * @example
   * await ops.alterUser({ username: "bob", role: "writer" });
   */
  async alterUser(body: OperationParams<"alter_user">, options?: RequestOptions) {
    assertParamExists("alterUser", "body", body);
    return this.runOperation({ operation: "alter_user", ...body }, options);
  }

  /**
   * Deletes a user, ending its sessions (super users only).
   *
   * @example
   * await ops.dropUser({ username: "bob" });
   */
  async dropUser(body: OperationParams<"drop_user">, options?: RequestOptions) {
    assertParamExists("dropUser", "body", body);
    return this.runOperation({ operation: "drop_user", ...body }, options);
  }

  /**
   * Every role of the tenant (super users only).
   *
   * @example
   * const { data } = await ops.listRoles();
   */
  listRoles(options?: RequestOptions) {
    return this.runOperation({ operation: "list_roles" }, options);
  }

  /**
   * Adds a role (super users only).
   *
   * @example
   * const { data } = await ops.addRole({ role: "reader", permission: { super_user: false } });
   */
  async addRole(body: OperationParams<"add_role">, options?: RequestOptions) {
    assertParamExists("addRole", "body", body);
    return this.runOperation({ operation: "add_role", ...body }, options);
  }

  /**
   * Replaces a role's permission object, and optionally renames it (super users only).
   *
   * @example
   * await ops.alterRole({ id: role.id, permission: { super_user: true } });
   */
  async alterRole(body: OperationParams<"alter_role">, options?: RequestOptions) {
    assertParamExists("alterRole", "body", body);
    return this.runOperation({ operation: "alter_role", ...body }, options);
  }

  /**
   * Deletes a role no user holds (super users only).
   *
   * @example
   * await ops.dropRole({ id: role.id });
   */
  async dropRole(body: OperationParams<"drop_role">, options?: RequestOptions) {
    assertParamExists("dropRole", "body", body);
    return this.runOperation({ operation: "drop_role", ...body }, options);
  }
}
