import type { Config } from "../config/config.js";
import { ensureFirstPartyClients } from "../core/clients/first-party.js";
import type { CoreContext } from "../core/context.js";
import type { TenantId } from "../core/ids.js";
import type { RoleRecord, TenantRecord } from "../core/model/index.js";
import { IMPERSONATE } from "../core/permissions.js";
import { addRole } from "../core/roles.js";
import { createTenant, ensureTenantKeys } from "../core/tenants.js";
import { addUser } from "../core/users.js";

/** What {@link bootstrap} did; empty on an initialised data dir. */
export interface BootstrapResult {
  readonly tenantCreated: boolean;
  readonly adminCreated: boolean;
}

/**
 * Makes a data dir ready to serve: the default tenant with its signing keys
 * (and the operations API's), the CLI's client in every tenant
 * (`tessera-cli`, for `tessera login`), and the configured admin user, who
 * holds the `super_user` role. Idempotent: on an initialised data dir it
 * changes nothing. Also proves the master key opens the stored signing keys,
 * so a wrong key fails at start, not at the first login.
 */
export async function bootstrap(ctx: CoreContext, config: Config): Promise<BootstrapResult> {
  // Instances starting together on a new database take turns, so the tenant,
  // its keys and the admin are made once.
  const deadline = Date.now() + BOOTSTRAP_WAIT_MS;
  for (;;) {
    const outcome = await ctx.store.maintenance.tryLock("bootstrap", () =>
      bootstrapLocked(ctx, config),
    );
    if (outcome.acquired) {
      return outcome.result;
    }
    if (Date.now() > deadline) {
      throw new Error(
        "Another instance has been initialising the database for a minute; giving up",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** How long a starting instance waits for another one's initialisation. */
const BOOTSTRAP_WAIT_MS = 60_000;

async function bootstrapLocked(ctx: CoreContext, config: Config): Promise<BootstrapResult> {
  const tenantId = config.defaultTenant as TenantId;
  let tenant = await ctx.store.tenants.get(tenantId);
  const tenantCreated = tenant === undefined;
  tenant ??= await createTenant(ctx, { id: tenantId });
  await ensureTenantKeys(ctx, tenant);
  await checkMasterKey(ctx, tenant);
  const operationsTenant =
    config.operationsTenant === tenant.id
      ? tenant
      : await ctx.store.tenants.get(config.operationsTenant as TenantId);
  if (operationsTenant === undefined) {
    throw new Error(
      `TESSERA_OPERATIONS_TENANT names ${config.operationsTenant}, which does not exist: create it with \`tessera tenant create ${config.operationsTenant}\``,
    );
  }
  await ensureTenantKeys(ctx, operationsTenant);
  await ensureSuperUserRole(ctx, operationsTenant.id);
  // Every tenant, those made before the CLI signed in through the admin API included.
  for (const each of await ctx.store.tenants.list()) {
    await ensureFirstPartyClients(ctx, each.id);
  }
  let adminCreated = false;
  if (config.admin !== undefined) {
    const existing = await ctx.store.users.getByUsername(tenant.id, config.admin.username);
    if (existing === undefined) {
      const superUser = await ensureSuperUserRole(ctx, tenant.id);
      await addUser(ctx, {
        tenantId: tenant.id,
        username: config.admin.username,
        password: config.admin.password,
        permissions: [IMPERSONATE],
        roleId: superUser.id,
      });
      adminCreated = true;
    }
  }
  return { tenantCreated, adminCreated };
}

/** The role HarperDB's admin holds: `{super_user: true}`, Tessera's admin level. */
export const SUPER_USER_ROLE = "super_user";

/** Returns the tenant's `super_user` role, creating it if missing. */
export async function ensureSuperUserRole(
  ctx: CoreContext,
  tenantId: TenantId,
): Promise<RoleRecord> {
  return (
    (await ctx.store.roles.getByName(tenantId, SUPER_USER_ROLE)) ??
    (await addRole(ctx, { tenantId, name: SUPER_USER_ROLE, permission: { super_user: true } }))
  );
}

/**
 * Proves the master key opens the tenant's active signing key, so a changed
 * `TESSERA_MASTER_KEY` fails loudly before anything is written with it.
 */
export async function checkMasterKey(ctx: CoreContext, tenant: TenantRecord): Promise<void> {
  try {
    await ctx.keyring.signingKey(tenant.id, tenant.signingAlgorithm);
  } catch (error) {
    throw new Error(
      "The master key does not open this data dir's signing keys. Was TESSERA_MASTER_KEY changed?",
      { cause: error },
    );
  }
}
