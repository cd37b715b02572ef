import type { Command } from "commander";
import { recordAudit } from "../../core/audit.js";
import { SIGNING_ALGORITHMS } from "../../core/keyring.js";
import type { SigningAlgorithm } from "../../core/model/index.js";
import { getTenant } from "../../core/tenants.js";
import { type CommonOptions, tenantOf, withCore } from "../context.js";
import { usageError } from "../errors.js";
import { table, when } from "../io.js";

/** `tessera keys list|rotate`. */
export function registerKeyCommands(program: Command): void {
  const keys = program.command("keys").description("manage signing keys");
  keys
    .command("list")
    .description("list signing keys (public parts only)")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: CommonOptions) =>
      withCore(options, async (command) => {
        const records = await command.ctx.keyring.list(await tenantOf(command, options));
        const rows = records.map((k) => ({
          kid: k.kid,
          algorithm: k.algorithm,
          status: k.status,
          createdAt: when(k.createdAt),
          activatedAt: k.activatedAt === null ? null : when(k.activatedAt),
          retiredAt: k.retiredAt === null ? null : when(k.retiredAt),
          publicJwk: JSON.parse(k.publicJwk) as unknown,
        }));
        command.out.print(rows, () =>
          table(
            ["KID", "ALG", "STATUS", "CREATED", "ACTIVATED", "RETIRED"],
            records.map((k) => [
              k.kid,
              k.algorithm,
              k.status,
              when(k.createdAt),
              when(k.activatedAt),
              when(k.retiredAt),
            ]),
          ),
        );
      }),
    );
  keys
    .command("rotate")
    .description("promote the next key, retire the active one, make a new next key")
    .option("--alg <alg>", "ES256 | RS256 | EdDSA (default: the tenant's)")
    .option("--tenant <id>", "tenant (default: the default tenant)")
    .option("--json", "print JSON")
    .action((options: CommonOptions & { alg?: string }) =>
      withCore(options, async (command) => {
        const tenantId = await tenantOf(command, options);
        const tenant = await getTenant(command.ctx, tenantId);
        const algorithm = (options.alg ?? tenant.signingAlgorithm) as SigningAlgorithm;
        if (!SIGNING_ALGORITHMS.includes(algorithm)) {
          throw usageError(`--alg must be one of ${SIGNING_ALGORITHMS.join(", ")}`);
        }
        const kid = await command.ctx.keyring.rotate(tenantId, algorithm);
        await recordAudit(command.ctx, {
          tenantId,
          at: command.ctx.clock.now(),
          type: "signing_key.rotated",
          detail: { kid, algorithm },
        });
        command.out.print({ tenantId, algorithm, activeKid: kid }, () => [
          `${algorithm} key ${kid} now signs for tenant ${tenantId}.`,
          "The previous key stays in the JWKS until the tokens it signed have expired.",
          "A running server picks the new key up within 30 seconds.",
        ]);
      }),
    );
}
