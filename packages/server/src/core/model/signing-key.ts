import type { KeyId, TenantId } from "../ids.js";
import type { EpochMs } from "./common.js";
import type { SigningAlgorithm } from "./tenant.js";

export type SigningKeyStatus = "next" | "active" | "retired";

export interface SigningKeyRecord {
  readonly kid: KeyId;
  readonly tenantId: TenantId;
  readonly algorithm: SigningAlgorithm;
  readonly status: SigningKeyStatus;
  /** The public JWK as JSON (with `kid`, `alg`, `use`). */
  readonly publicJwk: string;
  /** The private JWK as JSON, sealed with the master key. */
  readonly privateKeySealed: string;
  readonly createdAt: EpochMs;
  readonly activatedAt: EpochMs | null;
  readonly retiredAt: EpochMs | null;
}
