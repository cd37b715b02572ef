import { decodeJwt, decodeProtectedHeader, errors, importJWK, type JWK, jwtVerify } from "jose";
import { recordAudit } from "../audit.js";
import { clientClaimScope, isClientIdShaped } from "../clients/client-ids.js";
import type { GrantType } from "../clients/grant-types.js";
import { ASSERTION_ALGORITHMS } from "../clients/public-keys.js";
import { verifyTotp } from "../clients/totp.js";
import { epochSeconds } from "../clock.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import { isIdentifierInput } from "../identifiers.js";
import type { ClientId } from "../ids.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import { constantTimeEqual, hashSecret } from "../opaque-token.js";

/** How a client proved itself before a long-term token was issued. */
export type StepUpMethod = "client_secret" | "otp" | "assertion" | "short_term_token";

/** The one answer for an unknown client, a wrong secret, code or assertion, and a disabled client. */
const FAILED = "Client authentication failed";

/** An assertion may not be valid for longer than this (RFC 7523 §3 item 4: a short lifetime). */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;

const MAX_JTI_LENGTH = 256;

/**
 * Why a signed assertion was refused. A claim is judged only once the
 * signature held (`jose` verifies the signature first), so its reason is
 * told to none but the key's holder.
 */
export type AssertionRefusal =
  | "unknown_client"
  | "client_disabled"
  | "malformed_assertion"
  | "assertion_algorithm_not_allowed"
  | "no_matching_key"
  | "assertion_invalid"
  | "assertion_expired"
  | "assertion_not_yet_valid"
  | "assertion_wrong_audience"
  | "assertion_wrong_subject"
  | "assertion_missing_claim"
  | "assertion_bad_claims"
  | "assertion_expiry_too_far"
  | "assertion_bad_jti"
  | "assertion_replayed";

/** Why a step-up failed: an assertion's refusal, or the secret's or code's. */
export type StepUpRefusal =
  | AssertionRefusal
  | "no_secret"
  | "bad_secret"
  | "otp_not_enrolled"
  | "bad_or_replayed_otp";

type Proof =
  | { readonly method: "client_secret"; readonly clientId: string; readonly secret: string }
  | { readonly method: "otp"; readonly clientId: string; readonly code: string }
  | {
      readonly method: "assertion";
      readonly assertion: string;
      /** The `aud` values accepted: this endpoint's URL and the tenant's issuer. */
      readonly audiences: readonly string[];
    };

/**
 * Authenticates a client by its secret, a TOTP code or a signed JWT
 * assertion (spec 004's step-up), under the step-up throttle.
 *
 * Every failure looks the same to the caller (`invalid_credentials`,
 * "Client authentication failed"); the reason goes to the audit trail. The
 * secret is compared as SHA-256 digests in constant time, against a
 * stand-in digest for an unknown client or one without a secret. (Client
 * ids are not secrets: every short-term token carries its client's.)
 *
 * A client that proves itself but may not use `grant` is refused with
 * `forbidden`: it has shown who it is, so it may learn why. Without
 * `grant`, the client is authenticated for no grant (OAuth's introspection
 * and revocation), or its caller checks the grant itself.
 */
