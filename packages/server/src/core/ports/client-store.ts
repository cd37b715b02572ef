import type { TokenEndpointAuthMethod } from "../clients/auth-methods.js";
import type { GrantType } from "../clients/grant-types.js";
import type { ClientId, TenantId, TokenHash } from "../ids.js";
import type { ClientPublicKey, ClientRecord, ClientStatus } from "../model/client.js";
import type { EpochMs } from "../model/common.js";

export interface ClientPatch {
  readonly name?: string;
  readonly grantTypes?: readonly GrantType[];
  readonly tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** A new secret's hash, or null to drop the secret (with `secretPrefix` null too). */
  readonly secretHash?: TokenHash | null;
  readonly secretPrefix?: string | null;
  /** The secret a rotation replaced, still accepted until `previousSecretExpiresAt`; null to drop it. */
  readonly previousSecretHash?: TokenHash | null;
  readonly previousSecretExpiresAt?: EpochMs | null;
  readonly totpSeedSealed?: string | null;
  readonly publicKeys?: readonly ClientPublicKey[];
  readonly scopes?: readonly string[];
  readonly audiences?: readonly string[];
  readonly maxTokenTtlDays?: number;
  readonly status?: ClientStatus;
}

/** Where a page of clients starts and how long it is. */
export interface ClientPageOptions {
  /** Only clients whose name sorts after this one. */
  readonly after?: string;
  readonly limit: number;
}

/**
 * The clients of every tenant. A client is identified by `(tenantId, id)`:
 * two tenants may each have a client `ci-bot`, and nothing is ever looked
 * up by id alone.
 */
export interface ClientStore {
  /**
   * Inserts a client; `conflict` if the tenant has its id or its name, or
   * any client has its secret hash. Unique constraints decide, so of two
   * concurrent creations of one id exactly one succeeds.
   */
  create(client: ClientRecord): Promise<void>;
  /** The tenant's client with this id. */
  get(tenantId: TenantId, id: ClientId): Promise<ClientRecord | undefined>;
  /** The tenant's client with this name. */
  getByName(tenantId: TenantId, name: string): Promise<ClientRecord | undefined>;
  /** A tenant's clients ordered by name. */
  list(tenantId: TenantId): Promise<ClientRecord[]>;
  /** One page of a tenant's clients ordered by name: those after `after`, at most `limit`. */
  page(tenantId: TenantId, options: ClientPageOptions): Promise<ClientRecord[]>;
  /**
   * Applies `patch` and sets `updatedAt` to `at`, or to one more than its
   * old value when that is not earlier, so every update changes it.
   * `conflict` if a new name is taken. Undefined if no such client.
   *
   * Concurrency: with `ifUpdatedAt`, a compare-and-swap on `updatedAt`:
   * when the row's `updatedAt` is no longer that value (another update got
   * there first), nothing changes and it throws `precondition_failed`.
   */
  update(
    tenantId: TenantId,
    id: ClientId,
    patch: ClientPatch,
    at: EpochMs,
    options?: { readonly ifUpdatedAt?: EpochMs },
  ): Promise<ClientRecord | undefined>;
}
