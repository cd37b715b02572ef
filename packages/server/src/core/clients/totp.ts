import { Secret, TOTP } from "otpauth";
import type { ClientRecord } from "../model/index.js";
import type { OneTimeClaimStore } from "../ports/index.js";
import type { SecretBox } from "../secret-box.js";
import { clientClaimScope } from "./client-ids.js";

const SEAL_PURPOSE = "totp-seed";
const PERIOD_SECONDS = 30;
/** One step either side (RFC 6238 §5.2): a code stays good for about a minute and a half. */
const WINDOW = 1;

function totpOf(seed: string, label: string): TOTP {
  return new TOTP({
    issuer: "Tessera",
    label,
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(seed),
  });
}

/** A new TOTP enrolment: the seed sealed for storage, and the `otpauth://` URI to show once. */
export function enrolTotp(
  secretBox: SecretBox,
  client: { readonly id: string; readonly name: string },
): { readonly sealed: string; readonly uri: string } {
  const seed = new Secret({ size: 20 }).base32;
  return {
    sealed: secretBox.seal(SEAL_PURPOSE, seed, client.id),
    uri: totpOf(seed, client.name).toString(),
  };
}

/**
 * Checks an RFC 6238 code (6 digits, 30 s, SHA-1, ±1 step) against the
 * client's sealed seed. Each code is accepted once: the matched time step is
 * claimed in the store, so a replay fails, after a restart and on any
 * instance too.
 */
export async function verifyTotp(
  deps: { readonly secretBox: SecretBox; readonly claims: Pick<OneTimeClaimStore, "claim"> },
  client: ClientRecord,
  code: string,
  now: number,
): Promise<boolean> {
  if (client.totpSeedSealed === null || !/^\d{6}$/.test(code)) {
    return false;
  }
  const seed = deps.secretBox.open(SEAL_PURPOSE, client.totpSeedSealed, client.id);
  const totp = totpOf(seed, client.name);
  const delta = totp.validate({ token: code, timestamp: now, window: WINDOW });
  if (delta === null) {
    return false;
  }
  const step = totp.counter({ timestamp: now }) + delta;
  // The step's code stays acceptable for up to WINDOW steps after it; hold the claim past that.
  const heldUntil = now + PERIOD_SECONDS * (2 * WINDOW + 2) * 1000;
  return deps.claims.claim(`totp:${clientClaimScope(client)}:${step}`, heldUntil, now);
}
