import type { Command } from "commander";
import {
  createClient,
  LONG_TERM_TTL_DAYS,
  listClients,
  showClient,
} from "../../core/clients/clients.js";
import { rotateClientSecret, updateClient } from "../../core/clients/update-client.js";
import type { ClientRecord } from "../../core/model/index.js";
import { tenantIssuer } from "../../core/tokens/issuer.js";
import type {
  AdminClient as AdminClientResource,
  AdminCreatedClient,
  AdminRotatedSecret,
  AdminUpdatedClient,
} from "../../http/admin-api/schemas/clients.js";
import {
  type CommandContext,
  type CommonOptions,
  type RemoteCommandContext,
  tenantOf,
  withDeployment,
} from "../context.js";
import type { Output } from "../io.js";
import {
  remoteClient,
  remoteClientPath,
  remoteLiveApiKeys,
  remoteTenantUrls,
} from "../remote/client-lookups.js";
import {
  type ClientOAuthView,
  clientOAuthView,
  describeClientOAuth,
  type TenantUrls,
} from "./client-oauth.js";
import {
  type AddOptions,
  AUDIENCES_HELP,
  AUTH_METHOD_HELP,
  audienceOptions,
  audiencesOf,
  clientChangeOf,
  collect,
  days,
  GRANT_TYPES_HELP,
  oauthInput,
  readKeyFiles,
  scopeList,
  type UpdateOptions,
} from "./client-options.js";
import { updateRemoteClient } from "./client-remote.js";
import {
  type ClientView,
  clientTable,
  clientView,
  clientViewRemote,
  describeClient,
  shownOnce,
} from "./client-view.js";

/** A local deployment's URLs of the client's tenant. */
const localUrls = (command: CommandContext, client: ClientRecord): TenantUrls => ({
  publicUrl: command.ctx.settings.publicUrl,
  issuer: tenantIssuer(command.ctx, client.tenantId),
});

/** What `client add` shows, in either mode: the client, its OAuth URLs and its secrets, once. */
interface AddedClient {
  readonly client: ClientView;
  readonly oauth: ClientOAuthView;
  readonly clientSecret: string | null;
  readonly otpauthUri: string | undefined;
}

/** What `client update` shows, in either mode. */
interface UpdatedClientView {
  readonly client: ClientView;
  readonly clientSecret: string | undefined;
  readonly otpauthUri: string | undefined;
  /** The change moved it away from a secret: the old one no longer works. */
  readonly secretDropped: boolean;
}

/** The labelled secrets a command shows once: a client secret, an OTP enrolment URI. */
function secretsOf(clientSecret: string | null | undefined, otpauthUri: string | undefined) {
  return [
    ...(clientSecret === null || clientSecret === undefined
      ? []
      : [["Client secret", clientSecret] as const]),
    ...(otpauthUri === undefined
      ? []
      : [["OTP enrolment URI (add it to an authenticator app)", otpauthUri] as const]),
  ];
}

function printAdded(out: Output, { client, oauth, clientSecret, otpauthUri }: AddedClient): void {
  const secrets = secretsOf(clientSecret, otpauthUri);
  out.print(
    {
      ...client,
      oauth,
      ...(clientSecret === null ? {} : { clientSecret }),
      ...(otpauthUri === undefined ? {} : { otpauthUri }),
    },
    () => [
      ...describeClient(client),
      ...describeClientOAuth(client, oauth),
      ...(secrets.length === 0 ? [] : shownOnce(secrets)),
    ],
  );
}

function printUpdated(out: Output, updated: UpdatedClientView): void {
  const { client, clientSecret, otpauthUri } = updated;
  const secrets = secretsOf(clientSecret, otpauthUri);
  out.print(
    {
      ...client,
      ...(clientSecret === undefined ? {} : { clientSecret }),
      ...(otpauthUri === undefined ? {} : { otpauthUri }),
    },
    () => [
      ...describeClient(client),
      ...(updated.secretDropped
        ? ["", "Its secret was removed: it no longer works, and no secret is kept."]
        : []),
      ...(secrets.length === 0 ? [] : shownOnce(secrets)),
    ],
  );
}

