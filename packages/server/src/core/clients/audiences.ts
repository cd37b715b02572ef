import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { TenantId } from "../ids.js";
import { isClientIdShaped } from "./client-ids.js";

/** The longest audience a short-term token may carry, and a client may be allowed. */
export const MAX_AUDIENCE_LENGTH = 256;
const MAX_AUDIENCES = 32;
/** Printable ASCII without spaces: a URI or a plain identifier (RFC 7519 §4.1.3 StringOrURI). */
const AUDIENCE_PATTERN = /^[\x21-\x7e]+$/;

/** The prefix of Tessera's own audiences (`tessera:operations`), in any case. */
const RESERVED_PREFIX = "tessera:";

/**
 * True when `audience` is a URL under Tessera's public URL: on its host
 * (any port, http or https) and at or below its path. The tenants' issuers
 * and Tessera's endpoints are there, and so would be any it adds.
 */
function isUnderPublicUrl(audience: string, publicUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(audience);
  } catch {
    return false;
  }
  const base = new URL(publicUrl);
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.hostname !== base.hostname) {
    return false;
  }
  const path = base.pathname.replace(/\/+$/, "");
  return url.pathname === path || url.pathname.startsWith(`${path}/`);
}

/**
 * True for an audience of Tessera's own: one starting `tessera:` (in any
 * case; operation tokens' `tessera:operations`), or a URL under its public
 * URL (every tenant's issuer, its endpoints). No client may have tokens
 * for one, so none claims to be for Tessera or for another tenant.
 */
export function isTesserasOwnAudience(audience: string, publicUrl: string): boolean {
  return (
    audience.toLowerCase().startsWith(RESERVED_PREFIX) || isUnderPublicUrl(audience, publicUrl)
  );
}

/**
 * Checks the audiences an operator allows a client besides the tenant's
 * issuer, and returns them without duplicates, in the order given.
 *
 * Without this list a client could mint a short-term token for any
 * audience: for a session API client's id too, which a resource server
 * would then see from Tessera's issuer with its own id as `aud`. Allowing
 * an audience is an operator's decision, made once per client.
 *
 * Tessera's own audiences are never allowed: those starting `tessera:`
 * (operation tokens' `tessera:operations`) and URLs under its public URL
 * (every tenant's issuer, its endpoints), so no client's token can claim to
 * be for Tessera or for another tenant. The tenant's own issuer needs no
 * listing: it is always allowed.
 */
export function parseAudiences(
  audiences: readonly string[],
  tessera: { readonly publicUrl: string },
): string[] {
  if (audiences.length > MAX_AUDIENCES) {
    throw new TesseraError("invalid_request", `At most ${MAX_AUDIENCES} audiences`);
  }
  for (const audience of audiences) {
    if (audience.length > MAX_AUDIENCE_LENGTH || !AUDIENCE_PATTERN.test(audience)) {
      throw new TesseraError(
        "invalid_request",
        `An audience is 1-${MAX_AUDIENCE_LENGTH} printable ASCII characters without spaces, such as a URL`,
      );
    }
    if (isTesserasOwnAudience(audience, tessera.publicUrl)) {
      throw new TesseraError(
        "invalid_request",
        `An audience may not be one of Tessera's own: none starts with ${RESERVED_PREFIX} or is a URL under ${tessera.publicUrl}`,
      );
    }
  }
  return [...new Set(audiences)];
}

/**
 * The first of `audiences` that is the id of one of the tenant's clients,
 * or undefined when none is.
 */
async function clientIdAmong(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  audiences: readonly string[],
): Promise<string | undefined> {
  const shaped = audiences.filter((audience) => isClientIdShaped(audience));
  const found = await Promise.all(
    shaped.map((audience) => ctx.store.clients.get(tenantId, audience)),
  );
  return shaped[found.findIndex((client) => client !== undefined)];
}

/**
 * Refuses to allow a client an audience that is a client id of its tenant.
 * A user's session access token has the client id of the API key it was
 * started with as its `aud`, and the same `typ` (`at+jwt`), issuer and key
 * as a client access token: a client allowed that id could mint a token a
 * resource server of that client might take for a user's.
 */
export async function refuseClientIdAudiences(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  audiences: readonly string[],
  /** The client's own id: never its own audience either (its API keys' sessions have it). */
  ownId: string,
): Promise<void> {
  if (audiences.includes(ownId) || (await clientIdAmong(ctx, tenantId, audiences)) !== undefined) {
    throw new TesseraError(
      "invalid_request",
      "An audience may not be a client id of the tenant: its users' access tokens have that audience",
    );
  }
}

/**
 * Refuses a client access token (`at+jwt`) for an audience that is a
 * client id of the tenant, even one an operator allowed before such
 * audiences were refused, or before a client was given that id:
 * `invalid_target`, without echoing the audience. See
 * {@link refuseClientIdAudiences}.
 */
export async function refuseClientIdAudience(
  ctx: Pick<CoreContext, "store">,
  tenantId: TenantId,
  client: { readonly id: string },
  audience: string,
): Promise<void> {
  if ((await clientIdAmong(ctx, tenantId, [audience])) !== undefined) {
    throw new TesseraError("invalid_target", "The client may not have tokens for this audience", {
      detail: `client ${client.id} asked for a client id as its audience`,
    });
  }
}

/** The most of a client's audience list that one audit event keeps, in characters. */
export const MAX_AUDITED_AUDIENCES_LENGTH = 256;

/**
 * A client's allowed audiences as its audit events record them: separated
 * by spaces (an audience holds none), whole audiences while they fit in
 * {@link MAX_AUDITED_AUDIENCES_LENGTH} characters, then `…[n more]` for
 * those left out (`…` is never in an audience), so the trail says which
 * audiences an operator allowed without taking up to 8 KB an event.
 */
export function auditedAudiences(audiences: readonly string[]): string {
  const all = audiences.join(" ");
  if (all.length <= MAX_AUDITED_AUDIENCES_LENGTH) {
    return all;
  }
  const marker = (left: number) => `…[${left} more]`;
  const room = MAX_AUDITED_AUDIENCES_LENGTH - marker(audiences.length).length - 1;
  const kept: string[] = [];
  let length = 0;
  for (const audience of audiences) {
    const added = (kept.length === 0 ? 0 : 1) + audience.length;
    if (length + added > room) {
      break;
    }
    kept.push(audience);
    length += added;
  }
  return [...kept, marker(audiences.length - kept.length)].join(" ");
}

/**
 * Refuses a short-term token for an audience its client was not allowed:
 * the tenant's issuer (Tessera's own endpoints) always is, anything else
 * only when the operator listed it and it is not one of Tessera's own
 * (checked here too, with the server's public URL: a list may have been
 * written before they were reserved, or by a CLI given another public
 * URL). Throws `invalid_target` (RFC 8693 §2.2.2), without echoing the
 * audience.
 */
export function requireAllowedAudience(
  client: { readonly id: string; readonly audiences: readonly string[] },
  tessera: { readonly issuer: string; readonly publicUrl: string },
  audience: string,
): void {
  const allowed =
    audience === tessera.issuer ||
    (client.audiences.includes(audience) && !isTesserasOwnAudience(audience, tessera.publicUrl));
  if (!allowed) {
    throw new TesseraError("invalid_target", "The client may not have tokens for this audience", {
      detail: `client ${client.id} is not allowed this audience`,
    });
  }
}
