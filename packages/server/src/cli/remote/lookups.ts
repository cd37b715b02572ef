import { echoInput } from "../../core/echo.js";
import { TesseraError } from "../../core/errors.js";
import { checkIdentifierInput } from "../../core/identifiers.js";
import { parseTenantId } from "../../core/tenants.js";
import type { AdminRole } from "../../http/admin-api/schemas/roles.js";
import type { AdminTenant } from "../../http/admin-api/schemas/tenants.js";
import type { AdminUser } from "../../http/admin-api/schemas/users.js";
import type { RemoteCommandContext } from "../context.js";
import { AdminClient } from "./admin-client.js";

/**
 * The names an operator types, looked up through the admin API, failing
 * with the words local mode uses (`No user alice`), so a script sees the
 * same failure either way.
 */

/** The tenant's user named `username`. */
export async function remoteUser(
  command: RemoteCommandContext,
  username: string,
): Promise<AdminUser> {
  const page = await command.admin.get<{ items: AdminUser[] }>(command.tenantPath("/users"), {
    query: { username },
  });
  const [user] = page.body.items;
  if (user === undefined) {
    throw new TesseraError("not_found", `No user ${echoInput(username)}`);
  }
  return user;
}

/** The tenant's role named (or with the id) `nameOrId`. */
export async function remoteRole(
  command: RemoteCommandContext,
  nameOrId: string,
): Promise<AdminRole> {
  // Refused as the core's findRole refuses it, before anything is asked.
  checkIdentifierInput(nameOrId, "A role");
  const roles = await command.admin.all<AdminRole>(command.tenantPath("/roles"));
  const role = roles.find((r) => r.name === nameOrId) ?? roles.find((r) => r.id === nameOrId);
  if (role === undefined) {
    throw new TesseraError("not_found", `Role '${echoInput(nameOrId)}' not found`);
  }
  return role;
}

/**
 * The tenant `id` (default: the command's, `--tenant` or the login's),
 * checked as local mode's `tenantOf` checks it: a malformed id is
 * `invalid_request` before anything is sent, an unknown one `not_found`
 * (`No tenant acme`). For a command that must fail on the tenant before
 * it reads its other options, as it does locally.
 */
export async function remoteTenant(
  command: RemoteCommandContext,
  id: string = command.tenant,
): Promise<AdminTenant> {
  const tenantId = parseTenantId(id);
  return (await command.admin.get<AdminTenant>(AdminClient.tenantPath(tenantId))).body;
}
