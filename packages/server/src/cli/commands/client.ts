import type { Command } from "commander";
import {
  createClient,
  LONG_TERM_TTL_DAYS,
  listClients,
  showClient,
} from "../../core/clients/clients.js";
import { rotateClientSecret, updateClient } from "../../core/clients/update-client.js";
import { type CommonOptions, tenantOf, withCore } from "../context.js";
import { clientOAuthView, describeClientOAuth } from "./client-oauth.js";
import {
  type AddOptions,
  AUDIENCES_HELP,
  AUTH_METHOD_HELP,
  audienceOptions,
  audiencesOf,
  collect,
  days,
  GRANT_TYPES_HELP,
  oauthInput,
  readKeyFiles,
  scopeList,
  type UpdateOptions,
} from "./client-options.js";
import { clientTable, clientView, describeClient, shownOnce } from "./client-view.js";

/** `tessera client add|list|show|update|disable|enable|rotate-secret`. */
export function registerClientCommands(program: Command): void {
  const client = program
    .command("client")
    .description(
      "manage client applications: API keys' clients, token API machine identities, OAuth clients",
    );
  client
    .command("add <name>")
    .description("register a client; its secret (and OTP enrolment URI) are shown once")
    .option(
      "--id <id>",
      "a readable client id (1-64 letters, digits, '.', '_', '-'); default: generated",
    )
    .option(
      "--grant-types <list>",
      `${GRANT_TYPES_HELP} (default: client_credentials and jwt-bearer; password and refresh_token for --public)`,
    )
    .option("--auth-method <method>", `${AUTH_METHOD_HELP} (default: client_secret_basic)`)
    .option("--public", "a public client: auth method none, no secret")
    .option("--scopes <list>", "comma-separated scopes the client may hold (e.g. tokens:write)")
    .option("--otp", "enrol a TOTP authenticator (RFC 6238)")
    .option("--public-key <file>", "a public key for assertions, PEM or JWK (repeatable)", collect)
    .option(
      "--audience <aud>",
      "an audience its short-term tokens may have besides the tenant's issuer (repeatable)",
      collect,
    )
    .option("--audiences <list>", AUDIENCES_HELP)
    .option(
      "--max-ttl-days <n>",
      `longest long-term token lifetime, ${LONG_TERM_TTL_DAYS.min}-${LONG_TERM_TTL_DAYS.max} days (default ${LONG_TERM_TTL_DAYS.max})`,
    )
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((name: string, options: AddOptions) =>
      withCore(options, async (command) => {
        const oauth = oauthInput(options);
        const audiences = audiencesOf(options) ?? [];
        const tenantId = await tenantOf(command, options);
        const maxTokenTtlDays = days(options.maxTtlDays);
        const created = await createClient(command.ctx, {
          tenantId,
          name,
          ...(options.id === undefined ? {} : { id: options.id }),
          ...oauth,
          scopes: scopeList(options.scopes ?? ""),
          otp: options.otp === true,
          publicKeys: await readKeyFiles(options.publicKey ?? []),
          audiences,
          ...(maxTokenTtlDays === undefined ? {} : { maxTokenTtlDays }),
        });
        const { clientSecret, otpauthUri } = created;
        const secrets = [
          ...(clientSecret === null ? [] : [["Client secret", clientSecret] as const]),
          ...(otpauthUri === undefined
            ? []
            : [["OTP enrolment URI (add it to an authenticator app)", otpauthUri] as const]),
        ];
        const endpoints = clientOAuthView(command.ctx, created.client);
        command.out.print(
          {
            ...clientView(created.client, 0),
            oauth: endpoints,
            ...(clientSecret === null ? {} : { clientSecret }),
            ...(otpauthUri === undefined ? {} : { otpauthUri }),
          },
          () => [
            ...describeClient(created.client, 0),
            ...describeClientOAuth(created.client, endpoints),
            ...(secrets.length === 0 ? [] : shownOnce(secrets)),
          ],
        );
      }),
    );
  client
    .command("list")
    .description("list every client, those of API keys included (never their secrets)")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: CommonOptions) =>
      withCore(options, async (command) => {
        const clients = await listClients(command.ctx, await tenantOf(command, options));
        command.out.print(
          clients.map(({ client: c, apiKeys }) => clientView(c, apiKeys)),
          () => clientTable(clients),
        );
      }),
    );
  client
    .command("show <client>")
    .description(
      "show a client by id or name (never its secret), its tenant's discovery URLs and a curl command for its first token",
    )
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((idOrName: string, options: CommonOptions) =>
      withCore(options, async (command) => {
        const shown = await showClient(command.ctx, await tenantOf(command, options), idOrName);
        const oauth = clientOAuthView(command.ctx, shown.client);
        command.out.print({ ...clientView(shown.client, shown.apiKeys), oauth }, () => [
          ...describeClient(shown.client, shown.apiKeys),
          ...describeClientOAuth(shown.client, oauth),
        ]);
      }),
    );
  const update = client
    .command("update <client>")
    .description("change a client; a new secret or OTP enrolment URI is shown once")
    .option("--name <name>", "rename the client")
    .option("--grant-types <list>", `replace the ${GRANT_TYPES_HELP}`)
    .option(
      "--auth-method <method>",
      `${AUTH_METHOD_HELP}; to a client_secret_* method from one without a secret makes a secret, away from them drops it`,
    )
    .option("--public", "make it a public client: auth method none, its secret dropped")
    .option("--scopes <list>", 'replace the scopes (comma-separated; "" for none)');
  audienceOptions(
    update,
    "replace the audiences allowed besides the tenant's issuer (repeatable)",
    "allow no audience but the tenant's issuer",
  )
    .option("--audiences <list>", `replace ${AUDIENCES_HELP}`)
    .option(
      "--max-ttl-days <n>",
      `longest long-term token lifetime, ${LONG_TERM_TTL_DAYS.min}-${LONG_TERM_TTL_DAYS.max} days`,
    )
    .option("--add-public-key <file>", "add a public key, PEM or JWK (repeatable)", collect)
    .option(
      "--remove-public-key <kid>",
      "remove the public key with this kid (repeatable)",
      collect,
    )
    .option("--otp", "enrol a new TOTP authenticator, replacing any current one")
    .option("--no-otp", "remove the TOTP enrolment")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((idOrName: string, options: UpdateOptions) =>
      withCore(options, async (command) => {
        const oauth = oauthInput(options);
        const audiences = audiencesOf(options);
        const tenantId = await tenantOf(command, options);
        const maxTokenTtlDays = days(options.maxTtlDays);
        const before = await showClient(command.ctx, tenantId, idOrName);
        const {
          client: updated,
          otpauthUri,
          clientSecret,
        } = await updateClient(command.ctx, {
          tenantId,
          client: before.client.id,
          ...(options.name === undefined ? {} : { name: options.name }),
          ...oauth,
          ...(options.scopes === undefined ? {} : { scopes: scopeList(options.scopes) }),
          ...(audiences === undefined ? {} : { audiences }),
          ...(maxTokenTtlDays === undefined ? {} : { maxTokenTtlDays }),
          ...(options.addPublicKey === undefined
            ? {}
            : { addPublicKeys: await readKeyFiles(options.addPublicKey) }),
          ...(options.removePublicKey === undefined
            ? {}
            : { removePublicKeys: options.removePublicKey }),
          ...(options.otp === undefined ? {} : { otp: options.otp ? "enrol" : "remove" }),
        });
        const secrets = [
          ...(clientSecret === undefined ? [] : [["Client secret", clientSecret] as const]),
          ...(otpauthUri === undefined
            ? []
            : [["OTP enrolment URI (add it to an authenticator app)", otpauthUri] as const]),
        ];
        const secretDropped = before.client.secretHash !== null && updated.secretHash === null;
        command.out.print(
          {
            ...clientView(updated, before.apiKeys),
            ...(clientSecret === undefined ? {} : { clientSecret }),
            ...(otpauthUri === undefined ? {} : { otpauthUri }),
          },
          () => [
            ...describeClient(updated, before.apiKeys),
            ...(secretDropped
              ? ["", "Its secret was removed: it no longer works, and no secret is kept."]
              : []),
            ...(secrets.length === 0 ? [] : shownOnce(secrets)),
          ],
        );
      }),
    );
  for (const [name, enabled] of [
    ["disable", false],
    ["enable", true],
  ] as const) {
    client
      .command(`${name} <client>`)
      .description(
        enabled
          ? "let a disabled client step up again; its live tokens work again"
          : "refuse the client's step-ups and every one of its tokens until enabled",
      )
      .option("--tenant <id>", "tenant (default: the default tenant)")
      .option("--json", "print JSON")
      .action((nameOrId: string, options: CommonOptions) =>
        withCore(options, async (command) => {
          const tenantId = await tenantOf(command, options);
          const { client: updated } = await updateClient(command.ctx, {
            tenantId,
            client: nameOrId,
            enabled,
          });
          command.out.print(clientView(updated), () => [
            `${name}d client ${updated.name} (${updated.id}); status ${updated.status}`,
          ]);
        }),
      );
  }
  client
    .command("rotate-secret <client>")
    .description("replace the client's secret (the old one stops working at once); shown once")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((nameOrId: string, options: CommonOptions) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        const rotated = await rotateClientSecret(command.ctx, { tenantId, client: nameOrId });
        command.out.print(
          { ...clientView(rotated.client), clientSecret: rotated.clientSecret },
          () => [
            `New secret for client ${rotated.client.name} (${rotated.client.id}); the old one no longer works.`,
            ...shownOnce([["Client secret", rotated.clientSecret]]),
          ],
        );
      }),
    );
}
