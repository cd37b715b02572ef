import type { CoreContext } from "../context.js";
import { isTenantId, type TenantId } from "../ids.js";

/** The issuer of a tenant's tokens: one per tenant, as one per user pool. */
export function tenantIssuer(ctx: Pick<CoreContext, "settings">, tenantId: TenantId): string {
  return `${ctx.settings.publicUrl}/tenants/${tenantId}`;
}

/**
 * The tenant whose issuer `iss` is, or undefined when `iss` is not the
 * issuer of any tenant this deployment could have. It says nothing about
 * whether the tenant exists: that is for a store lookup.
 */
export function tenantOfIssuer(
  ctx: Pick<CoreContext, "settings">,
  iss: unknown,
): TenantId | undefined {
  if (typeof iss !== "string") {
    return undefined;
  }
  const prefix = `${ctx.settings.publicUrl}/tenants/`;
  if (!iss.startsWith(prefix)) {
    return undefined;
  }
  const id = iss.slice(prefix.length);
  return isTenantId(id) ? id : undefined;
}
