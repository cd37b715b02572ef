import type { FastifyInstance } from "fastify";
import { checkMayManageClient } from "../../core/clients/client-authority.js";
import { findClient } from "../../core/clients/clients.js";
import { parseClientPublicKey } from "../../core/clients/public-keys.js";
import { rotateClientSecret, updateClient } from "../../core/clients/update-client.js";
import type { CoreContext } from "../../core/context.js";
import { TesseraError } from "../../core/errors.js";
import type { TenantId } from "../../core/ids.js";
import type { ClientPublicKey } from "../../core/model/index.js";
import { documented } from "../openapi.js";
import { type ClientRoute, clientPath, publicKeyText } from "./clients-render.js";
import { actorOf, adminCallerOf } from "./plugin-state.js";
import type {
  AdminAddPublicKeyRequest,
  AdminClientPublicKey,
  AdminRotatedSecret,
  AdminRotateSecretRequest,
  AdminTotpEnrolment,
} from "./schemas/clients.js";
import { publicKeyParams } from "./schemas/clients.js";
import {
  adminAnswer,
  adminEmpty,
  adminProblems,
  isoOrNull,
  LOCATION_HEADER,
  READ,
  resourceParams,
  TAGS,
  WRITE,
} from "./schemas/common.js";

interface KeyRoute {
  Params: { tenant: string; id: string; kid: string };
}

function renderKey(key: ClientPublicKey): AdminClientPublicKey {
  return { kid: key.kid, alg: key.alg, jwk: key.jwk };
}

/**
 * How a client proves itself: `/tenants/{tenant}/clients/{id}/secret`
 * (rotate, with an overlap), `/public-keys` (add, read, remove) and
 * `/totp` (enrol, remove). Every new secret is shown once, in its answer.
 */
