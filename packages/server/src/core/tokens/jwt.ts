import { type JWTPayload, errors as joseErrors, jwtVerify } from "jose";
import type { CoreContext } from "../context.js";
import type { TenantId } from "../ids.js";
import type { Keyring } from "../keyring.js";
import { tenantIssuer } from "./issuer.js";
import type { TokenFailure } from "./types.js";

/** What {@link checkTenantJwt} reports: the verified claims, or why not. */
export type JwtCheck = { readonly valid: true; readonly payload: JWTPayload } | TokenFailure;

/** The checks {@link checkTenantJwt} runs on one JWT. */
export interface TenantJwtCheck {
  readonly tenantId: TenantId;
  readonly token: string;
  /** The `typ` header the kind carries (RFC 8725 §3.11: explicit typing). */
  readonly typ: string;
  readonly requiredClaims: readonly string[];
  /** An `aud` the token must carry; none checked when absent. */
  readonly audience?: string;
  /** Accept an expired but otherwise valid token (for revocation: RFC 7009 §2.1). */
  readonly allowExpired?: boolean;
  /** Accept keys retired within the long verification window (see {@link Keyring.verificationKey}). */
  readonly longLived?: boolean;
  /** The `kid` of the protected header, already decoded by the caller. */
  readonly kid: string;
  /** The token's `iat`, already decoded by the caller (only read with `allowExpired`). */
  readonly iat?: unknown;
}

/**
 * Verifies a JWT that claims to be the tenant's, with `jose`: its `kid` must
 * name a key of the tenant's keyring, and only that key's algorithm is
 * accepted (so `alg: none`, HS256 keyed with a public key, or an algorithm
 * switch all fail). Then `typ`, `iss` (the tenant's issuer), `aud` when
 * asked, the required claims, and `exp`/`nbf` with the configured leeway.
 *
 * Never throws for a bad token: a failure is a value (`expired` for a valid
 * token past `exp`, `malformed` for everything else). Store and keyring
 * failures do throw.
 */
export async function checkTenantJwt(
  ctx: Pick<CoreContext, "keyring" | "settings" | "clock">,
  input: TenantJwtCheck,
): Promise<JwtCheck> {
  const found = await ctx.keyring.verificationKey(input.tenantId, input.kid, {
    longLived: input.longLived === true,
  });
  if (found === undefined) {
    return { valid: false, reason: "malformed", detail: "unknown kid" };
  }
  let currentDate = new Date(ctx.clock.now());
  if (input.allowExpired === true && typeof input.iat === "number") {
    // The signature check below still runs; moving "now" to the token's own
    // issue time only waives the expiry.
    currentDate = new Date(input.iat * 1000);
  }
  try {
    const { payload } = await jwtVerify(input.token, found.key, {
      algorithms: [found.algorithm],
      issuer: tenantIssuer(ctx, input.tenantId),
      ...(input.audience === undefined ? {} : { audience: input.audience }),
      typ: input.typ,
      clockTolerance: ctx.settings.clockToleranceSeconds,
      currentDate,
      requiredClaims: [...input.requiredClaims],
    });
    return { valid: true, payload };
  } catch (error) {
    // Everything jose throws here is about the token, which the caller sent.
    if (error instanceof joseErrors.JWTExpired) {
      return { valid: false, reason: "expired" };
    }
    const wrongAudience =
      error instanceof joseErrors.JWTClaimValidationFailed && error.claim === "aud";
    const detail = error instanceof joseErrors.JOSEError ? error.code : "malformed token";
    return { valid: false, reason: wrongAudience ? "wrong_audience" : "malformed", detail };
  }
}

/** What a JWT's `aud` holds, as a list (RFC 7519 §4.1.3 allows a string or an array). */
export function audienceOf(aud: unknown): string[] {
  if (typeof aud === "string") {
    return [aud];
  }
  return Array.isArray(aud)
    ? aud.filter((value): value is string => typeof value === "string")
    : [];
}

/** `iat`/`exp`/`nbf` (seconds) as ms, or undefined. */
export function claimTime(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value * 1000 : undefined;
}
