import type { FastifyInstance } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { TesseraError } from "../../core/errors.js";
import type { TenantId } from "../../core/ids.js";
import { purgeExpired } from "../../core/maintenance.js";
import {
  type ListedSigningKey,
  listSigningKeys,
  rotateSigningKey,
} from "../../core/signing-keys.js";
import { documented } from "../openapi.js";
import { actorOf, adminCallerOf } from "./plugin-state.js";
import {
  adminAnswer,
  adminProblems,
  iso,
  isoOrNull,
  READ,
  TAGS,
  tenantParams,
  WRITE,
} from "./schemas/common.js";
import type { AdminPurgeResult } from "./schemas/signing-keys.js";

const DAY_MS = 86_400_000;

/** A signing key as the admin API shows it: never its private part. */
function renderKey(key: ListedSigningKey) {
  return {
    kid: key.kid,
    algorithm: key.algorithm,
    status: key.status,
    public_jwk: JSON.parse(key.publicJwk) as object,
    created_at: iso(key.createdAt),
    activated_at: isoOrNull(key.activatedAt),
    retired_at: isoOrNull(key.retiredAt),
    rotates_at: isoOrNull(key.rotatesAt),
  };
}

/**
 * `/tenants/{tenant}/signing-keys`: list and rotate; and `/maintenance/purge`
 * (platform admins): delete what ended longer ago than the retention.
 */
export function registerKeyAndMaintenanceRoutes(
  app: FastifyInstance,
  ctx: CoreContext,
  options: { readonly platformTenant: TenantId; readonly purgeRetentionDays: number },
): void {
  app.get<{ Params: { tenant: string } }>(
    "/tenants/:tenant/signing-keys",
    {
      schema: {
        operationId: "adminListSigningKeys",
        summary: "List a tenant's signing keys: next, active and retired, public parts only",
        tags: TAGS,
        security: READ,
        params: tenantParams,
        response: {
          200: adminAnswer("The keys", "AdminSigningKeyList"),
          ...adminProblems(404),
        },
      },
    },
    async (request) => ({
      items: (await listSigningKeys(ctx, request.params.tenant as TenantId)).map(renderKey),
    }),
  );

  app.post<{ Params: { tenant: string }; Body: { algorithm?: string } }>(
    "/tenants/:tenant/signing-keys/rotate",
    {
      schema: documented({
        operationId: "adminRotateSigningKey",
        summary:
          "Rotate: the published next key starts signing, the active one retires (still verifying what it signed), a new next key is published",
        tags: TAGS,
        security: WRITE,
        params: tenantParams,
        body: { $ref: "AdminRotateKeyRequest#" },
        optionalBody: true,
        response: {
          200: adminAnswer("The key that now signs", "AdminRotatedKey"),
          ...adminProblems(404, 409),
        },
      }),
    },
    async (request) => {
      const rotated = await rotateSigningKey(ctx, {
        tenantId: request.params.tenant as TenantId,
        ...(request.body.algorithm === undefined ? {} : { algorithm: request.body.algorithm }),
        ...actorOf(request),
      });
      return { algorithm: rotated.algorithm, active_kid: rotated.kid };
    },
  );

  app.post<{ Body: { retention_days?: number } }>(
    "/maintenance/purge",
    {
      schema: documented({
        operationId: "adminPurge",
        summary:
          "Delete sessions and automation tokens that ended longer ago than the retention, and expired one-time claims (platform admins only)",
        tags: TAGS,
        security: WRITE,
        body: { $ref: "AdminPurgeRequest#" },
        optionalBody: true,
        response: {
          200: adminAnswer("What was deleted", "AdminPurgeResult"),
          ...adminProblems(409),
        },
      }),
    },
    async (request): Promise<AdminPurgeResult> => {
      if (!adminCallerOf(request).platform) {
        throw new TesseraError("forbidden", "Only an admin of the platform tenant purges");
      }
      const days = request.body.retention_days ?? options.purgeRetentionDays;
      const outcome = await purgeExpired(ctx, {
        retentionMs: days * DAY_MS,
        tenantId: options.platformTenant,
        ...actorOf(request),
      });
      if (!outcome.ran) {
        throw new TesseraError("conflict", "Another purge is running; try again when it ends");
      }
      return {
        sessions: outcome.counts.sessions,
        refresh_tokens: outcome.counts.refreshTokens,
        automation_tokens: outcome.counts.automationTokens,
        one_time_claims: outcome.counts.oneTimeClaims,
        ended_before: iso(outcome.endedBefore),
        retention_days: days,
      };
    },
  );
}
