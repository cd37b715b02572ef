import type { Command } from "commander";
import { listClientTokens, MAX_TOKEN_LIST } from "../../core/automation-tokens/list.js";
import type { AutomationTokenRecord } from "../../core/model/index.js";
import { revokeTokenAsOperator } from "../../core/tokens/revoke-by-id.js";
import { type CommonOptions, tenantOf, withCore } from "../context.js";
import { usageError } from "../errors.js";
import { table, when } from "../io.js";

interface ListOptions extends CommonOptions {
  readonly all?: boolean;
  readonly limit?: string;
}

/** A token as the CLI lists it: never the token, its hash or its JWT. */
function view(token: AutomationTokenRecord) {
  return {
    id: token.id,
    clientId: token.clientId,
    type: token.kind,
    name: token.name,
    prefix: token.prefix,
    scopes: token.scopes,
    audience: token.audience,
    parentId: token.parentId,
    createdAt: when(token.createdAt),
    lastUsedAt: token.lastUsedAt === null ? null : when(token.lastUsedAt),
    expiresAt: when(token.expiresAt),
    revokedAt: token.revokedAt === null ? null : when(token.revokedAt),
    revokedReason: token.revokedReason,
    replacedById: token.replacedById,
  };
}

/** `tessera tokens list|revoke`: a client's long- and short-term tokens of the token API. */
export function registerTokenCommands(program: Command): void {
  const tokens = program
    .command("tokens")
    .description("inspect and revoke the token API's long- and short-term tokens");
  tokens
    .command("list <client>")
    .description("list a client's (name or id) live tokens, newest first; never the tokens")
    .option("--all", "include revoked and expired tokens")
    .option("--limit <n>", `at most this many, 1-${MAX_TOKEN_LIST}`, "100")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((client: string, options: ListOptions) =>
      withCore(options, async (command) => {
        const limit = Number(options.limit ?? "100");
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TOKEN_LIST) {
          throw usageError(`--limit must be a whole number from 1 to ${MAX_TOKEN_LIST}`);
        }
        const list = await listClientTokens(command.ctx, {
          tenantId: await tenantOf(command, options),
          client,
          includeEnded: options.all === true,
          limit,
        });
        command.out.print(list.map(view), () =>
          table(
            [
              "ID",
              "TYPE",
              "NAME",
              "PREFIX",
              "SCOPES",
              "CREATED",
              "LAST USED",
              "EXPIRES",
              "REVOKED",
            ],
            list.map((t) => [
              t.id,
              t.kind,
              t.name || "-",
              t.prefix === null ? "-" : `${t.prefix}…`,
              t.scopes.join(",") || "-",
              when(t.createdAt),
              when(t.lastUsedAt),
              when(t.expiresAt),
              t.revokedAt === null ? "-" : `${when(t.revokedAt)} (${t.revokedReason})`,
            ]),
          ),
        );
      }),
    );
  tokens
    .command("revoke <tokenId>")
    .description("revoke a token at once, and a long-term token's short-term tokens with it")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((tokenId: string, options: CommonOptions) =>
      withCore(options, async (command) => {
        const revoked = await revokeTokenAsOperator(command.ctx, {
          tenantId: await tenantOf(command, options),
          tokenId,
        });
        // A token whose rotation overlap has ended is already revoked, but
        // its short-term tokens' rows may not be: then only they change.
        const itself = revoked.some((id) => id === tokenId);
        const children = revoked.length - (itself ? 1 : 0);
        command.out.print(
          { id: tokenId, revoked: revoked.length > 0, revokedTokenIds: revoked },
          () => [
            revoked.length === 0
              ? `${tokenId} was already revoked`
              : [
                  itself ? `revoked ${tokenId}` : `${tokenId} was already revoked`,
                  children > 0 ? `; revoked ${children} short-term token(s) of it` : "",
                ].join(""),
          ],
        );
      }),
    );
}
