import { decodeJwt } from "jose";
import { recordAudit } from "../audit.js";
import { stepUp } from "../automation-tokens/step-up.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { ClientId } from "../ids.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import { isClientIdShaped } from "./client-ids.js";
import { publicClientMayUse } from "./coherence.js";
import type { GrantType } from "./grant-types.js";
import { allowedAuthMethods, type ClientAuthMethod, mayUseGrant } from "./token-endpoint-rules.js";

/** What a caller presented to prove a client, read from its request by a dialect. */
export type PresentedClientCredentials =
  | {
      readonly method: "client_secret_basic" | "client_secret_post";
      readonly clientId: string;
      readonly secret: string;
    }
  | {
      readonly method: "private_key_jwt";
      readonly assertion: string;
      /** The `client_id` sent beside the assertion, if any: it must name the assertion's issuer. */
      readonly clientId?: string;
      /** The `aud` values accepted: the issuer and the token endpoint's URLs (RFC 7523 §3 item 3). */
      readonly audiences: readonly string[];
    }
  | { readonly method: "none"; readonly clientId: string };

/** A client that proved itself, and how. */
export interface AuthenticatedClient {
  readonly client: ClientRecord;
  readonly method: ClientAuthMethod;
}

/** The one answer for every failed client authentication, whatever the reason. */
const FAILED = "Client authentication failed";

/**
 * Authenticates a client at a token endpoint (RFC 6749 §2.3) by the one
 * method the caller used:
 *
 * - `client_secret_basic` / `client_secret_post`: the secret, compared as
 *   SHA-256 digests in constant time, against a stand-in for an unknown
 *   client (so an unknown client and a wrong secret answer alike, in body
 *   and in time), under the step-up throttle;
 * - `private_key_jwt` (RFC 7523 §2.2): an assertion signed by one of the
 *   client's registered keys, `iss` = `sub` = the client id, `aud` one of
 *   `audiences`, `exp` required and near, its `jti` claimed once in the
 *   one-time claims store (the token API's assertion check, shared);
 * - `none`: only for a public client.
 *
 * The method must be one the endpoint takes (`methods`) and one the client
 * is registered for ({@link allowedAuthMethods}). Every failure is
 * `invalid_credentials` with one message; the reason goes to the audit
 * trail. With `grant`, a client that proves itself but was not registered
 * for the grant is `forbidden`.
 */
export async function authenticateClient(
  ctx: CoreContext,
  input: {
    readonly tenant: TenantRecord;
    readonly presented: PresentedClientCredentials;
    readonly ip: string;
    /** The methods this endpoint takes. */
    readonly methods: readonly ClientAuthMethod[];
    /** The grant the client asks for, if any (introspection and revocation ask for none). */
    readonly grant?: GrantType;
  },
): Promise<AuthenticatedClient> {
  const { tenant, presented, ip } = input;
  const grant = input.grant === undefined ? {} : { grant: input.grant };
  let client: ClientRecord;
  switch (presented.method) {
    case "client_secret_basic":
    case "client_secret_post":
      client = await stepUp(ctx, {
        tenant,
        ip,
        proof: { method: "client_secret", clientId: presented.clientId, secret: presented.secret },
        ...grant,
      });
      break;
    case "private_key_jwt":
      if (
        presented.clientId !== undefined &&
        presented.clientId !== unverifiedIssuer(presented.assertion)
      ) {
        throw new TesseraError("invalid_request", "client_id differs from the assertion's issuer");
      }
      client = await stepUp(ctx, {
        tenant,
        ip,
        proof: {
          method: "assertion",
          assertion: presented.assertion,
          audiences: presented.audiences,
        },
        ...grant,
      });
      break;
    case "none":
      refuseNoneEarly(input.methods, input.grant);
      client = await publicClient(ctx, tenant, presented.clientId, ip);
      break;
  }
  if (
    !input.methods.includes(presented.method) ||
    !allowedAuthMethods(client).includes(presented.method)
  ) {
    await refuse(ctx, tenant, ip, client.id, presented.method, "auth_method_not_allowed");
  }
  if (input.grant !== undefined && !mayUseGrant(client, input.grant)) {
    throw new TesseraError("forbidden", `This client may not use the ${input.grant} grant`, {
      detail: `client ${client.id} lacks ${input.grant}`,
    });
  }
  return { client, method: presented.method };
}

/**
 * Refuses `none` where no public client could pass, before any lookup or
 * audit event: at an endpoint that does not take it (introspection), or
 * for a grant no public client may hold (`client_credentials`,
 * `jwt-bearer`, token exchange: {@link publicClientMayUse}). The answer is the same whatever the client id, and it
 * costs nothing to send again and again.
 */
function refuseNoneEarly(methods: readonly ClientAuthMethod[], grant: GrantType | undefined): void {
  if (!methods.includes("none")) {
    throw new TesseraError("invalid_credentials", FAILED, { detail: "none not taken here" });
  }
  if (grant !== undefined && !publicClientMayUse(grant)) {
    // RFC 6749 §4.4: the grant needs a client that authenticates; an id alone does not.
    throw new TesseraError("invalid_credentials", FAILED, {
      detail: `none cannot authenticate for ${grant}`,
    });
  }
}

/** The assertion's `iss` before any check, to compare with a `client_id` beside it. */
function unverifiedIssuer(assertion: string): unknown {
  try {
    return decodeJwt(assertion).iss;
  } catch {
    return undefined;
  }
}

/** A client that sent its id alone: only a public client may, and then it is what it says. */
async function publicClient(
  ctx: CoreContext,
  tenant: TenantRecord,
  clientId: string,
  ip: string,
): Promise<ClientRecord> {
  const client = isClientIdShaped(clientId)
    ? await ctx.store.clients.get(tenant.id, clientId)
    : undefined;
  if (client === undefined) {
    return refuse(ctx, tenant, ip, null, "none", "unknown_client");
  }
  if (client.status !== "active") {
    return refuse(ctx, tenant, ip, client.id, "none", "client_disabled");
  }
  return client;
}

async function refuse(
  ctx: CoreContext,
  tenant: TenantRecord,
  ip: string,
  clientId: string | null,
  method: ClientAuthMethod,
  reason: string,
): Promise<never> {
  await recordAudit(ctx, {
    tenantId: tenant.id,
    at: ctx.clock.now(),
    type: "client.step_up_failed",
    ip,
    clientId: clientId as ClientId | null,
    detail: { clientId, method, reason },
  });
  throw new TesseraError("invalid_credentials", FAILED, { detail: reason });
}