export function registerClientCredentialRoutes(app: FastifyInstance, ctx: CoreContext): void {
  app.post<ClientRoute & { Body: AdminRotateSecretRequest | undefined }>(
    "/tenants/:tenant/clients/:id/secret",
    {
      schema: documented({
        operationId: "adminRotateClientSecret",
        summary: "Give a client a new secret, shown this once",
        description:
          "The old secret stops working at once, or keeps working beside the new one for `overlap_seconds` so its deployments can move over first. The body is optional.",
        tags: TAGS,
        security: WRITE,
        params: resourceParams,
        body: { $ref: "AdminRotateSecretRequest#" },
        optionalBody: true,
        response: {
          200: adminAnswer("The new secret", "AdminRotatedSecret"),
          ...adminProblems(404, 412),
        },
      }),
    },
    async (request): Promise<AdminRotatedSecret> => {
      const { tenant, id } = request.params;
      const rotated = await rotateClientSecret(ctx, {
        tenantId: tenant as TenantId,
        client: id,
        overlapSeconds: request.body?.overlap_seconds ?? 0,
        authority: adminCallerOf(request).authority,
        ...actorOf(request),
      });
      return {
        client_id: rotated.client.id,
        client_secret: rotated.clientSecret,
        secret_prefix: rotated.client.secretPrefix ?? "",
        previous_secret_expires_at: isoOrNull(rotated.previousSecretExpiresAt),
      };
    },
  );

  app.post<ClientRoute & { Body: AdminAddPublicKeyRequest }>(
    "/tenants/:tenant/clients/:id/public-keys",
    {
      schema: {
        operationId: "adminAddClientPublicKey",
        summary: "Register a public key the client signs assertions with (RFC 7523)",
        description:
          "201 with the key's URL for a new key; 200 when the client already has it (its `kid` is its thumbprint).",
        tags: TAGS,
        security: WRITE,
        params: resourceParams,
        body: { $ref: "AdminAddPublicKeyRequest#" },
        response: {
          200: adminAnswer("The client already had this key", "AdminClientPublicKey"),
          201: adminAnswer("The key", "AdminClientPublicKey", LOCATION_HEADER),
          ...adminProblems(404, 412),
        },
      },
    },
    async (request, reply) => {
      const { tenant, id } = request.params;
      const text = publicKeyText(request.body.public_key);
      const key = await parseClientPublicKey(text);
      const client = await findClient(ctx, tenant as TenantId, id);
      checkMayManageClient(adminCallerOf(request).authority, client);
      if (client.publicKeys.some((k) => k.kid === key.kid)) {
        return renderKey(key);
      }
      await updateClient(ctx, {
        tenantId: client.tenantId,
        client: client.id,
        addPublicKeys: [text],
        authority: adminCallerOf(request).authority,
        ...actorOf(request),
      });
      reply
        .code(201)
        .header(
          "location",
          `${clientPath(client.tenantId, client.id)}/public-keys/${encodeURIComponent(key.kid)}`,
        );
      return renderKey(key);
    },
  );

  app.get<KeyRoute>(
    "/tenants/:tenant/clients/:id/public-keys/:kid",
    {
      schema: {
        operationId: "adminGetClientPublicKey",
        summary: "Read one of a client's public keys",
        tags: TAGS,
        security: READ,
        params: publicKeyParams,
        response: {
          200: adminAnswer("The key", "AdminClientPublicKey"),
          ...adminProblems(404),
        },
      },
    },
    async (request) => {
      const { tenant, id, kid } = request.params;
      const client = await findClient(ctx, tenant as TenantId, id);
      const key = client.publicKeys.find((k) => k.kid === kid);
      if (key === undefined) {
        throw new TesseraError("not_found", "The client has no such public key");
      }
      return renderKey(key);
    },
  );

  app.delete<KeyRoute>(
    "/tenants/:tenant/clients/:id/public-keys/:kid",
    {
      schema: {
        operationId: "adminRemoveClientPublicKey",
        summary: "Remove a client's public key (removing one already gone succeeds)",
        description:
          "Assertions signed with it fail at once. A `private_key_jwt` client keeps at least one key (400).",
        tags: TAGS,
        security: WRITE,
        params: publicKeyParams,
        response: {
          204: adminEmpty("The client no longer has the key"),
          ...adminProblems(404, 412),
        },
      },
    },
    async (request, reply) => {
      const { tenant, id, kid } = request.params;
      const client = await findClient(ctx, tenant as TenantId, id);
      checkMayManageClient(adminCallerOf(request).authority, client);
      if (client.publicKeys.some((k) => k.kid === kid)) {
        await updateClient(ctx, {
          tenantId: client.tenantId,
          client: client.id,
          removePublicKeys: [kid],
          authority: adminCallerOf(request).authority,
          ...actorOf(request),
        });
      }
      return reply.code(204).send();
    },
  );

  app.post<ClientRoute>(
    "/tenants/:tenant/clients/:id/totp",
    {
      schema: {
        operationId: "adminEnrolClientTotp",
        summary: "Enrol a TOTP authenticator for a client, replacing any earlier one",
        description: "The `otpauth://` URI is shown this once. Send no body.",
        tags: TAGS,
        security: WRITE,
        params: resourceParams,
        response: {
          200: adminAnswer("The enrolment", "AdminTotpEnrolment"),
          ...adminProblems(404, 412),
        },
      },
    },
    async (request): Promise<AdminTotpEnrolment> => {
      const { tenant, id } = request.params;
      const updated = await updateClient(ctx, {
        tenantId: tenant as TenantId,
        client: id,
        otp: "enrol",
        authority: adminCallerOf(request).authority,
        ...actorOf(request),
      });
      if (updated.otpauthUri === undefined) {
        throw new Error("an OTP enrolment made no otpauth URI");
      }
      return { client_id: updated.client.id, otpauth_uri: updated.otpauthUri };
    },
  );

  app.delete<ClientRoute>(
    "/tenants/:tenant/clients/:id/totp",
    {
      schema: {
        operationId: "adminRemoveClientTotp",
        summary: "Remove a client's TOTP enrolment (removing one already gone succeeds)",
        tags: TAGS,
        security: WRITE,
        params: resourceParams,
        response: {
          204: adminEmpty("The client has no TOTP enrolment"),
          ...adminProblems(404, 412),
        },
      },
    },
    async (request, reply) => {
      const { tenant, id } = request.params;
      const client = await findClient(ctx, tenant as TenantId, id);
      checkMayManageClient(adminCallerOf(request).authority, client);
      if (client.totpSeedSealed !== null) {
        await updateClient(ctx, {
          tenantId: client.tenantId,
          client: client.id,
          otp: "remove",
          authority: adminCallerOf(request).authority,
          ...actorOf(request),
        });
      }
      return reply.code(204).send();
    },
  );
}
