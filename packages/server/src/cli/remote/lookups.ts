import { echoInput } from "../../core/echo.js";
import { TesseraError } from "../../core/errors.js";
import type { AdminRole } from "../../http/admin-api/schemas/roles.js";
import type { AdminUser } from "../../http/admin-api/schemas/users.js";
import type { RemoteCommandContext } from "../context.js";

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
  const roles = await command.admin.all<AdminRole>(command.tenantPath("/roles"));
  const role = roles.find((r) => r.name === nameOrId) ?? roles.find((r) => r.id === nameOrId);
  if (role === undefined) {
    throw new TesseraError("not_found", `Role '${echoInput(nameOrId)}' not found`);
  }
  return role;
}