export async function stepUp(
  ctx: CoreContext,
  input: {
    readonly tenant: TenantRecord;
    readonly proof: Proof;
    readonly ip: string;
    /** The grant the step-up is for (secret and TOTP: `client_credentials`). */
    readonly grant?: GrantType;
    /**
     * The error for a failed proof, by its reason; by default the one
     * `invalid_credentials` answer. A grant whose proof is its own grant
     * (RFC 7523 §3.1: a bad assertion is `invalid_grant`) words it here.
     */
    readonly refused?: (reason: StepUpRefusal) => TesseraError;
  },
): Promise<ClientRecord> {
  const { tenant, proof, ip } = input;
  const claimedId = claimedClientId(proof);
  const client =
    claimedId === undefined ? undefined : await ctx.store.clients.get(tenant.id, claimedId);
  // Counted by the id named, known or not: an unknown client's refusals look like a known one's.
  const attempt = await ctx.stepUpThrottle.begin(tenant.id, claimedId, ip, proof.method);
  const found = await refusal(ctx, client, proof);
  if (found !== undefined || client === undefined) {
    const reason = found ?? "unknown_client";
    await attempt.failed();
    await recordAudit(ctx, {
      tenantId: tenant.id,
      at: ctx.clock.now(),
      type: "client.step_up_failed",
      ip,
      clientId: claimedId ?? null,
      detail: { clientId: claimedId ?? null, method: proof.method, reason },
    });
    throw (
      input.refused?.(reason) ?? new TesseraError("invalid_credentials", FAILED, { detail: reason })
    );
  }
  await attempt.succeeded();
  if (input.grant !== undefined && !client.grantTypes.includes(input.grant)) {
    await recordAudit(ctx, {
      tenantId: tenant.id,
      at: ctx.clock.now(),
      type: "client.step_up_failed",
      ip,
      clientId: client.id,
      detail: { clientId: client.id, method: proof.method, reason: "grant_not_allowed" },
    });
    throw new TesseraError("forbidden", `This client may not use the ${input.grant} grant`, {
      detail: `client ${client.id} lacks ${input.grant}`,
    });
  }
  return client;
}

function claimedClientId(proof: Proof): ClientId | undefined {
  let id: unknown;
  if (proof.method === "assertion") {
    try {
      id = decodeJwt(proof.assertion).iss;
    } catch {
      return undefined;
    }
  } else {
    id = proof.clientId;
  }
  return typeof id === "string" && isClientIdShaped(id) ? (id as ClientId) : undefined;
}

/** Why the proof fails for `client`, or undefined when it holds. */
async function refusal(
  ctx: CoreContext,
  client: ClientRecord | undefined,
  proof: Proof,
): Promise<StepUpRefusal | undefined> {
  switch (proof.method) {
    case "client_secret": {
      // Compare against a stand-in digest for an unknown client or one
      // without a secret: same work, same answer.
      const expected = client?.secretHash ?? hashSecret("tessera-unknown-client");
      const presented = hashSecret(proof.secret);
      const matches =
        constantTimeEqual(presented, expected) ||
        (client !== undefined && matchesPreviousSecret(client, presented, ctx.clock.now()));
      return client === undefined
        ? "unknown_client"
        : client.secretHash === null
          ? "no_secret"
          : !matches
            ? "bad_secret"
            : statusRefusal(client);
    }
    case "otp": {
      if (client === undefined) {
        return "unknown_client";
      }
      if (client.totpSeedSealed === null) {
        return "otp_not_enrolled";
      }
      const ok = await verifyTotp(
        { secretBox: ctx.secretBox, claims: ctx.store.oneTimeClaims },
        client,
        proof.code,
        ctx.clock.now(),
      );
      return ok ? statusRefusal(client) : "bad_or_replayed_otp";
    }
    case "assertion":
      if (client === undefined) {
        return isJwt(proof.assertion) ? "unknown_client" : "malformed_assertion";
      }
      return assertionRefusal(ctx, client, proof);
  }
}

/**
 * True when `presented` (a digest) is the secret a rotation replaced and
 * its overlap has not ended: both secrets work until then.
 */
function matchesPreviousSecret(client: ClientRecord, presented: string, now: number): boolean {
  return (
    client.secretHash !== null &&
    client.previousSecretHash !== null &&
    client.previousSecretExpiresAt !== null &&
    now < client.previousSecretExpiresAt &&
    constantTimeEqual(presented, client.previousSecretHash)
  );
}

/** True when `value` reads as a JWT (header and claims), whatever its signature. */
function isJwt(value: string): boolean {
  try {
    decodeProtectedHeader(value);
    decodeJwt(value);
    return true;
  } catch {
    return false;
  }
}

function statusRefusal(client: ClientRecord): "client_disabled" | undefined {
  return client.status === "active" ? undefined : "client_disabled";
}

