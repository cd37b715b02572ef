import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TenantId, UserId } from "../../core/ids.js";
import type {
  ClientRecord,
  RefreshTokenRecord,
  SessionRecord,
  TenantRecord,
  UserRecord,
} from "../../core/model/index.js";
import type { Store } from "../../core/ports/index.js";
import { describeAuditConformance } from "./audit.js";
import { describeAuditSearchConformance } from "./audit-search.js";
import { describeAutomationTokenConformance } from "./automation-tokens.js";
import { describeClientIdentityConformance } from "./client-identity.js";
import { describeClientConformance } from "./clients.js";
import {
  clientRecord,
  type OpenedStore,
  refreshTokenRecord,
  type Seeds,
  sessionRecord,
  tenantRecord,
  userRecord,
} from "./fixtures.js";
import { describeKeyConformance } from "./keys.js";
import { describeMaintenanceConformance } from "./maintenance.js";
import { describeOneTimeClaimConformance } from "./one-time-claims.js";
import { describePageConformance } from "./pages.js";
import { describeRefreshTokenConformance } from "./refresh-tokens.js";
import { describeRoleConformance } from "./roles.js";
import { describeSessionConformance } from "./sessions.js";
import { describeTenantAndUserConformance } from "./tenants-users.js";

export type { OpenedStore } from "./fixtures.js";

/**
 * Declares the {@link Store} conformance suite. Every backend runs it
 * unchanged against a real database; `open` is called once for the suite.
 *
 * Tests make their own tenants and users with random ids, so one database
 * can serve many suites at once, and they assert only on rows they made.
 *
 * @example
 * describeStoreConformance(
 *   "sqlite",
 *   async () => {
 *     const store = await openSqliteStore(path);
 *     return { store, cleanup: () => store.close() };
 *   },
 * );
 */
export function describeStoreConformance(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store conformance: ${name}`, () => {
    let opened: OpenedStore | undefined;

    beforeAll(async () => {
      opened = await open();
    });

    afterAll(async () => {
      await opened?.cleanup();
    });

    function db(): Store {
      if (opened === undefined) {
        throw new Error("The store did not open");
      }
      return opened.store;
    }

    async function seedTenant(overrides: Partial<TenantRecord> = {}): Promise<TenantId> {
      const tenant = tenantRecord(overrides);
      await db().tenants.create(tenant);
      return tenant.id;
    }

    async function seedClient(overrides: Partial<ClientRecord> = {}): Promise<ClientRecord> {
      const client = clientRecord(overrides.tenantId ?? (await seedTenant()), overrides);
      await db().clients.create(client);
      return client;
    }

    async function seedUser(
      tenantId: TenantId,
      overrides: Partial<UserRecord> = {},
    ): Promise<UserRecord> {
      const user = userRecord(tenantId, overrides);
      await db().users.create(user);
      return user;
    }

    async function seedSession(
      tenantId: TenantId,
      userId: UserId,
      overrides: Partial<SessionRecord> = {},
    ): Promise<{ session: SessionRecord; refreshToken: RefreshTokenRecord }> {
      const session = sessionRecord(tenantId, userId, overrides);
      const refreshToken = refreshTokenRecord(session);
      await db().sessions.create(session, refreshToken);
      return { session, refreshToken };
    }

    it("answers ping", async () => {
      await expect(db().ping()).resolves.toBeUndefined();
    });

    const seeds: Seeds = { db, seedTenant, seedClient, seedUser, seedSession };
    describeTenantAndUserConformance(seeds);
    describeRoleConformance(seeds);
    describeKeyConformance(seeds);
    describeSessionConformance(seeds);
    describeRefreshTokenConformance(seeds);
    describeAuditConformance(seeds);
    describeAuditSearchConformance(seeds);
    describeClientConformance(seeds);
    describeClientIdentityConformance(seeds);
    describeAutomationTokenConformance(seeds);
    describeOneTimeClaimConformance(seeds);
    describePageConformance(seeds);
    describeMaintenanceConformance(seeds);
  });
}
