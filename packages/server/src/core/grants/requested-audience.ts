import { MAX_AUDIENCE_LENGTH, requireAllowedAudience } from "../clients/audiences.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { ClientRecord, TenantRecord } from "../model/index.js";
import { tenantIssuer } from "../tokens/issuer.js";

/**
 * The audience asked for by RFC 8707 `resource` and RFC 8693 `audience`
 * values together, or undefined when none was. A `resource` must be an
 * absolute URI without a fragment (RFC 8707 §2); one token has one
 * audience, so asking for two different ones is `invalid_target`.
 */
export function requestedAudience(
  resources: readonly string[],
  audiences: readonly string[],
): string | undefined {
  for (const resource of resources) {
    if (!URL.canParse(resource) || resource.includes("#")) {
      throw new TesseraError(
        "invalid_target",
        "A resource is an absolute URI without a fragment (RFC 8707 section 2)",
      );
    }
  }
  const asked = [...new Set([...resources, ...audiences])];
  if (asked.length > 1) {
    throw new TesseraError("invalid_target", "Ask for one audience (resource) per token");
  }
  const audience = asked[0];
  if (audience !== undefined && audience.length > MAX_AUDIENCE_LENGTH) {
    throw new TesseraError("invalid_target", "The client may not have tokens for this audience", {
      detail: "audience too long",
    });
  }
  return audience;
}

/**
 * The audience of a token a grant issues to `client`: the one its
 * `resources` (RFC 8707) or `audiences` (RFC 8693) ask for, which the
 * operator must have allowed the client (`invalid_target` otherwise), or
 * by default the tenant's issuer.
 */
export function chooseAudience(
  ctx: Pick<CoreContext, "settings">,
  tenant: TenantRecord,
  client: ClientRecord,
  asked: { readonly resources?: readonly string[]; readonly audiences?: readonly string[] },
): string {
  const issuer = tenantIssuer(ctx, tenant.id);
  const audience = requestedAudience(asked.resources ?? [], asked.audiences ?? []) ?? issuer;
  requireAllowedAudience(client, { issuer, publicUrl: ctx.settings.publicUrl }, audience);
  return audience;
}