/** A client read through the admin API with its live API keys and its tenant's URLs, as `client show` shows it. */
async function showRemote(
  command: RemoteCommandContext,
  idOrName: string,
): Promise<{ client: ClientView; oauth: ClientOAuthView }> {
  const { client } = await remoteClient(command, idOrName);
  const [live, urls] = await Promise.all([
    remoteLiveApiKeys(command, client.id),
    remoteTenantUrls(command),
  ]);
  const view = clientViewRemote(client, live.get(client.id) ?? 0);
  return { client: view, oauth: clientOAuthView(urls, view) };
}

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
    .action((name: string, options: AddOptions) => {
      // Usage errors first, in either mode, before anything is looked up.
      const input = () => {
        const oauth = oauthInput(options);
        const audiences = audiencesOf(options) ?? [];
        return { oauth, audiences, maxTokenTtlDays: days(options.maxTtlDays) };
      };
      return withDeployment<AddedClient>(options, {
        local: async (command) => {
          const { oauth, audiences, maxTokenTtlDays } = input();
          const tenantId = await tenantOf(command, options);
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
          const view = clientView(created.client, 0);
          return {
            client: view,
            oauth: clientOAuthView(localUrls(command, created.client), view),
            clientSecret: created.clientSecret,
            otpauthUri: created.otpauthUri,
          };
        },
        remote: async (command) => {
          const { oauth, audiences, maxTokenTtlDays } = input();
          const publicKeys = await readKeyFiles(options.publicKey ?? []);
          const created = (
            await command.admin.call<AdminCreatedClient>("POST", command.tenantPath("/clients"), {
              body: {
                name,
                ...(options.id === undefined ? {} : { id: options.id }),
                ...(oauth.grantTypes === undefined ? {} : { grant_types: oauth.grantTypes }),
                ...(oauth.tokenEndpointAuthMethod === undefined
                  ? {}
                  : { token_endpoint_auth_method: oauth.tokenEndpointAuthMethod }),
                scopes: scopeList(options.scopes ?? ""),
                audiences,
                otp: options.otp === true,
                public_keys: publicKeys,
                ...(maxTokenTtlDays === undefined ? {} : { max_token_ttl_days: maxTokenTtlDays }),
              },
            })
          ).body;
          const { client_secret, otpauth_uri, ...shown } = created;
          const view = clientViewRemote(shown, 0);
          return {
            client: view,
            oauth: clientOAuthView(await remoteTenantUrls(command), view),
            clientSecret: client_secret ?? null,
            otpauthUri: otpauth_uri,
          };
        },
        print: printAdded,
      });
    });
  client
    .command("list")
    .description("list every client, those of API keys included (never their secrets)")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: CommonOptions) =>
      withDeployment<ClientView[]>(options, {
        local: async (command) => {
          const clients = await listClients(command.ctx, await tenantOf(command, options));
          return clients.map(({ client: c, apiKeys }) => clientView(c, apiKeys));
        },
        remote: async (command) => {
          const [clients, live] = await Promise.all([
            command.admin.all<AdminClientResource>(command.tenantPath("/clients")),
            remoteLiveApiKeys(command),
          ]);
          return clients.map((c) => clientViewRemote(c, live.get(c.id) ?? 0));
        },
        print: (out, clients) => out.print(clients, () => clientTable(clients)),
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
      withDeployment(options, {
        local: async (command) => {
          const shown = await showClient(command.ctx, await tenantOf(command, options), idOrName);
          const view = clientView(shown.client, shown.apiKeys);
          return { client: view, oauth: clientOAuthView(localUrls(command, shown.client), view) };
        },
        remote: (command) => showRemote(command, idOrName),
        print: (out, { client: shown, oauth }) =>
          out.print({ ...shown, oauth }, () => [
            ...describeClient(shown),
            ...describeClientOAuth(shown, oauth),
          ]),
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
      withDeployment<UpdatedClientView>(options, {
        local: async (command) => {
          const change = await clientChangeOf(options);
          const tenantId = await tenantOf(command, options);
          const before = await showClient(command.ctx, tenantId, idOrName);
          const updated = await updateClient(command.ctx, {
            tenantId,
            client: before.client.id,
            ...change,
          });
          return {
            client: clientView(updated.client, before.apiKeys),
            clientSecret: updated.clientSecret,
            otpauthUri: updated.otpauthUri,
            secretDropped: before.client.secretHash !== null && updated.client.secretHash === null,
          };
        },
        remote: async (command) => {
          const change = await clientChangeOf(options);
          const updated = await updateRemoteClient(command, idOrName, change);
          const live = await remoteLiveApiKeys(command, updated.before.id);
          return {
            client: clientViewRemote(updated.after, live.get(updated.before.id) ?? 0),
            clientSecret: updated.clientSecret,
            otpauthUri: updated.otpauthUri,
            // A client has a secret prefix exactly while it has a secret.
            secretDropped:
              updated.before.secret_prefix !== null && updated.after.secret_prefix === null,
          };
        },
        print: printUpdated,
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
        withDeployment(options, {
          local: async (command) => {
            const tenantId = await tenantOf(command, options);
            const { client: updated } = await updateClient(command.ctx, {
              tenantId,
              client: nameOrId,
              enabled,
            });
            return clientView(updated);
          },
          remote: async (command) => {
            const { client: found } = await remoteClient(command, nameOrId);
            const { client_secret: _, ...updated } = (
              await command.admin.call<AdminUpdatedClient>(
                "PATCH",
                remoteClientPath(command, found.id),
                { body: { enabled } },
              )
            ).body;
            return clientViewRemote(updated);
          },
          print: (out, updated) =>
            out.print(updated, () => [
              `${name}d client ${updated.name} (${updated.id}); status ${updated.status}`,
            ]),
        }),
      );
  }
  client
    .command("rotate-secret <client>")
    .description("replace the client's secret (the old one stops working at once); shown once")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((nameOrId: string, options: CommonOptions) =>
      withDeployment(options, {
        local: async (command) => {
          const tenantId = await tenantOf(command, options);
          const rotated = await rotateClientSecret(command.ctx, { tenantId, client: nameOrId });
          return { client: clientView(rotated.client), clientSecret: rotated.clientSecret };
        },
        remote: async (command) => {
          const { client: found } = await remoteClient(command, nameOrId);
          const rotated = (
            await command.admin.call<AdminRotatedSecret>(
              "POST",
              remoteClientPath(command, found.id, "/secret"),
              // As locally: the old secret stops working at once.
              { body: { overlap_seconds: 0 } },
            )
          ).body;
          const { client: after } = await remoteClient(command, rotated.client_id);
          return { client: clientViewRemote(after), clientSecret: rotated.client_secret };
        },
        print: (out, { client: rotated, clientSecret }) =>
          out.print({ ...rotated, clientSecret }, () => [
            `New secret for client ${rotated.name} (${rotated.id}); the old one no longer works.`,
            ...shownOnce([["Client secret", clientSecret]]),
          ]),
      }),
    );
}
