import type { Command } from "commander";
import { createApiKey, revokeApiKey } from "../../core/api-keys.js";
import type { ApiKeyId } from "../../core/ids.js";
import type { ApiKeyRecord } from "../../core/model/index.js";
import { type CommonOptions, tenantOf, withCore } from "../context.js";
import { table, when } from "../io.js";

interface CreateOptions extends CommonOptions {
  readonly name?: string;
  readonly clientId?: string;
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
    .option("--client-id <id>", "the client application id (default: a new one)")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: CreateOptions) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        const { record, key } = await createApiKey(command.ctx, {
          tenantId,
          ...(options.name === undefined ? {} : { name: options.name }),
          ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
        });
        command.out.print({ ...view(record), key }, () => [
          `API key ${record.id} for client ${record.clientId} (tenant ${tenantId}):`,
          "",
          `  ${key}`,
          "",
          "Store it now: it is not shown again. Send it as the X-API-Key header.",
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
