import type { ClientId, TenantId, TokenHash } from "../ids.js";
import type { ClientPublicKey, ClientRecord, ClientStatus } from "../model/client.js";
import type { EpochMs } from "../model/common.js";

export interface ClientPatch {
  readonly name?: string;
  readonly secretHash?: TokenHash;
  readonly secretPrefix?: string;
  readonly totpSeedSealed?: string | null;
  readonly publicKeys?: readonly ClientPublicKey[];
  readonly scopes?: readonly string[];
  readonly audiences?: readonly string[];
  readonly maxTokenTtlDays?: number;
  readonly status?: ClientStatus;
}

export interface ClientStore {
  /** Inserts a client; `conflict` if its id, secret or name (in the tenant) is taken. */
  create(client: ClientRecord): Promise<void>;
  /** The client with this id, in any tenant (client ids are global). */
  get(id: ClientId): Promise<ClientRecord | undefined>;
  getByName(tenantId: TenantId, name: string): Promise<ClientRecord | undefined>;
  /** A tenant's clients ordered by name. */
  list(tenantId: TenantId): Promise<ClientRecord[]>;
  /** Applies `patch`; `conflict` if a new name is taken. Undefined if no such client. */
  update(
    tenantId: TenantId,
    id: ClientId,
    patch: ClientPatch,
    at: EpochMs,
  ): Promise<ClientRecord | undefined>;
}
