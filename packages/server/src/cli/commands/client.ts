import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { TOKEN_ENDPOINT_AUTH_METHODS } from "../../core/clients/auth-methods.js";
import {
  createClient,
  LONG_TERM_TTL_DAYS,
  listClients,
  showClient,
} from "../../core/clients/clients.js";
import { GRANT_TYPES } from "../../core/clients/grant-types.js";
import { rotateClientSecret, updateClient } from "../../core/clients/update-client.js";
import { type CommonOptions, tenantOf, withCore } from "../context.js";
import { clientTable, clientView, describeClient, shownOnce } from "./client-view.js";

/** The options `add` and `update` share that say how a client gets tokens. */
interface OAuthOptions {
  readonly grantTypes?: string;
  readonly authMethod?: string;
  readonly public?: boolean;
  /** `--audiences a,b`: the whole list at once (`""` for none). */
  readonly audiences?: string;
}

interface AddOptions extends CommonOptions, OAuthOptions {
  readonly id?: string;
  readonly scopes?: string;
  readonly otp?: boolean;
  readonly publicKey?: string[];
  readonly maxTtlDays?: string;
  readonly audience?: string[];
}

interface UpdateOptions extends CommonOptions, OAuthOptions {
  readonly name?: string;
  readonly scopes?: string;
  readonly maxTtlDays?: string;
  readonly addPublicKey?: string[];
  readonly removePublicKey?: string[];
  /** `--otp` enrols (again), `--no-otp` removes; undefined leaves it. */
  readonly otp?: boolean;
  /** `--audience` (repeatable) replaces the list, `--no-audience` empties it; undefined leaves it. */
  readonly audience?: string[] | false;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

const AUDIENCE_CONFLICT =
  "--audience and --no-audience cannot be used together (--audience replaces the allowed audiences, --no-audience empties them)";

/**
 * `--audience <aud>` (repeatable) and `--no-audience` on `command`.
 * Commander keeps both in one value and lets the later win, so `--audience
 * X --no-audience` would silently empty the list and `--no-audience
 * --audience X` would hand `false` to the list; given together, in either
 * order, they are a usage error instead.
 */
function audienceOptions(command: Command, description: string, emptyDescription: string): Command {
  const conflict = () => command.error(`error: ${AUDIENCE_CONFLICT}`);
  // Registered before commander's own listener, so this sees the list before it becomes false.
  command.on("option:no-audience", () => {
    if (Array.isArray(command.getOptionValue("audience"))) {
      conflict();
    }
  });
  return command
    .option("--audience <aud>", description, (value: string, previous?: string[] | false) =>
      previous === false ? conflict() : collect(value, previous),
    )
    .option("--no-audience", emptyDescription);
}

/** `--scopes a,b`: a comma-separated list; `--scopes ""` is no scopes. */
const scopeList = (value: string) =>
  value
    .split(",")
    .map((scope) => scope.trim())
    .filter((scope) => scope !== "");

/**
 * The auth method `--public` and `--auth-method` ask for, or undefined for
 * neither. `--public` is auth method `none`; with any other it is a
 * contradiction, refused before anything changes.
 */
function authMethodOf(options: OAuthOptions): string | undefined {
  if (options.public === true) {
    if (options.authMethod !== undefined && options.authMethod !== "none") {
      throw new Error(
        `--public makes a public client (auth method none), which contradicts --auth-method ${options.authMethod}`,
      );
    }
    return "none";
  }
  return options.authMethod;
}

/** What `add` and `update` hand the core for the grant types and auth method options. */
function oauthInput(options: OAuthOptions) {
  const method = authMethodOf(options);
  return {
    ...(options.grantTypes === undefined ? {} : { grantTypes: scopeList(options.grantTypes) }),
    ...(method === undefined ? {} : { tokenEndpointAuthMethod: method }),
  };
}

/** `--audiences a,b` or the repeated `--audience`, not both. */
function audiencesOf(
  options: OAuthOptions & { readonly audience?: string[] | false },
): string[] | undefined {
  if (options.audiences !== undefined) {
    if (options.audience !== undefined) {
      throw new Error(
        "--audiences gives the whole list; it cannot be combined with --audience or --no-audience",
      );
    }
    return scopeList(options.audiences);
  }
  return options.audience === undefined
    ? undefined
    : options.audience === false
      ? []
      : options.audience;
}

const GRANT_TYPES_HELP = `comma-separated grant types, by their RFC names: ${GRANT_TYPES.join(", ")}`;
const AUTH_METHOD_HELP = `how it authenticates at a token endpoint: ${TOKEN_ENDPOINT_AUTH_METHODS.join(", ")}`;
const AUDIENCES_HELP =
  'the audiences its tokens may have besides the tenant\'s issuer, comma-separated ("" for none)';

function days(value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(value)) {
    throw new Error("--max-ttl-days must be a whole number of days");
  }
  return Number(value);
}

/** Reads key files (PEM or JWK); a file that cannot be read is a one-line error naming it. */
async function readKeyFiles(paths: readonly string[]): Promise<string[]> {
  return Promise.all(
    paths.map(async (path) => {
      try {
        return await readFile(path, "utf8");
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(
          code === "ENOENT"
            ? `No such public key file: ${path}`
            : `Cannot read public key file ${path} (${code ?? "unknown error"})`,
        );
      }
    }),
  );
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
        command.out.print(
          {
            ...clientView(created.client, 0),
            ...(clientSecret === null ? {} : { clientSecret }),
            ...(otpauthUri === undefined ? {} : { otpauthUri }),
          },
          () => [
            ...describeClient(created.client, 0),
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
    .description("show a client by id or name (never its secret)")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((idOrName: string, options: CommonOptions) =>
      withCore(options, async (command) => {
        const shown = await showClient(command.ctx, await tenantOf(command, options), idOrName);
        command.out.print(clientView(shown.client, shown.apiKeys), () =>
          describeClient(shown.client, shown.apiKeys),
        );
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
