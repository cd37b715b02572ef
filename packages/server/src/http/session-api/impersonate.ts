import type { FastifyInstance } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { TesseraError } from "../../core/errors.js";
import type { TenantId } from "../../core/ids.js";
import { impersonateUser } from "../../core/sessions/impersonate.js";
import { tokenError } from "../../core/tokens/errors.js";
import { tenantIssuer } from "../../core/tokens/issuer.js";
import { verifySessionPair } from "../../core/tokens/session-pair.js";
import { clientOf } from "../client-key.js";
import { noStore } from "../no-store.js";
import { documented } from "../openapi.js";
import { ref } from "../openapi-responses.js";
import { type ImpersonateRequest, renderSession, sessionAnswer, sessionErrors } from "./schemas.js";

/** RFC 9745 `Deprecation` (a structured date: 2026-01-01T00:00:00Z). */
const DEPRECATION = "@1767225600";
/**
 * RFC 8288 link to what replaces it: OAuth 2.0 token exchange (RFC 8693) at
 * the token endpoint of the caller's tenant, below its issuer; before the
 * caller's API key is known, the default tenant's (served without the
 * tenant prefix).
 */
function successorOf(ctx: CoreContext, tenantId?: TenantId): string {
  const base = tenantId === undefined ? ctx.settings.publicUrl : tenantIssuer(ctx, tenantId);
  return `<${base}/oauth/token>; rel="successor-version"`;
}

function bearer(value: string | undefined): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  const token = value.replace(/^Bearer\s+/i, "").trim();
  return token === "" ? undefined : token;
}

/**
 * `POST /auth/impersonate` (spec 003, deprecated): tokens for another user,
 * for a caller holding `impersonate`. `Authorization` carries the caller's ID
 * token (with or without `Bearer `), `AccessToken` its access token. A
 * translation onto {@link impersonateUser}, the rule OAuth's token exchange
 * (`requested_subject`) runs too; its `Link` names the token endpoint of the
 * caller's tenant, where that exchange is served.
 */
export function registerImpersonate(app: FastifyInstance, ctx: CoreContext): void {
  app.post<{ Body: ImpersonateRequest }>(
    "/auth/impersonate",
    {
      // Set first, so that even refusals before the handler carry them.
      onRequest: async (_request, reply) => {
        reply.header("deprecation", DEPRECATION).header("link", successorOf(ctx));
      },
      schema: documented({
        operationId: "impersonate",
        summary: "Start a session as another user (deprecated)",
        description:
          "Tokens for `username`, for a caller holding `impersonate`: `Authorization` carries the caller's ID token (`session.authorization`, with or without `Bearer `), `AccessToken` its access token. Deprecated: OAuth token exchange (RFC 8693) at the `Link`ed token endpoint replaces it.",
        deprecated: true,
        tags: ["session"],
        security: [{ ApiKeyAuth: [], IdTokenAuth: [] }],
        documentedHeaders: {
          type: "object",
          properties: {
            AccessToken: {
              type: "string",
              description: "The caller's access token (`session.accessToken`).",
            },
          },
          required: ["AccessToken"],
        },
        body: ref("ImpersonateRequest"),
        response: {
          200: sessionAnswer("The impersonated user's session", "SessionTokenResponse", {
            Deprecation: {
              type: "string",
              description: "RFC 9745: when this endpoint was deprecated.",
            },
            Link: {
              type: "string",
              description: "RFC 8288 `successor-version`: the token endpoint that replaces it.",
            },
          }),
          ...sessionErrors(403, 404, 422),
        },
      }),
    },
    async (request, reply) => {
      const client = clientOf(request);
      reply.header("link", successorOf(ctx, client.tenant.id));
      const idToken = bearer(request.headers.authorization);
      const accessTokenHeader = request.headers.accesstoken;
      const accessToken = bearer(
        typeof accessTokenHeader === "string" ? accessTokenHeader : undefined,
      );
      if (idToken === undefined || accessToken === undefined) {
        throw new TesseraError(
          "invalid_token",
          "The Authorization (ID token) and AccessToken headers are required",
        );
      }
      // Both tokens of this tenant and issued to this client, then of one session, then that session live.
      const caller = await verifySessionPair(
        ctx,
        { accessToken, idToken },
        { tenantId: client.tenant.id, audience: client.clientId },
      );
      if (!caller.valid) {
        throw caller.reason === "mismatched"
          ? new TesseraError(
              "invalid_token",
              "The ID token and access token are not of one session",
            )
          : tokenError(caller);
      }
      const tokens = await impersonateUser(ctx, {
        client,
        caller,
        username: request.body.username,
        ip: request.ip,
      });
      noStore(reply);
      return renderSession(ctx.settings.publicUrl, tokens);
    },
  );
}
