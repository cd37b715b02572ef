import { CLIENT_CREDENTIALS, JWT_BEARER } from "../clients/grant-types.js";
import { TOKENS_WRITE } from "../clients/scopes.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import { tenantIssuer } from "../tokens/issuer.js";
import { requireToken } from "../tokens/registry.js";
import { type StepUpMethod, stepUp } from "./step-up.js";

/** What a caller offers to prove a client, as the long-term endpoint receives it. */
export interface LongTermStepUp {
  readonly grantType?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly otpCode?: string;
  readonly assertion?: string;
  /** A Bearer short-term token. */
  readonly bearer?: string;
}

/** The client proven, how, and the most its new long-term token may hold. */
export interface ProvenClient {
  readonly client: ClientRecord;
  readonly method: StepUpMethod;
  readonly grantedScopes: readonly string[];
}

const ONE_MECHANISM =
  "Give exactly one step-up: client_secret, otp_code, assertion, or a Bearer short-term token";

/**
 * Proves the client a long-term token is for (spec 004), by exactly one
 * mechanism:
 *
 * - `client_credentials` with `client_id` and `client_secret` or `otp_code`;
 * - an `assertion` (its `grant_type` may be left out, or be `jwt-bearer` or
 *   `client_credentials`), whose `aud` may be the long-term endpoint's URL or
 *   the tenant's issuer; a `client_id` given beside it must be its issuer;
 * - a Bearer short-term token of the tenant holding `tokens:write`, whose
 *   own scopes bound what it may pass on.
 */
export async function proveClientForLongTermToken(
  ctx: CoreContext,
  input: { readonly tenant: TenantRecord; readonly offer: LongTermStepUp; readonly ip: string },
): Promise<ProvenClient> {
  const { tenant, offer, ip } = input;
  const given = [offer.clientSecret, offer.otpCode, offer.assertion, offer.bearer].filter(
    (value) => value !== undefined,
  );
  if (given.length !== 1) {
    throw new TesseraError("invalid_request", ONE_MECHANISM);
  }
  if (offer.bearer !== undefined) {
    const caller = await requireToken(ctx, offer.bearer, {
      kinds: ["short_term_token"],
      tenantId: tenant.id,
    });
    if (offer.clientId !== undefined && offer.clientId !== caller.client.id) {
      throw new TesseraError("invalid_request", "client_id differs from the Bearer token's client");
    }
    if (!caller.scopes.includes(TOKENS_WRITE)) {
      throw new TesseraError(
        "insufficient_scope",
        `The short-term token needs the ${TOKENS_WRITE} scope`,
      );
    }
    return { client: caller.client, method: "short_term_token", grantedScopes: caller.scopes };
  }
  if (offer.assertion !== undefined) {
    if (
      offer.grantType !== undefined &&
      offer.grantType !== JWT_BEARER &&
      offer.grantType !== CLIENT_CREDENTIALS
    ) {
      throw new TesseraError("invalid_request", `An assertion's grant_type is ${JWT_BEARER}`);
    }
    const client = await stepUp(ctx, {
      tenant,
      ip,
      // An assertion is the jwt-bearer grant (RFC 7523 §2.1) unless the caller names client_credentials.
      grant: offer.grantType === CLIENT_CREDENTIALS ? CLIENT_CREDENTIALS : JWT_BEARER,
      proof: {
        method: "assertion",
        assertion: offer.assertion,
        audiences: [`${ctx.settings.publicUrl}/auth/tokens/long`, tenantIssuer(ctx, tenant.id)],
      },
    });
    if (offer.clientId !== undefined && offer.clientId !== client.id) {
      throw new TesseraError("invalid_request", "client_id differs from the assertion's issuer");
    }
    return { client, method: "assertion", grantedScopes: client.scopes };
  }
  if (offer.grantType !== CLIENT_CREDENTIALS || offer.clientId === undefined) {
    throw new TesseraError(
      "invalid_request",
      `client_secret and otp_code need grant_type ${CLIENT_CREDENTIALS} and a client_id`,
    );
  }
  const proof =
    offer.clientSecret !== undefined
      ? { method: "client_secret" as const, clientId: offer.clientId, secret: offer.clientSecret }
      : { method: "otp" as const, clientId: offer.clientId, code: offer.otpCode ?? "" };
  const client = await stepUp(ctx, { tenant, ip, proof, grant: CLIENT_CREDENTIALS });
  return { client, method: proof.method, grantedScopes: client.scopes };
}