/**
 * Checks a JWT assertion (RFC 7523 §3): signed by one of the client's
 * registered keys with that key's own algorithm (RS256, ES256 or EdDSA;
 * never `none` or HMAC), `iss` = `sub` = the client id, `aud` one value
 * (a string, or an array of one) naming this endpoint or the issuer, `exp`
 * present and at most five minutes ahead, and a `jti` that is accepted
 * once: once for every endpoint that takes assertions (the token API's and
 * OAuth's, the client's own and the jwt-bearer grant's claim one key), so
 * an assertion made for the issuer is spent wherever it is first used. A
 * claim that fails under a key whose signature held is reported as itself
 * (expired, wrong audience, …).
 */
async function assertionRefusal(
  ctx: CoreContext,
  client: ClientRecord,
  proof: Extract<Proof, { method: "assertion" }>,
): Promise<AssertionRefusal | undefined> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof.assertion);
  } catch {
    return "malformed_assertion";
  }
  const alg = header.alg;
  if (typeof alg !== "string" || !(ASSERTION_ALGORITHMS as readonly string[]).includes(alg)) {
    return "assertion_algorithm_not_allowed";
  }
  const candidates = client.publicKeys.filter(
    (key) => key.alg === alg && (header.kid === undefined || key.kid === header.kid),
  );
  const now = ctx.clock.now();
  for (const candidate of candidates) {
    const key = await importJWK(candidate.jwk as JWK, candidate.alg);
    let payload: Awaited<ReturnType<typeof jwtVerify>>["payload"];
    try {
      ({ payload } = await jwtVerify(proof.assertion, key, {
        algorithms: [candidate.alg],
        issuer: client.id,
        subject: client.id,
        audience: [...proof.audiences],
        requiredClaims: ["exp", "jti"],
        clockTolerance: ctx.settings.assertionClockToleranceSeconds,
        currentDate: new Date(now),
      }));
    } catch (error) {
      const claim = claimRefusal(error);
      if (claim === undefined) {
        continue; // not this key's signature: try the next candidate
      }
      return claim;
    }
    if (Array.isArray(payload.aud) && payload.aud.length !== 1) {
      // One audience (RFC 7523 §3 item 3 as draft-ietf-oauth-rfc7523bis tightens it): an
      // assertion naming others besides this server could have been made for one of them.
      return "assertion_wrong_audience";
    }
    const exp = payload.exp as number;
    if (
      exp - epochSeconds(now) >
      MAX_ASSERTION_LIFETIME_SECONDS + ctx.settings.assertionClockToleranceSeconds
    ) {
      return "assertion_expiry_too_far";
    }
    const jti = payload.jti;
    if (
      typeof jti !== "string" ||
      jti.length === 0 ||
      jti.length > MAX_JTI_LENGTH ||
      !isIdentifierInput(jti)
    ) {
      return "assertion_bad_jti";
    }
    // Held until the assertion could no longer be accepted anyway.
    const heldUntil = (exp + ctx.settings.assertionClockToleranceSeconds) * 1000 + 1000;
    const first = await ctx.store.oneTimeClaims.claim(
      `assertion:${clientClaimScope(client)}:${jti}`,
      heldUntil,
      now,
    );
    return first ? statusRefusal(client) : "assertion_replayed";
  }
  return candidates.length === 0 ? "no_matching_key" : "assertion_invalid";
}

/**
 * The refusal for a claim `jose` rejected after the signature held, or
 * undefined when the error is the signature's (or anything else).
 */
function claimRefusal(error: unknown): AssertionRefusal | undefined {
  if (error instanceof errors.JWTExpired) {
    return "assertion_expired";
  }
  if (!(error instanceof errors.JWTClaimValidationFailed)) {
    return undefined;
  }
  if (error.reason === "missing") {
    return "assertion_missing_claim";
  }
  switch (error.claim) {
    case "aud":
      return "assertion_wrong_audience";
    case "sub":
      return "assertion_wrong_subject";
    case "nbf":
    case "iat":
      return "assertion_not_yet_valid";
    default:
      return "assertion_bad_claims";
  }
}
