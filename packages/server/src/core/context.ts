import type { StepUpThrottle } from "./automation-tokens/step-up-throttle.js";
import type { Clock } from "./clock.js";
import type { Keyring } from "./keyring.js";
import type { LoginThrottle } from "./login-throttle.js";
import type { PasswordHasher } from "./passwords.js";
import type { Cache } from "./ports/cache.js";
import type { Store } from "./ports/index.js";
import type { SecretBox } from "./secret-box.js";

/** Server-wide settings the core needs (tenant settings live on the tenant). */
export interface CoreSettings {
  /** The URL clients reach Tessera at; tokens' `iss` and the session API's `endpointUrl` derive from it. */
  readonly publicUrl: string;
  /**
   * Leeway for `exp`/`nbf` when verifying a JWT Tessera issued, in seconds
   * (`checkTenantJwt` in tokens/jwt.ts applies it to every one of them).
   */
  readonly clockToleranceSeconds: number;
  /** Leeway for a client's assertion (RFC 7523): signed by a clock of the client's. */
  readonly assertionClockToleranceSeconds: number;
}

/**
 * Everything a core operation needs, handed over by construction. Nothing in
 * the core reaches for a driver, the environment or the network.
 */
export interface CoreContext {
  readonly store: Store;
  readonly cache: Cache;
  readonly clock: Clock;
  readonly keyring: Keyring;
  readonly passwords: PasswordHasher;
  readonly secretBox: SecretBox;
  readonly loginThrottle: LoginThrottle;
  readonly stepUpThrottle: StepUpThrottle;
  readonly settings: CoreSettings;
}
