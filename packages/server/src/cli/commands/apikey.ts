import { type Command, Option } from "commander";
import { createApiKey, revokeApiKey } from "../../core/api-keys.js";
import { findClient } from "../../core/clients/clients.js";
import { echoInput } from "../../core/echo.js";
import { isTesseraError, TesseraError } from "../../core/errors.js";
import type { ApiKeyId, TenantId } from "../../core/ids.js";
import type { ApiKeyRecord, ClientRecord } from "../../core/model/index.js";
import { type CommandContext, type CommonOptions, tenantOf, withCore } from "../context.js";
import { usageError } from "../errors.js";
import { table, when } from "../io.js";

interface CreateOptions extends CommonOptions {
  readonly name?: string;
  readonly client?: string;
  /** The option's name before clients had rows; kept, hidden, for scripts. */
  readonly clientId?: string;
}

/**
 * The existing client `--client` names, by id or name, or a `not_found`
 * that says which option named what, and how to make a client.
 */
async function namedClient(
  command: CommandContext,
  tenantId: TenantId,
  idOrName: string,
): Promise<ClientRecord> {
  try {
    return await findClient(command.ctx, tenantId, idOrName);
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

/** An API key as the CLI lists it: never the key or its hash. */
function view(key: ApiKeyRecord) {
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
      withCore(options, async (command) => {
        if (options.client !== undefined && options.clientId !== undefined) {
          throw usageError("--client and --client-id are the same option: give one");
        }
        const tenantId = await tenantOf(command, options);
        const named = options.client ?? options.clientId;
        const existing =
          named === undefined ? undefined : await namedClient(command, tenantId, named);
        const { record, key, client, clientCreated } = await createApiKey(command.ctx, {
          tenantId,
          ...(options.name === undefined ? {} : { name: options.name }),
          ...(existing === undefined ? {} : { client: existing.id }),
        });
        command.out.print({ ...view(record), clientName: client.name, clientCreated, key }, () => [
          `API key ${record.id} for client ${client.id} (${client.name}, tenant ${tenantId}):`,
          "",
          `  ${key}`,
          "",
          "Store it now: it is not shown again. Send it as the X-API-Key header.",
          ...(clientCreated
            ? [
                `Client ${client.name} was created for it: public (no secret), grant types ${client.grantTypes.join(", ")}.`,
              ]
            : []),
        ]);
      }),
    );
  apikey
    .command("list")
    .description("list API keys (never the keys themselves)")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: CommonOptions) =>
      withCore(options, async (command) => {
        const keys = await command.ctx.store.apiKeys.list(await tenantOf(command, options));
        command.out.print(keys.map(view), () =>
          table(
            ["ID", "CLIENT ID", "NAME", "PREFIX", "CREATED", "LAST USED", "REVOKED"],
            keys.map((k) => [
              k.id,
              k.clientId,
              k.name || "-",
              `${k.keyPrefix}…`,
              when(k.createdAt),
              when(k.lastUsedAt),
              when(k.revokedAt),
            ]),
          ),
        );
      }),
    );
  apikey
    .command("revoke <id>")
    .description("revoke an API key at once")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((id: string, options: CommonOptions) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        const { revoked } = await revokeApiKey(command.ctx, tenantId, id as ApiKeyId);
        command.out.print({ id, revoked }, () => [
          revoked ? `revoked ${id}` : `${id} was already revoked`,
        ]);
      }),
    );
}
