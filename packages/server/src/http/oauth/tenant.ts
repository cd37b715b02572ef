import type { CoreContext } from "../../core/context.js";
import { TesseraError } from "../../core/errors.js";
import { isTenantId } from "../../core/ids.js";
import type { TenantRecord } from "../../core/model/index.js";
import { tenantIssuer } from "../../core/tokens/issuer.js";
import { ENDPOINT_SUFFIXES, type EndpointName } from "./paths.js";

/** The tenant a route serves, with the URLs the dialect derives from its issuer. */
export interface OAuthTenant {
  readonly tenant: TenantRecord;
  readonly issuer: string;
  /** An endpoint's URL as the metadata names it: below the issuer. */
  endpoint(name: EndpointName): string;
  /** The `aud` a client assertion may carry at the token endpoint: {@link assertionAudiencesOf}. */
  readonly assertionAudiences: readonly string[];
  /**
   * The `aud` a client assertion (RFC 7523 §3) may carry at one endpoint:
   * the issuer, or that endpoint's URL (below the issuer and, for the
   * default tenant, unprefixed too). An assertion made for another endpoint
   * is not taken here.
   */
  assertionAudiencesOf(name: EndpointName): readonly string[];
}

/**
 * Loads the tenant a request names (the default tenant when the path has
 * none), or `not_found` without quoting the id.
 */
export async function oauthTenant(
  ctx: CoreContext,
  tenantId: string,
  defaultTenant: string,
): Promise<OAuthTenant> {
  const tenant = isTenantId(tenantId) ? await ctx.store.tenants.get(tenantId) : undefined;
  if (tenant === undefined) {
    throw new TesseraError("not_found", "No such tenant");
  }
  const issuer = tenantIssuer(ctx, tenant.id);
  const bases = tenant.id === defaultTenant ? [issuer, ctx.settings.publicUrl] : [issuer];
  const assertionAudiencesOf = (name: EndpointName) => [
    issuer,
    ...bases.map((base) => `${base}${ENDPOINT_SUFFIXES[name]}`),
  ];
  return {
    tenant,
    issuer,
    endpoint: (name) => `${issuer}${ENDPOINT_SUFFIXES[name]}`,
    assertionAudiences: assertionAudiencesOf("token"),
    assertionAudiencesOf,
  };
}
