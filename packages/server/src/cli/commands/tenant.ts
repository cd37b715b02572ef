import type { Command } from "commander";
import type { RefreshPolicy, SigningAlgorithm, TenantRecord } from "../../core/model/index.js";
import type { TenantPatch } from "../../core/ports/index.js";
import {
  createTenant,
  getTenant,
  parseTenantId,
  updateTenant,
  validateTenantPatch,
} from "../../core/tenants.js";
import { type CommonOptions, withCore } from "../context.js";
import { usageError } from "../errors.js";
import { type Lines, table } from "../io.js";

interface TenantOptions extends CommonOptions {
  readonly displayName?: string;
  readonly accessTtl?: string;
  readonly idTtl?: string;
  readonly refreshTtl?: string;
  readonly refreshPolicy?: string;
  readonly refreshGraceSeconds?: string;
  readonly signingAlg?: string;
  readonly operationTokenTtl?: string;
  readonly oauthPasswordGrant?: string;
}

function whole(name: string, value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(value)) {
    throw usageError(`${name} must be a whole number of seconds`);
  }
  return Number(value);
}

function onOff(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (value !== "on" && value !== "off") {
    throw usageError(`${name} is on or off`);
  }
  return value === "on";
}

/** The option that sets each tenant setting, for messages in the option's own name. */
const OPTION_OF = {
  displayName: "--display-name",
  accessTokenTtlSeconds: "--access-ttl",
  idTokenTtlSeconds: "--id-ttl",
  refreshTokenTtlSeconds: "--refresh-ttl",
  refreshPolicy: "--refresh-policy",
  refreshGraceSeconds: "--refresh-grace-seconds",
  signingAlgorithm: "--signing-alg",
  operationTokenTtlSeconds: "--operation-token-ttl",
  oauthPasswordGrant: "--oauth-password-grant",
} as const satisfies Record<keyof TenantPatch, string>;

/** The patch the options give, checked with every problem named by its option. */
function patchFrom(options: TenantOptions): TenantPatch {
  const patch = rawPatch(options);
  try {
    validateTenantPatch(patch, (field) => OPTION_OF[field]);
  } catch (error) {
    throw error instanceof Error ? usageError(error.message) : error;
  }
  return patch;
}

function rawPatch(options: TenantOptions): TenantPatch {
  const entries = {
    displayName: options.displayName,
    accessTokenTtlSeconds: whole("--access-ttl", options.accessTtl),
    idTokenTtlSeconds: whole("--id-ttl", options.idTtl),
    refreshTokenTtlSeconds: whole("--refresh-ttl", options.refreshTtl),
    refreshPolicy: options.refreshPolicy as RefreshPolicy | undefined,
    refreshGraceSeconds: whole("--refresh-grace-seconds", options.refreshGraceSeconds),
    signingAlgorithm: options.signingAlg as SigningAlgorithm | undefined,
    operationTokenTtlSeconds: whole("--operation-token-ttl", options.operationTokenTtl),
    oauthPasswordGrant: onOff("--oauth-password-grant", options.oauthPasswordGrant),
  };
  return Object.fromEntries(
    Object.entries(entries).filter(([, v]) => v !== undefined),
  ) as TenantPatch;
}

/** A tenant as the CLI prints it, with ISO times like every other command. */
function view(t: TenantRecord) {
  return {
    ...t,
    createdAt: new Date(t.createdAt).toISOString(),
    updatedAt: new Date(t.updatedAt).toISOString(),
  };
}

function describe(t: TenantRecord): Lines {
  return [
    `tenant ${t.id} (${t.displayName})`,
    `  access token ttl   ${t.accessTokenTtlSeconds}s`,
    `  id token ttl       ${t.idTokenTtlSeconds}s`,
    `  refresh token ttl  ${t.refreshTokenTtlSeconds}s`,
    `  refresh policy     ${t.refreshPolicy} (grace ${t.refreshGraceSeconds}s)`,
    `  signing algorithm  ${t.signingAlgorithm}`,
    `  operation token    ${t.operationTokenTtlSeconds}s (operations API, RS256)`,
    `  oauth password     ${t.oauthPasswordGrant ? "on" : "off"} (OAuth password grant)`,
  ];
}

function settingOptions(command: Command): Command {
  return command
    .option("--display-name <name>", "a human name")
    .option("--access-ttl <seconds>", "access token lifetime (60-86400)")
    .option("--id-ttl <seconds>", "ID token lifetime (60-86400)")
    .option("--refresh-ttl <seconds>", "refresh token (session) lifetime")
    .option("--refresh-policy <policy>", "none | rotate")
    .option(
      "--refresh-grace-seconds <seconds>",
      "rotate: how long a rotated token still answers (0-120)",
    )
    .option("--signing-alg <alg>", "ES256 | RS256 | EdDSA")
    .option(
      "--operation-token-ttl <seconds>",
      "operations API operation token lifetime (60-2592000)",
    )
    .option(
      "--oauth-password-grant <on|off>",
      "serve OAuth's password grant (RFC 6749 4.3) for this tenant; off by default",
    )
    .option("--json", "print JSON");
}

/** `tessera tenant create|list|update`. */
export function registerTenantCommands(program: Command): void {
  const tenant = program.command("tenant").description("manage tenants (user pools)");
  settingOptions(
    tenant.command("create <id>").description("create a tenant with its signing keys"),
  ).action((id: string, options: TenantOptions) =>
    withCore(options, async ({ ctx, out }) => {
      const created = await createTenant(ctx, { id, ...patchFrom(options) });
      out.print(view(created), () => describe(created));
    }),
  );
  tenant
    .command("list")
    .description("list tenants")
    .option("--json", "print JSON")
    .action((options: CommonOptions) =>
      withCore(options, async ({ ctx, out }) => {
        const tenants = await ctx.store.tenants.list();
        out.print(tenants.map(view), () =>
          table(
            ["ID", "NAME", "REFRESH POLICY", "ALG"],
            tenants.map((t) => [t.id, t.displayName, t.refreshPolicy, t.signingAlgorithm]),
          ),
        );
      }),
    );
  settingOptions(tenant.command("update <id>").description("change a tenant's settings")).action(
    (id: string, options: TenantOptions) =>
      withCore(options, async ({ ctx, out }) => {
        const tenantId = parseTenantId(id);
        await getTenant(ctx, tenantId);
        const updated = await updateTenant(ctx, tenantId, patchFrom(options));
        out.print(view(updated), () => describe(updated));
      }),
  );
}
