import { echoInput } from "../../core/echo.js";
import { TesseraError } from "../../core/errors.js";
import { checkIdentifierInput, isIdentifierInput } from "../../core/identifiers.js";
import type { AdminSession } from "../../http/admin-api/schemas/sessions.js";
import type { AdminUser } from "../../http/admin-api/schemas/users.js";
import type { RemoteCommandContext } from "../context.js";
import type { AdminRequest } from "./admin-client.js";

/**
 * The lookups `sessions` and `audit` make in remote mode, failing with the
 * words local mode uses (`No session x`), so a script sees the same
 * failure either way; and the first items of a cursor-paged list, for a
 * command whose `--limit` may exceed one page.
 */

/** The most items the admin API gives in one page (`MAX_PAGE_SIZE`). */
const PAGE = 200;

/**
 * The first `limit` items of a cursor-paged list (`{items, next}`), in the
 * list's order, asking for no more pages than that takes. `keep` stops
 * early: the first item it refuses ends the list (the items before it are
 * kept).
 */
export async function firstRemoteItems<T>(
  command: RemoteCommandContext,
  path: string,
  query: AdminRequest["query"],
  limit: number,
  keep: (item: T) => boolean = () => true,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await command.admin.get<{ items: T[]; next: string | null }>(path, {
      query: {
        ...query,
        limit: Math.min(PAGE, limit - items.length),
        ...(cursor === undefined ? {} : { cursor }),
      },
    });
    for (const item of page.body.items) {
      if (!keep(item)) {
        return items;
      }
      items.push(item);
    }
    cursor = page.body.next ?? undefined;
  } while (cursor !== undefined && items.length < limit);
  return items;
}

/** The tenant's session `id`; `not_found` as local mode words it (the API says "No such session"). */
export async function remoteSession(
  command: RemoteCommandContext,
  id: string,
): Promise<AdminSession> {
  checkIdentifierInput(id, "A session id");
  try {
    return (
      await command.admin.get<AdminSession>(
        command.tenantPath(`/sessions/${encodeURIComponent(id)}`),
      )
    ).body;
  } catch (error) {
    if (error instanceof TesseraError && error.code === "not_found") {
      throw new TesseraError("not_found", `No session ${echoInput(id)}`);
    }
    throw error;
  }
}

/**
 * The id of the user named `value`, or `value` itself: an audit filter
 * takes a username or the id of a user, deleted ones included (as local
 * mode's `audit search --user`).
 */
export async function remoteUserIdOf(
  command: RemoteCommandContext,
  value: string,
): Promise<string> {
  if (!isIdentifierInput(value)) {
    // Refused by the search itself, in its own words.
    return value;
  }
  const page = await command.admin.get<{ items: AdminUser[] }>(command.tenantPath("/users"), {
    query: { username: value },
  });
  return page.body.items[0]?.id ?? value;
}

/**
 * The id of the client with the id or name `value`, or `value` itself (the
 * id of a deleted client, or one a failed login claimed), as local mode's
 * `audit search --client`. A tenant has few clients: they are listed once.
 */
export async function remoteClientIdOf(
  command: RemoteCommandContext,
  value: string,
): Promise<string> {
  if (!isIdentifierInput(value)) {
    return value;
  }
  const clients = await command.admin.all<{ readonly id: string; readonly name: string }>(
    command.tenantPath("/clients"),
  );
  const client = clients.find((c) => c.id === value) ?? clients.find((c) => c.name === value);
  return client?.id ?? value;
}
