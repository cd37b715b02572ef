import { type Kysely, sql } from "kysely";
import type { Store } from "../../core/ports/index.js";
import { SqlApiKeyStore } from "./api-keys.js";
import { SqlAuditStore } from "./audit.js";
import { SqlAutomationTokenStore } from "./automation-tokens.js";
import { SqlClientStore } from "./clients.js";
import type { SqlDialectName } from "./dialect.js";
import { SqlMaintenanceStore } from "./maintenance.js";
import { SqlOneTimeClaimStore } from "./one-time-claims.js";
import { SqlRefreshTokenStore } from "./refresh-tokens.js";
import { SqlRoleStore } from "./roles.js";
import type { Database } from "./schema.js";
import { SqlSessionStore } from "./sessions.js";
import { SqlSigningKeyStore } from "./signing-keys.js";
import { SqlTenantStore } from "./tenants.js";
import { SqlUserStore } from "./users.js";

/**
 * The {@link Store} over any SQL engine Kysely speaks. The engine is chosen
 * by the `Kysely` instance it is given (see `sqlite/open-sqlite.ts`).
 */
export class SqlStore implements Store {
  readonly tenants: SqlTenantStore;
  readonly users: SqlUserStore;
  readonly roles: SqlRoleStore;
  readonly clients: SqlClientStore;
  readonly automationTokens: SqlAutomationTokenStore;
  readonly oneTimeClaims: SqlOneTimeClaimStore;
  readonly apiKeys: SqlApiKeyStore;
  readonly signingKeys: SqlSigningKeyStore;
  readonly sessions: SqlSessionStore;
  readonly refreshTokens: SqlRefreshTokenStore;
  readonly audit: SqlAuditStore;
  readonly maintenance: SqlMaintenanceStore;

  /**
   * @param dialect the engine behind `db`, for the little SQL that differs (locks).
   * @param migrationsApplied what the opener applied, for `tessera migrate` to report.
   */
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: SqlDialectName,
    readonly migrationsApplied: readonly string[] = [],
  ) {
    this.tenants = new SqlTenantStore(db);
    this.users = new SqlUserStore(db);
    this.roles = new SqlRoleStore(db);
    this.clients = new SqlClientStore(db);
    this.automationTokens = new SqlAutomationTokenStore(db);
    this.oneTimeClaims = new SqlOneTimeClaimStore(db);
    this.apiKeys = new SqlApiKeyStore(db);
    this.signingKeys = new SqlSigningKeyStore(db);
    this.sessions = new SqlSessionStore(db);
    this.refreshTokens = new SqlRefreshTokenStore(db);
    this.audit = new SqlAuditStore(db);
    this.maintenance = new SqlMaintenanceStore(db, dialect);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
