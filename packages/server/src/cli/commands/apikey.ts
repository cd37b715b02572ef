import { type Command, Option } from "commander";
import { createApiKey, revokeApiKey } from "../../core/api-keys.js";
import { findClient } from "../../core/clients/clients.js";
import { echoInput } from "../../core/echo.js";
import { isTesseraError, TesseraError } from "../../core/errors.js";
import { checkIdentifierInput } from "../../core/identifiers.js";
import type { ApiKeyId } from "../../core/ids.js";
import type { ApiKeyRecord } from "../../core/model/index.js";
import type { AdminApiKey, AdminCreatedApiKey } from "../../http/admin-api/schemas/api-keys.js";
import {
  type CommonOptions,
  type RemoteCommandContext,
  tenantOf,
  withDeployment,
} from "../context.js";
import { usageError } from "../errors.js";
import { table, when } from "../io.js";
import { remoteClient } from "../remote/client-lookups.js";

interface CreateOptions extends CommonOptions {
  readonly name?: string;
  readonly client?: string;
  /** The option's name before clients had rows; kept, hidden, for scripts. */
  readonly clientId?: string;
}

/**
 * `find`'s client, the existing one `--client` names by id or name, or a
 * `not_found` that says which option named what, and how to make a client.
 */
async function namedClient<T>(
  tenantId: string,
  idOrName: string,
  find: () => Promise<T>,
): Promise<T> {
  try {
    return await find();
  } catch (error) {
    if (isTesseraError(error) && error.code === "not_found") {
      throw new TesseraError(
        "not_found",
        `--client ${echoInput(idOrName)}: tenant ${tenantId} has no such client. Register it first with \`tessera client add <name>\`, or leave --client out to make a new client for this key`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** The client `--client` (or its old name `--client-id`) names, if any. */
function namedOf(options: CreateOptions): string | undefined {
  if (options.client !== undefined && options.clientId !== undefined) {
    throw usageError("--client and --client-id are the same option: give one");
  }
  return options.client ?? options.clientId;
}

/** An API key as the CLI shows it, in either mode: never the key or its hash. */
interface ApiKeyView {
  readonly id: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly name: string;
  readonly prefix: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

function view(key: ApiKeyRecord): ApiKeyView {
  return {
    id: key.id,
    tenantId: key.tenantId,
    clientId: key.clientId,
    name: key.name,
    prefix: key.keyPrefix,
    createdAt: when(key.createdAt),
    lastUsedAt: key.lastUsedAt === null ? null : when(key.lastUsedAt),
    revokedAt: key.revokedAt === null ? null : when(key.revokedAt),
  };
}

/** The admin API's key as {@link view} shows a local one. */
function viewRemote(key: AdminApiKey): ApiKeyView {
  return {
    id: key.id,
    tenantId: key.tenant_id,
    clientId: key.client_id,
    name: key.name,
    prefix: key.prefix,
    createdAt: key.created_at,
    lastUsedAt: key.last_used_at,
    revokedAt: key.revoked_at,
  };
}

/** A new key, shown once, and the client it belongs to. */
interface CreatedKey {
  readonly key: ApiKeyView;
  readonly secret: string;
  readonly client: {
    readonly id: string;
    readonly name: string;
    readonly grantTypes: readonly string[];
  };
  readonly clientCreated: boolean;
}

/** `POST` of a new key through the admin API, for the client `named` (id or name) or a new one. */
async function createRemote(
  command: RemoteCommandContext,
  options: CreateOptions,
  named: string | undefined,
): Promise<CreatedKey> {
  const existing =
    named === undefined
      ? undefined
      : await namedClient(command.tenant, named, () => remoteClient(command, named));
  const created = (
    await command.admin.call<AdminCreatedApiKey>("POST", command.tenantPath("/api-keys"), {
      body: {
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(existing === undefined ? {} : { client_id: existing.client.id }),
      },
    })
  ).body;
  const { key, client_name, client_created, ...record } = created;
  // A client made for the key is told by its grants: read it, as the answer names only it.
  const client = existing?.client ?? (await remoteClient(command, record.client_id)).client;
  return {
    key: viewRemote(record),
    secret: key,
    client: { id: client.id, name: client_name, grantTypes: client.grant_types },
    clientCreated: client_created,
  };
}

/** `tessera apikey create|list|revoke`. */
export function registerApiKeyCommands(program: Command): void {
  const apikey = program.command("apikey").description("manage API keys (X-API-Key)");
  apikey
    .command("create")
    .description("create an API key for a client application; the key is shown once")
    .option("--name <name>", "a label for operators")
    .option(
      "--client <client>",
      "the existing client (id or name) the key belongs to (default: a new client for this key)",
    )
    .addOption(new Option("--client-id <id>", "the same as --client").hideHelp())
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: CreateOptions) =>
      withDeployment<CreatedKey>(options, {
        local: async (command) => {
          const named = namedOf(options);
          const tenantId = await tenantOf(command, options);
          const existing =
            named === undefined
              ? undefined
              : await namedClient(tenantId, named, () => findClient(command.ctx, tenantId, named));
          const { record, key, client, clientCreated } = await createApiKey(command.ctx, {
            tenantId,
            ...(options.name === undefined ? {} : { name: options.name }),
            ...(existing === undefined ? {} : { client: existing.id }),
          });
          return { key: view(record), secret: key, client, clientCreated };
        },
        remote: (command) => createRemote(command, options, namedOf(options)),
        print: (out, { key: record, secret, client, clientCreated }) =>
          out.print({ ...record, clientName: client.name, clientCreated, key: secret }, () => [
            `API key ${record.id} for client ${client.id} (${client.name}, tenant ${record.tenantId}):`,
            "",
            `  ${secret}`,
            "",
            "Store it now: it is not shown again. Send it as the X-API-Key header.",
            ...(clientCreated
              ? [
                  `Client ${client.name} was created for it: public (no secret), grant types ${client.grantTypes.join(", ")}.`,
                ]
              : []),
          ]),
      }),
    );
  apikey
    .command("list")
    .description("list API keys (never the keys themselves)")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: CommonOptions) =>
      withDeployment<ApiKeyView[]>(options, {
        local: async (command) =>
          (await command.ctx.store.apiKeys.list(await tenantOf(command, options))).map(view),
        remote: async (command) =>
          (await command.admin.all<AdminApiKey>(command.tenantPath("/api-keys"))).map(viewRemote),
        print: (out, keys) =>
          out.print(keys, () =>
            table(
              ["ID", "CLIENT ID", "NAME", "PREFIX", "CREATED", "LAST USED", "REVOKED"],
              keys.map((k) => [
                k.id,
                k.clientId,
                k.name || "-",
                `${k.prefix}…`,
                k.createdAt,
                k.lastUsedAt ?? "-",
                k.revokedAt ?? "-",
              ]),
            ),
          ),
      }),
    );
  apikey
    .command("revoke <id>")
    .description("revoke an API key at once")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((id: string, options: CommonOptions) =>
      withDeployment(options, {
        local: async (command) => {
          const tenantId = await tenantOf(command, options);
          return revokeApiKey(command.ctx, tenantId, id as ApiKeyId);
        },
        remote: async (command) => {
          // The admin API's revocation is idempotent and says nothing: the key as read before
          // tells whether this command revoked it, as the core's answer does locally.
          checkIdentifierInput(id, "An API key id");
          const path = command.tenantPath(`/api-keys/${encodeURIComponent(id)}`);
          const before = (await command.admin.get<AdminApiKey>(path)).body;
          await command.admin.call("DELETE", path);
          return { revoked: before.revoked_at === null };
        },
        print: (out, { revoked }) =>
          out.print({ id, revoked }, () => [
            revoked ? `revoked ${id}` : `${id} was already revoked`,
          ]),
      }),
    );
}
