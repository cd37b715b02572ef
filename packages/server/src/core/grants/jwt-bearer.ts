import { decodeJwt } from "jose";
import { recordAudit } from "../audit.js";
import { type StepUpRefusal, stepUp } from "../automation-tokens/step-up.js";
import { JWT_BEARER } from "../clients/grant-types.js";
import { mayUseGrant } from "../clients/token-endpoint-rules.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import {
  type ClientAccessTokenRequest,
  type IssuedClientAccessToken,
  issueClientAccessToken,
} from "./client-access-token.js";

/**
 * One answer for every refusal that would tell whether a client exists,
 * is active, or registered the key: the assertion simply does not verify.
 */
const NOT_VERIFIED =
  "The assertion does not verify: its iss must be an active client of this tenant, and one of that client's registered keys must have signed it";

/** What each refusal of a grant assertion says (neutral words; the dialect maps the code). */
const ASSERTION_MESSAGES: Readonly<Record<StepUpRefusal, string>> = {
  unknown_client: NOT_VERIFIED,
  client_disabled: NOT_VERIFIED,
  no_matching_key: NOT_VERIFIED,
  assertion_invalid: NOT_VERIFIED,
  malformed_assertion: "The assertion is not a signed JWT",
  assertion_algorithm_not_allowed:
    "The assertion's alg is not allowed: sign it with RS256, ES256 or EdDSA",
  assertion_expired: "The assertion has expired",
  assertion_not_yet_valid: "The assertion is not valid yet",
  assertion_wrong_audience: "The assertion's aud must be the tenant's issuer or its token endpoint",
  assertion_wrong_subject:
    "The assertion's sub must be the client's own id: a client may not assert users",
  assertion_missing_claim: "The assertion lacks a required claim: iss, sub, aud, exp and jti are",
  assertion_bad_claims: "The assertion's claims are not valid",
  assertion_expiry_too_far: "The assertion's exp is more than 300 seconds ahead",
  assertion_bad_jti: "The assertion's jti must be a short printable identifier",
  assertion_replayed:
    "The assertion's jti was already used: sign a new assertion for every request",
  // A step-up by assertion never ends in these; worded anyway.
  no_secret: NOT_VERIFIED,
  bad_secret: NOT_VERIFIED,
  otp_not_enrolled: NOT_VERIFIED,
  bad_or_replayed_otp: NOT_VERIFIED,
};

/** The assertion's `iss` before any check, or undefined when it is not a JWT at all. */
function unverifiedIssuer(assertion: string): unknown {
  try {
    return decodeJwt(assertion).iss;
  } catch {
    return undefined;
  }
}

/**
 * Proves the client of a JWT bearer grant (RFC 7523 §2.1) by its
 * assertion, checked as the token API's and `private_key_jwt`'s
 * assertions are (one check, {@link stepUp}, under the step-up throttle
 * and in the audit trail): signed by one of the client's registered keys
 * with an allow-listed algorithm (RS256, ES256, EdDSA; never `none` or
 * HMAC), `iss` and `sub` both the client's id (a client asserts itself,
 * never a user), `aud` one of `audiences`, `exp` present and at most five
 * minutes ahead, and its `jti` claimed once (the one-time claims of client
 * assertions: an assertion spent as client authentication cannot be spent
 * again as a grant). A refused assertion is `invalid_token` saying what is
 * wrong with it, never quoting it.
 *
 * - With `client` (the client authenticated beside the grant, by its own
 *   registered method), the assertion must be that client's.
 * - Without (RFC 7523 §3.1: client authentication is optional with this
 *   grant), the verified assertion identifies the client; it must then be
 *   a `private_key_jwt` client, whose registered way of proving itself is
 *   exactly such a signature (`invalid_credentials` otherwise: a client
 *   registered for a secret authenticates with it). A `clientId` sent
 *   beside it must be the assertion's `iss` (`invalid_request`).
 *
 * The client must be registered for the grant (`forbidden`).
 */
export async function proveJwtBearerClient(
  ctx: CoreContext,
  input: {
    readonly tenant: TenantRecord;
    readonly assertion: string;
    /** The `aud` values accepted: the tenant's issuer and its token endpoint's URLs. */
    readonly audiences: readonly string[];
    readonly ip: string;
    readonly client?: ClientRecord;
    readonly clientId?: string;
  },
): Promise<ClientRecord> {
  const { tenant, assertion, client, ip } = input;
  const issuer = unverifiedIssuer(assertion);
  if (client !== undefined) {
    if (!mayUseGrant(client, JWT_BEARER)) {
      throw new TesseraError("forbidden", `This client may not use the ${JWT_BEARER} grant`, {
        detail: `client ${client.id} lacks ${JWT_BEARER}`,
      });
    }
    // Checked before the assertion is spent: another client's assertion is not this one's to burn.
    if (issuer !== undefined && issuer !== client.id) {
      throw new TesseraError(
        "invalid_token",
        "The assertion's iss must be the id of the client that authenticated",
      );
    }
  } else if (input.clientId !== undefined && input.clientId !== issuer) {
    throw new TesseraError("invalid_request", "client_id differs from the assertion's issuer");
  }
  const proven = await stepUp(ctx, {
    tenant,
    ip,
    proof: { method: "assertion", assertion, audiences: input.audiences },
    grant: JWT_BEARER,
    refused: (reason) =>
      new TesseraError("invalid_token", ASSERTION_MESSAGES[reason], { detail: reason }),
  });
  if (client === undefined && proven.tokenEndpointAuthMethod !== "private_key_jwt") {
    await recordAudit(ctx, {
      tenantId: tenant.id,
      at: ctx.clock.now(),
      type: "client.step_up_failed",
      ip,
      clientId: proven.id,
      detail: { clientId: proven.id, method: "assertion", reason: "client_authentication_missing" },
    });
    throw new TesseraError("invalid_credentials", "Client authentication failed", {
      detail: `client ${proven.id} (${proven.tokenEndpointAuthMethod}) sent no client authentication`,
    });
  }
  return proven;
}

/**
 * The JWT bearer grant's token, once {@link proveJwtBearerClient} proved
 * the client: an RFC 9068 access token for the client itself, exactly as
 * the client credentials grant issues it ({@link issueClientAccessToken}),
 * recorded with the grant `jwt-bearer`.
 */
export async function issueJwtBearerToken(
  ctx: Pick<CoreContext, "store" | "clock" | "keyring" | "settings">,
  input: ClientAccessTokenRequest & {
    readonly tenant: TenantRecord;
    readonly client: ClientRecord;
    readonly ip: string;
  },
): Promise<IssuedClientAccessToken> {
  if (!mayUseGrant(input.client, JWT_BEARER)) {
    throw new TesseraError("forbidden", `This client may not use the ${JWT_BEARER} grant`, {
      detail: `client ${input.client.id} lacks ${JWT_BEARER}`,
    });
  }
  return issueClientAccessToken(ctx, { ...input, grant: JWT_BEARER });
}
