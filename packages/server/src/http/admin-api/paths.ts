/** Every admin API route is this path or below it. */
export const ADMIN_API_PREFIX = "/admin/v1";

/** The path of a tenant's admin resources. */
export function tenantPath(tenantId: string): string {
  return `${ADMIN_API_PREFIX}/tenants/${encodeURIComponent(tenantId)}`;
}
