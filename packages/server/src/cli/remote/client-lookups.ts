import { checkIdentifierInput } from "../../core/identifiers.js";
import type { AdminApiKey } from "../../http/admin-api/schemas/api-keys.js";
import type { AdminClient as AdminClientResource } from "../../http/admin-api/schemas/clients.js";
import type { AdminTenant } from "../../http/admin-api/schemas/tenants.js";
import type { TenantUrls } from "../commands/client-oauth.js";
import type { RemoteCommandContext } from "../context.js";

/**
 * Clients and what the CLI shows beside them, looked up through the admin
 * API, failing with the words local mode uses (`No client ci-bot`): the
 * admin API finds a client by id or name with the same core function.
 */

/** The path of a client (by id or name), or of `below` it. */
export function remoteClientPath(
  command: RemoteCommandContext,
  idOrName: string,
  below = "",
): string {
  return command.tenantPath(`/clients/${encodeURIComponent(idOrName)}${below}`);
}

/** The tenant's client with this id or name, and its `ETag` for an `If-Match`. */
export async function remoteClient(
  command: RemoteCommandContext,
  idOrName: string,
): Promise<{ readonly client: AdminClientResource; readonly etag: string | undefined }> {
  // Checked here as findClient checks it, so a bad name fails in local mode's words.
  checkIdentifierInput(idOrName, "A client");
  const answer = await command.admin.get<AdminClientResource>(remoteClientPath(command, idOrName));
  return { client: answer.body, etag: answer.etag };
}

/**
 * How many live (unrevoked) API keys each client of the tenant holds, or
 * only `clientId` does: what `listClients` and `showClient` count locally.
 */
export async function remoteLiveApiKeys(
  command: RemoteCommandContext,
  clientId?: string,
): Promise<Map<string, number>> {
  const keys = await command.admin.all<AdminApiKey>(
    command.tenantPath("/api-keys"),
    clientId === undefined ? {} : { client_id: clientId },
  );
  const live = new Map<string, number>();
  for (const key of keys) {
    if (key.revoked_at === null) {
      live.set(key.client_id, (live.get(key.client_id) ?? 0) + 1);
    }
  }
  return live;
}

/**
 * The tenant's issuer as the server tells it, and the public URL it is
 * made from (`<public url>/tenants/<id>`, see `tenantIssuer`): the server's
 * `TESSERA_PUBLIC_URL`, which may not be the URL the CLI reaches it at.
 * Of the command's tenant.
 */
export async function remoteTenantUrls(command: RemoteCommandContext): Promise<TenantUrls> {
  const { issuer } = (await command.admin.get<AdminTenant>(command.tenantPath())).body;
  const below = `/tenants/${command.tenant}`;
  return {
    issuer,
    publicUrl: issuer.endsWith(below) ? issuer.slice(0, -below.length) : issuer,
  };
}
