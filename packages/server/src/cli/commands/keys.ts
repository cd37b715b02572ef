import type { Command } from "commander";
import { SIGNING_ALGORITHMS } from "../../core/keyring.js";
import type { SigningAlgorithm } from "../../core/model/index.js";
import {
  type ListedSigningKey,
  listSigningKeys,
  rotateSigningKey,
} from "../../core/signing-keys.js";
import { getTenant, parseTenantId } from "../../core/tenants.js";
import type {
  AdminRotatedKey,
  AdminSigningKey,
} from "../../http/admin-api/schemas/signing-keys.js";
import { type CommonOptions, tenantOf, withDeployment } from "../context.js";
import { usageError } from "../errors.js";
import { table, when } from "../io.js";
import { remoteTenant } from "../remote/lookups.js";

/** A signing key as the CLI shows it in either mode: its public part only. */
interface KeyView {
  readonly kid: string;
  readonly algorithm: string;
  readonly status: string;
  readonly createdAt: string;
  readonly activatedAt: string | null;
  readonly retiredAt: string | null;
  /** When the server's schedule rotates this active key; null when it never will by itself. */
  readonly rotatesAt: string | null;
  readonly publicJwk: unknown;
}

function view(k: ListedSigningKey): KeyView {
  return {
    kid: k.kid,
    algorithm: k.algorithm,
    status: k.status,
    createdAt: when(k.createdAt),
    activatedAt: k.activatedAt === null ? null : when(k.activatedAt),
    retiredAt: k.retiredAt === null ? null : when(k.retiredAt),
    rotatesAt: k.rotatesAt === null ? null : when(k.rotatesAt),
    publicJwk: JSON.parse(k.publicJwk) as unknown,
  };
}

/** The admin API's signing key as {@link view} shows a local one. */
function viewRemote(k: AdminSigningKey): KeyView {
  return {
    kid: k.kid,
    algorithm: k.algorithm,
    status: k.status,
    createdAt: k.created_at,
    activatedAt: k.activated_at,
    retiredAt: k.retired_at,
    rotatesAt: k.rotates_at,
    publicJwk: k.public_jwk,
  };
}

/** The algorithm to rotate: `--alg`, else the tenant's; a usage error for one Tessera has no keys for. */
function algorithmOf(alg: string | undefined, tenantAlgorithm: string): SigningAlgorithm {
  const algorithm = (alg ?? tenantAlgorithm) as SigningAlgorithm;
  if (!SIGNING_ALGORITHMS.includes(algorithm)) {
    throw usageError(`--alg must be one of ${SIGNING_ALGORITHMS.join(", ")}`);
  }
  return algorithm;
}

/** `tessera keys list|rotate`. */
export function registerKeyCommands(program: Command): void {
  const keys = program.command("keys").description("manage signing keys");
  keys
    .command("list")
    .description("list signing keys (public parts only)")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: CommonOptions) =>
      withDeployment(options, {
        local: async (command) =>
          (await listSigningKeys(command.ctx, await tenantOf(command, options))).map(view),
        remote: async (command) => {
          // A malformed tenant id refused in the words local mode uses; an unknown one answers 404.
          parseTenantId(command.tenant);
          const listed = await command.admin.get<{ items: AdminSigningKey[] }>(
            command.tenantPath("/signing-keys"),
          );
          return listed.body.items.map(viewRemote);
        },
        print: (out, rows) =>
          out.print(rows, () =>
            table(
              ["KID", "ALG", "STATUS", "CREATED", "ACTIVATED", "RETIRED"],
              rows.map((k) => [
                k.kid,
                k.algorithm,
                k.status,
                k.createdAt,
                k.activatedAt ?? "-",
                k.retiredAt ?? "-",
              ]),
            ),
          ),
      }),
    );
  keys
    .command("rotate")
    .description("promote the next key, retire the active one, make a new next key")
    .option("--alg <alg>", "ES256 | RS256 | EdDSA (default: the tenant's)")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: CommonOptions & { alg?: string }) =>
      withDeployment(options, {
        local: async (command) => {
          const tenantId = await tenantOf(command, options);
          const tenant = await getTenant(command.ctx, tenantId);
          // The core function the admin API calls: one rotation, audited the same way.
          const rotated = await rotateSigningKey(command.ctx, {
            tenantId,
            algorithm: algorithmOf(options.alg, tenant.signingAlgorithm),
          });
          return {
            tenantId: tenantId as string,
            algorithm: rotated.algorithm as string,
            activeKid: rotated.kid,
          };
        },
        remote: async (command) => {
          // The tenant first, as locally, for its algorithm and so an unknown one fails first.
          const tenant = await remoteTenant(command);
          const algorithm = algorithmOf(options.alg, tenant.signing_algorithm);
          const rotated = await command.admin.call<AdminRotatedKey>(
            "POST",
            command.tenantPath("/signing-keys/rotate"),
            { body: { algorithm } },
          );
          return {
            tenantId: tenant.id,
            algorithm: rotated.body.algorithm as string,
            activeKid: rotated.body.active_kid,
          };
        },
        print: (out, { tenantId, algorithm, activeKid }) =>
          out.print({ tenantId, algorithm, activeKid }, () => [
            `${algorithm} key ${activeKid} now signs for tenant ${tenantId}.`,
            "The previous key stays in the JWKS until the tokens it signed have expired.",
            "A running server picks the new key up within 30 seconds.",
          ]),
      }),
    );
}
