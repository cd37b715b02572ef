import type { Command } from "commander";
import type { TenantId } from "../../core/ids.js";
import type { RefreshPolicy, SigningAlgorithm, TenantRecord } from "../../core/model/index.js";
import type { TenantPatch } from "../../core/ports/index.js";
import {
  createTenant,
  getTenant,
  parseTenantId,
  updateTenant,
  validateTenantPatch,
} from "../../core/tenants.js";
import type { AdminTenant } from "../../http/admin-api/schemas/tenants.js";
import { type CommonOptions, withDeployment } from "../context.js";
import { usageError } from "../errors.js";
import { type Lines, table } from "../io.js";
import { AdminClient } from "../remote/admin-client.js";
import { remoteTenant } from "../remote/lookups.js";

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
  readonly keyRotationDays?: string;
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

function wholeDays(name: string, value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(value)) {
    throw usageError(`${name} must be a whole number of days (0 rotates only by hand)`);
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
  signingKeyRotationDays: "--key-rotation-days",
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
    signingKeyRotationDays: wholeDays("--key-rotation-days", options.keyRotationDays),
  };
  return Object.fromEntries(
    Object.entries(entries).filter(([, v]) => v !== undefined),
  ) as TenantPatch;
}

/** The admin API's name of each tenant setting. */
const WIRE_NAME_OF = {
  displayName: "display_name",
  accessTokenTtlSeconds: "access_token_ttl_seconds",
  idTokenTtlSeconds: "id_token_ttl_seconds",
  refreshTokenTtlSeconds: "refresh_token_ttl_seconds",
  refreshPolicy: "refresh_policy",
  refreshGraceSeconds: "refresh_grace_seconds",
  signingAlgorithm: "signing_algorithm",
  operationTokenTtlSeconds: "operation_token_ttl_seconds",
  oauthPasswordGrant: "oauth_password_grant",
  signingKeyRotationDays: "signing_key_rotation_days",
} as const satisfies Record<keyof TenantPatch, string>;

/** The patch as the admin API's request body. */
function wirePatch(patch: TenantPatch): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(patch).map(([field, value]) => [
      WIRE_NAME_OF[field as keyof TenantPatch],
      value,
    ]),
  );
}

/** A tenant as the CLI prints it in either mode, with ISO times like every other command. */
type TenantView = Omit<TenantRecord, "createdAt" | "updatedAt"> & {
  readonly createdAt: string;
  readonly updatedAt: string;
};

function view(t: TenantRecord): TenantView {
  return {
    ...t,
    createdAt: new Date(t.createdAt).toISOString(),
    updatedAt: new Date(t.updatedAt).toISOString(),
  };
}

/** The admin API's tenant as {@link view} shows a local one (its `issuer` is not part of it). */
function viewRemote(t: AdminTenant): TenantView {
  return {
    id: t.id as TenantId,
    displayName: t.display_name,
    accessTokenTtlSeconds: t.access_token_ttl_seconds,
    idTokenTtlSeconds: t.id_token_ttl_seconds,
    refreshTokenTtlSeconds: t.refresh_token_ttl_seconds,
    refreshPolicy: t.refresh_policy,
    refreshGraceSeconds: t.refresh_grace_seconds,
    signingAlgorithm: t.signing_algorithm,
    operationTokenTtlSeconds: t.operation_token_ttl_seconds,
    oauthPasswordGrant: t.oauth_password_grant,
    signingKeyRotationDays: t.signing_key_rotation_days,
    createdAt: t.created_at,
    updatedAt: t.updated_at,
  };
}

function describe(t: TenantView): Lines {
  return [
    `tenant ${t.id} (${t.displayName})`,
    `  access token ttl   ${t.accessTokenTtlSeconds}s`,
    `  id token ttl       ${t.idTokenTtlSeconds}s`,
    `  refresh token ttl  ${t.refreshTokenTtlSeconds}s`,
    `  refresh policy     ${t.refreshPolicy} (grace ${t.refreshGraceSeconds}s)`,
    `  signing algorithm  ${t.signingAlgorithm}`,
    `  operation token    ${t.operationTokenTtlSeconds}s (operations API, RS256)`,
    `  oauth password     ${t.oauthPasswordGrant ? "on" : "off"} (OAuth password grant)`,
    `  key rotation       ${t.signingKeyRotationDays === 0 ? "by hand only" : `every ${t.signingKeyRotationDays} days`}`,
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
    .option(
      "--key-rotation-days <n>",
      "rotate the signing keys when the active one is n days old (1-3650); 0, the default, by hand only",
    )
    .option("--json", "print JSON");
}

/** `tessera tenant create|list|update`. */
export function registerTenantCommands(program: Command): void {
  const tenant = program.command("tenant").description("manage tenants (user pools)");
  settingOptions(
    tenant.command("create <id>").description("create a tenant with its signing keys"),
  ).action((id: string, options: TenantOptions) =>
    withDeployment(options, {
      local: async ({ ctx }) => view(await createTenant(ctx, { id, ...patchFrom(options) })),
      remote: async ({ admin }) => {
        const patch = patchFrom(options);
        // Checked here as createTenant checks it, in the core's words rather than the schema's.
        const tenantId = parseTenantId(id);
        const created = await admin.call<AdminTenant>("POST", "/tenants", {
          body: { id: tenantId, ...wirePatch(patch) },
        });
        return viewRemote(created.body);
      },
      print: (out, created) => out.print(created, () => describe(created)),
    }),
  );
  tenant
    .command("list")
    .description("list tenants")
    .option("--json", "print JSON")
    .action((options: CommonOptions) =>
      withDeployment(options, {
        local: async ({ ctx }) => (await ctx.store.tenants.list()).map(view),
        // Every tenant for a platform admin; any other login sees its own.
        remote: async ({ admin }) => (await admin.all<AdminTenant>("/tenants")).map(viewRemote),
        print: (out, tenants) =>
          out.print(tenants, () =>
            table(
              ["ID", "NAME", "REFRESH POLICY", "ALG"],
              tenants.map((t) => [t.id, t.displayName, t.refreshPolicy, t.signingAlgorithm]),
            ),
          ),
      }),
    );
  settingOptions(tenant.command("update <id>").description("change a tenant's settings")).action(
    (id: string, options: TenantOptions) =>
      withDeployment(options, {
        local: async ({ ctx }) => {
          const tenantId = parseTenantId(id);
          await getTenant(ctx, tenantId);
          return view(await updateTenant(ctx, tenantId, patchFrom(options)));
        },
        remote: async (command) => {
          // Found first, as locally: an unknown tenant fails before the options are checked.
          const current = await remoteTenant(command, id);
          const patch = patchFrom(options);
          if (Object.keys(patch).length === 0) {
            // The admin API takes no empty change; with nothing to change, the tenant as it is.
            return viewRemote(current);
          }
          const updated = await command.admin.call<AdminTenant>(
            "PATCH",
            AdminClient.tenantPath(current.id),
            { body: wirePatch(patch) },
          );
          return viewRemote(updated.body);
        },
        print: (out, updated) => out.print(updated, () => describe(updated)),
      }),
  );
}
