import type { Command } from "commander";
import { listClientTokens, MAX_TOKEN_LIST } from "../../core/automation-tokens/list.js";
import { checkIdentifierInput } from "../../core/identifiers.js";
import type { AutomationTokenRecord } from "../../core/model/index.js";
import { revokeTokenAsOperator } from "../../core/tokens/revoke-by-id.js";
import type {
  AdminAutomationToken,
  AdminRevokedAutomationTokens,
} from "../../http/admin-api/schemas/automation-tokens.js";
import { MAX_PAGE_SIZE } from "../../http/admin-api/schemas/common.js";
import {
  type CommonOptions,
  type RemoteCommandContext,
  tenantOf,
  withDeployment,
} from "../context.js";
import { wholeNumber } from "../errors.js";
import { table, when } from "../io.js";

interface ListOptions extends CommonOptions {
  readonly all?: boolean;
  readonly limit?: string;
}

/** A token as the CLI lists it, in either mode: never the token, its hash or its JWT. */
interface TokenView {
  readonly id: string;
  readonly clientId: string;
  readonly type: string;
  readonly name: string;
  readonly prefix: string | null;
  readonly scopes: readonly string[];
  readonly audience: string | null;
  readonly parentId: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
  readonly revokedReason: string | null;
  readonly replacedById: string | null;
}

function view(token: AutomationTokenRecord): TokenView {
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

/** The admin API's token as {@link view} shows a local one. */
function viewRemote(token: AdminAutomationToken): TokenView {
  return {
    id: token.id,
    clientId: token.client_id,
    type: token.type,
    name: token.name,
    prefix: token.prefix,
    scopes: token.scopes,
    audience: token.audience,
    parentId: token.parent_id,
    createdAt: token.created_at,
    lastUsedAt: token.last_used_at,
    expiresAt: token.expires_at,
    revokedAt: token.revoked_at,
    revokedReason: token.revoked_reason,
    replacedById: token.replaced_by_id,
  };
}

/** `--limit`: a whole number from 1 to {@link MAX_TOKEN_LIST}. */
function limitOf(options: ListOptions): number {
  return wholeNumber("--limit", options.limit ?? "100", { min: 1, max: MAX_TOKEN_LIST });
}

/**
 * The newest `limit` tokens of `client` (name or id) through the admin
 * API, page after page: its pages are smaller than the CLI's longest list.
 */
async function listRemote(
  command: RemoteCommandContext,
  client: string,
  includeEnded: boolean,
  limit: number,
): Promise<AdminAutomationToken[]> {
  // Checked here as findClient checks it, so a bad name fails in local mode's words.
  checkIdentifierInput(client, "A client");
  const tokens: AdminAutomationToken[] = [];
  let cursor: string | undefined;
  do {
    const page = await command.admin.get<{ items: AdminAutomationToken[]; next: string | null }>(
      command.tenantPath("/automation-tokens"),
      {
        query: {
          client_id: client,
          include_ended: includeEnded,
          limit: Math.min(MAX_PAGE_SIZE, limit - tokens.length),
          ...(cursor === undefined ? {} : { cursor }),
        },
      },
    );
    tokens.push(...page.body.items);
    cursor = page.body.next ?? undefined;
  } while (cursor !== undefined && tokens.length < limit);
  return tokens;
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
      withDeployment<TokenView[]>(options, {
        local: async (command) => {
          const limit = limitOf(options);
          const list = await listClientTokens(command.ctx, {
            tenantId: await tenantOf(command, options),
            client,
            includeEnded: options.all === true,
            limit,
          });
          return list.map(view);
        },
        remote: async (command) =>
          (await listRemote(command, client, options.all === true, limitOf(options))).map(
            viewRemote,
          ),
        print: (out, list) =>
          out.print(list, () =>
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
                t.type,
                t.name || "-",
                t.prefix === null ? "-" : `${t.prefix}…`,
                t.scopes.join(",") || "-",
                t.createdAt,
                t.lastUsedAt ?? "-",
                t.expiresAt,
                t.revokedAt === null ? "-" : `${t.revokedAt} (${t.revokedReason})`,
              ]),
            ),
          ),
      }),
    );
  tokens
    .command("revoke <tokenId>")
    .description("revoke a token at once, and a long-term token's short-term tokens with it")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((tokenId: string, options: CommonOptions) =>
      withDeployment<readonly string[]>(options, {
        local: async (command) =>
          revokeTokenAsOperator(command.ctx, {
            tenantId: await tenantOf(command, options),
            tokenId,
          }),
        remote: async (command) => {
          // Checked here as the core checks it, so a bad id fails in local mode's words.
          checkIdentifierInput(tokenId, "A token id");
          const answer = await command.admin.call<AdminRevokedAutomationTokens>(
            "DELETE",
            command.tenantPath(`/automation-tokens/${encodeURIComponent(tokenId)}`),
          );
          return answer.body.revoked_token_ids;
        },
        print: (out, revoked) => {
          // A token whose rotation overlap has ended is already revoked, but
          // its short-term tokens' rows may not be: then only they change.
          const itself = revoked.some((id) => id === tokenId);
          const children = revoked.length - (itself ? 1 : 0);
          out.print({ id: tokenId, revoked: revoked.length > 0, revokedTokenIds: revoked }, () => [
            revoked.length === 0
              ? `${tokenId} was already revoked`
              : [
                  itself ? `revoked ${tokenId}` : `${tokenId} was already revoked`,
                  children > 0 ? `; revoked ${children} short-term token(s) of it` : "",
                ].join(""),
          ]);
        },
      }),
    );
}
