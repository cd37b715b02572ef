import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import {
  createClient,
  findClient,
  LONG_TERM_TTL_DAYS,
  listClients,
  rotateClientSecret,
  updateClient,
} from "../../core/clients/clients.js";
import type { ClientRecord } from "../../core/model/index.js";
import { type CommonOptions, tenantOf, withCore } from "../context.js";
import { type Lines, table, when } from "../io.js";

interface AddOptions extends CommonOptions {
  readonly scopes?: string;
  readonly otp?: boolean;
  readonly publicKey?: string[];
  readonly maxTtlDays?: string;
  readonly audience?: string[];
}

interface UpdateOptions extends CommonOptions {
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

/** A client as the CLI shows it: never its secret, its hash or its TOTP seed. */
function view(client: ClientRecord) {
  return {
    id: client.id,
    tenantId: client.tenantId,
    name: client.name,
    status: client.status,
    scopes: client.scopes,
    audiences: client.audiences,
    maxTokenTtlDays: client.maxTokenTtlDays,
    otpEnrolled: client.totpSeedSealed !== null,
    publicKeys: client.publicKeys.map((key) => ({ kid: key.kid, alg: key.alg })),
    secretPrefix: client.secretPrefix,
    createdAt: when(client.createdAt),
    updatedAt: when(client.updatedAt),
  };
}

/** The first line of a list under its label, the rest aligned below it. */
function listed(label: string, items: readonly string[], none: string): string[] {
  const [first, ...rest] = items;
  return [
    `  ${label.padEnd(16)}${first ?? none}`,
    ...rest.map((item) => `${" ".repeat(18)}${item}`),
  ];
}

function describe(client: ClientRecord): Lines {
  const keys = client.publicKeys.map((key) => `${key.kid} (${key.alg})`);
  return [
    `client ${client.name} (${client.id})`,
    `  tenant          ${client.tenantId}`,
    `  status          ${client.status}`,
    `  scopes          ${client.scopes.join(", ") || "none"}`,
    ...listed("audiences", client.audiences, "the tenant's issuer only"),
    `  max token ttl   ${client.maxTokenTtlDays} days`,
    `  otp enrolled    ${client.totpSeedSealed === null ? "no" : "yes"}`,
    `  secret prefix   ${client.secretPrefix}…`,
    ...listed("public keys", keys, "none"),
    `  created         ${when(client.createdAt)}`,
    `  updated         ${when(client.updatedAt)}`,
  ];
}

/** The lines that show a secret once, with the warning that it is not shown again. */
function shownOnce(secrets: readonly (readonly [label: string, value: string])[]): string[] {
  return [
    ...secrets.flatMap(([label, value]) => ["", `${label}:`, "", `  ${value}`]),
    "",
    secrets.length === 1
      ? "Store it now: it is shown once and never again."
      : "Store them now: they are shown once and never again.",
  ];
}

/** `tessera client add|list|show|update|disable|enable|rotate-secret`. */
export function registerClientCommands(program: Command): void {
  const client = program
    .command("client")
    .description("manage client applications of the token API (machine identities)");
  client
    .command("add <name>")
    .description("register a client; its secret (and OTP enrolment URI) are shown once")
    .option("--scopes <list>", "comma-separated scopes the client may hold (e.g. tokens:write)")
    .option("--otp", "enrol a TOTP authenticator (RFC 6238)")
    .option("--public-key <file>", "a public key for assertions, PEM or JWK (repeatable)", collect)
    .option(
      "--audience <aud>",
      "an audience its short-term tokens may have besides the tenant's issuer (repeatable)",
      collect,
    )
    .option(
      "--max-ttl-days <n>",
      `longest long-term token lifetime, ${LONG_TERM_TTL_DAYS.min}-${LONG_TERM_TTL_DAYS.max} days (default ${LONG_TERM_TTL_DAYS.max})`,
    )
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((name: string, options: AddOptions) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        const maxTokenTtlDays = days(options.maxTtlDays);
        const created = await createClient(command.ctx, {
          tenantId,
          name,
          scopes: scopeList(options.scopes ?? ""),
          otp: options.otp === true,
          publicKeys: await readKeyFiles(options.publicKey ?? []),
          audiences: options.audience ?? [],
          ...(maxTokenTtlDays === undefined ? {} : { maxTokenTtlDays }),
        });
        const { otpauthUri } = created;
        command.out.print(
          {
            ...view(created.client),
            clientSecret: created.clientSecret,
            ...(otpauthUri === undefined ? {} : { otpauthUri }),
          },
          () => [
            ...describe(created.client),
            ...shownOnce([
              ["Client secret", created.clientSecret],
              ...(otpauthUri === undefined
                ? []
                : [["OTP enrolment URI (add it to an authenticator app)", otpauthUri] as const]),
            ]),
          ],
        );
      }),
    );
  client
    .command("list")
    .description("list clients (never their secrets)")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: CommonOptions) =>
      withCore(options, async (command) => {
        const clients = await listClients(command.ctx, await tenantOf(command, options));
        command.out.print(clients.map(view), () =>
          table(
            ["NAME", "ID", "STATUS", "SCOPES", "AUDIENCES", "MAX TTL", "OTP", "KEYS", "CREATED"],
            clients.map((c) => [
              c.name,
              c.id,
              c.status,
              c.scopes.join(",") || "-",
              c.audiences.join(",") || "-",
              `${c.maxTokenTtlDays}d`,
              c.totpSeedSealed === null ? "no" : "yes",
              String(c.publicKeys.length),
              when(c.createdAt),
            ]),
          ),
        );
      }),
    );
  client
    .command("show <client>")
    .description("show a client by name or id (never its secret)")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((nameOrId: string, options: CommonOptions) =>
      withCore(options, async (command) => {
        const found = await findClient(command.ctx, await tenantOf(command, options), nameOrId);
        command.out.print(view(found), () => describe(found));
      }),
    );
  const update = client
    .command("update <client>")
    .description("change a client; a new OTP enrolment URI is shown once")
    .option("--name <name>", "rename the client")
    .option("--scopes <list>", 'replace the scopes (comma-separated; "" for none)');
  audienceOptions(
    update,
    "replace the audiences allowed besides the tenant's issuer (repeatable)",
    "allow no audience but the tenant's issuer",
  )
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
    .action((nameOrId: string, options: UpdateOptions) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        const maxTokenTtlDays = days(options.maxTtlDays);
        const { client: updated, otpauthUri } = await updateClient(command.ctx, {
          tenantId,
          client: nameOrId,
          ...(options.name === undefined ? {} : { name: options.name }),
          ...(options.scopes === undefined ? {} : { scopes: scopeList(options.scopes) }),
          ...(options.audience === undefined
            ? {}
            : { audiences: options.audience === false ? [] : options.audience }),
          ...(maxTokenTtlDays === undefined ? {} : { maxTokenTtlDays }),
          ...(options.addPublicKey === undefined
            ? {}
            : { addPublicKeys: await readKeyFiles(options.addPublicKey) }),
          ...(options.removePublicKey === undefined
            ? {}
            : { removePublicKeys: options.removePublicKey }),
          ...(options.otp === undefined ? {} : { otp: options.otp ? "enrol" : "remove" }),
        });
        command.out.print(
          { ...view(updated), ...(otpauthUri === undefined ? {} : { otpauthUri }) },
          () => [
            ...describe(updated),
            ...(otpauthUri === undefined
              ? []
              : shownOnce([["OTP enrolment URI (add it to an authenticator app)", otpauthUri]])),
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
          command.out.print(view(updated), () => [
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
        command.out.print({ ...view(rotated.client), clientSecret: rotated.clientSecret }, () => [
          `New secret for client ${rotated.client.name} (${rotated.client.id}); the old one no longer works.`,
          ...shownOnce([["Client secret", rotated.clientSecret]]),
        ]);
      }),
    );
}
