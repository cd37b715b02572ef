import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit.js";
import { refuseClientIdAudience } from "../clients/audiences.js";
import type { GrantType } from "../clients/grant-types.js";
import { narrowScopes } from "../clients/scopes.js";
import { epochSeconds } from "../clock.js";
import type { CoreContext } from "../context.js";
import { signJwt } from "../jws.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import { tenantIssuer } from "../tokens/issuer.js";
import { ACCESS_TOKEN_TYP } from "../tokens/session-tokens.js";
import { chooseAudience } from "./requested-audience.js";

/**
 * The longest a client access token lives, whatever the tenant's access
 * token lifetime (up to a day): a resource server that validates it as a
 * JWT alone cannot see its client disabled or the token revoked, so it is
 * kept short; the client asks for another when it runs out.
 */
export const MAX_CLIENT_ACCESS_TOKEN_TTL_SECONDS = 3600;

/** An access token issued to a client for itself. */
export interface IssuedClientAccessToken {
  readonly accessToken: string;
  /** Seconds until it expires. */
  readonly expiresIn: number;
  readonly scopes: readonly string[];
  readonly audience: string;
  readonly jti: string;
}

/** What a client asks of its own access token: each part optional, each only narrowing. */
export interface ClientAccessTokenRequest {
  readonly scopes?: readonly string[];
  readonly resources?: readonly string[];
  readonly audiences?: readonly string[];
}

/**
 * Signs an access token for a client itself, in the RFC 9068 profile
 * (`typ: at+jwt`; `iss`, `sub` = `client_id` = the client's id, `aud`,
 * `exp`, `iat`, `jti`, `scope`), with the tenant's key: what every grant
 * that gives a client a token of its own issues (`client_credentials`,
 * `jwt-bearer`), after that grant has proven the client. It carries no
 * `sid` and no `token_use`: no session stands behind it, and that is how
 * it is told from a user's access token.
 *
 * `scopes` may only narrow the client's own (`insufficient_scope`
 * otherwise; all of them by default). The audience defaults to the
 * tenant's issuer; `resources` (RFC 8707) or `audiences` (RFC 8693) choose
 * one the operator allowed the client and not a client id of the tenant,
 * which a user's access token has as its `aud` (`invalid_target`
 * otherwise). Lives
 * the tenant's access token lifetime, at most
 * {@link MAX_CLIENT_ACCESS_TOKEN_TTL_SECONDS}. Recorded in the audit trail with
 * `grant`.
 */
export async function issueClientAccessToken(
  ctx: Pick<CoreContext, "store" | "clock" | "keyring" | "settings">,
  input: ClientAccessTokenRequest & {
    readonly tenant: TenantRecord;
    readonly client: ClientRecord;
    /** The grant the client proved itself by, for the audit trail. */
    readonly grant: GrantType;
    readonly ip: string;
  },
): Promise<IssuedClientAccessToken> {
  const { tenant, client } = input;
  const scopes = narrowScopes(client.scopes, input.scopes);
  const issuer = tenantIssuer(ctx, tenant.id);
  const audience = chooseAudience(ctx, tenant, client, input);
  if (audience !== issuer) {
    await refuseClientIdAudience(ctx, tenant.id, client, audience);
  }
  const now = ctx.clock.now();
  const iat = epochSeconds(now);
  const exp = iat + Math.min(tenant.accessTokenTtlSeconds, MAX_CLIENT_ACCESS_TOKEN_TTL_SECONDS);
  const jti = randomUUID();
  const key = await ctx.keyring.signingKey(tenant.id, tenant.signingAlgorithm);
  const accessToken = await signJwt(key, ACCESS_TOKEN_TYP, {
    iss: issuer,
    sub: client.id,
    aud: audience,
    exp,
    iat,
    jti,
    client_id: client.id,
    scope: scopes.join(" "),
  });
  await recordAudit(ctx, {
    tenantId: tenant.id,
    at: now,
    type: "token.issued",
    ip: input.ip,
    clientId: client.id,
    detail: {
      clientId: client.id,
      grant: input.grant,
      jti,
      scopes: scopes.join(" "),
      audience,
      expiresAt: new Date(exp * 1000).toISOString(),
    },
  });
  return { accessToken, expiresIn: exp - iat, scopes, audience, jti };
}
