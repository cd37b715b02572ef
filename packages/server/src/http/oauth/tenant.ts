import type { CoreContext } from "../../core/context.js";
import { TesseraError } from "../../core/errors.js";
import { isTenantId } from "../../core/ids.js";
import type { TenantRecord } from "../../core/model/index.js";
import { tenantIssuer } from "../../core/tokens/issuer.js";
import { TOKEN_ENDPOINT_SUFFIX } from "./paths.js";

/** The tenant a route serves, with the URLs the dialect derives from its issuer. */
export interface OAuthTenant {
  readonly tenant: TenantRecord;
  readonly issuer: string;
  /** The token endpoint the metadata names: below the issuer. */
  readonly tokenEndpoint: string;
  /**
   * Every URL this tenant's token endpoint is reached at: the one below the
   * issuer and, for the default tenant, the unprefixed one too.
   */
  readonly tokenEndpoints: readonly string[];
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
  const tokenEndpoint = `${issuer}${TOKEN_ENDPOINT_SUFFIX}`;
  return {
    tenant,
    issuer,
    tokenEndpoint,
    tokenEndpoints:
      tenant.id === defaultTenant
        ? [tokenEndpoint, `${ctx.settings.publicUrl}${TOKEN_ENDPOINT_SUFFIX}`]
        : [tokenEndpoint],
  };
}
