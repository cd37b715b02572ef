import type { FastifyInstance } from "fastify";
import { authenticateAutomationToken } from "../../core/automation-tokens/authenticate.js";
import { issueLongTermToken } from "../../core/automation-tokens/long-term.js";
import { type StepUpMethod, stepUp } from "../../core/automation-tokens/step-up.js";
import { TOKENS_WRITE } from "../../core/clients/scopes.js";
import type { CoreContext } from "../../core/context.js";
import { TesseraError } from "../../core/errors.js";
import { tenantIssuer } from "../../core/tokens.js";
import type { ClientRecord, TenantRecord } from "../../store/records.js";
import { clientKeyHook, clientOf } from "../client-key.js";
import { noStore } from "../no-store.js";
import { bearerToken } from "./bearer.js";
import type { TokenApiRateLimits } from "./rate-limit.js";
import { type LongTokenRequest, longTokenRequest, longTokenResponse, problems } from "./schemas.js";

const ONE_MECHANISM =
  "Give exactly one step-up: client_secret, otp_code, assertion, or a Bearer short-term token";

/**
 * `POST /auth/tokens/long` (spec 004): a long-term token for a client that
 * steps up with exactly one mechanism, under the tenant's client key.
 */
export function registerPostLong(
  app: FastifyInstance,
  ctx: CoreContext,
  limits: TokenApiRateLimits,
): void {
  app.post<{ Body: LongTokenRequest }>(
    "/auth/tokens/long",
    {
      preValidation: clientKeyHook(ctx),
      schema: {
        operationId: "issueLongTermToken",
        summary: "Issue or rotate a long-term token",
        tags: ["tokens"],
        security: [{ ClientKey: [] }, { ClientKey: [], ShortTokenAuth: [] }],
        body: longTokenRequest,
        response: { 201: longTokenResponse, ...problems(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const { tenant } = clientOf(request);
      const body = request.body ?? {};
      const bearer = bearerToken(request.headers.authorization);
      const given = [body.client_secret, body.otp_code, body.assertion, bearer].filter(
        (value) => value !== undefined,
      );
      if (given.length !== 1) {
        throw new TesseraError("invalid_request", ONE_MECHANISM);
      }
      const url = `${ctx.settings.publicUrl}/auth/tokens/long`;
      const { client, method, grantedScopes } = await proveClient(ctx, {
        tenant,
        body,
        bearer,
        ip: request.ip,
        audiences: [url, tenantIssuer(ctx, tenant.id)],
        countClient: (clientId) => limits.countClient(request, reply, clientId),
      });
      const issued = await issueLongTermToken(ctx, {
        tenant,
        client,
        method,
        grantedScopes,
        ip: request.ip,
        ...(body.scopes === undefined ? {} : { scopes: body.scopes }),
        ...(body.ttl_days === undefined ? {} : { ttlDays: body.ttl_days }),
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.rotate_token_id === undefined ? {} : { rotateTokenId: body.rotate_token_id }),
      });
      reply.status(201).header("x-token-id", issued.record.id);
      return {
        token_id: issued.record.id,
        token: issued.token,
        token_type: "long_term",
        scopes: issued.record.scopes,
        expires_at: new Date(issued.record.expiresAt).toISOString(),
      };
    },
  );
}

async function proveClient(
  ctx: CoreContext,
  input: {
    readonly tenant: TenantRecord;
    readonly body: LongTokenRequest;
    readonly bearer: string | undefined;
    readonly ip: string;
    readonly audiences: readonly string[];
    readonly countClient: (clientId: string) => Promise<void>;
  },
): Promise<{ client: ClientRecord; method: StepUpMethod; grantedScopes: readonly string[] }> {
  const { tenant, body, ip } = input;
  if (input.bearer !== undefined) {
    const caller = await authenticateAutomationToken(ctx, {
      token: input.bearer,
      accept: "short_term",
    });
    await input.countClient(caller.client.id);
    if (caller.tenant.id !== tenant.id) {
      throw new TesseraError("invalid_token", "Invalid token", { detail: "another tenant" });
    }
    if (!caller.scopes.includes(TOKENS_WRITE)) {
      throw new TesseraError(
        "insufficient_scope",
        `The short-term token needs the ${TOKENS_WRITE} scope`,
      );
    }
    return { client: caller.client, method: "short_term_token", grantedScopes: caller.scopes };
  }
  if (body.assertion !== undefined) {
    const client = await stepUp(ctx, {
      tenant,
      ip,
      proof: { method: "assertion", assertion: body.assertion, audiences: input.audiences },
    });
    await input.countClient(client.id);
    if (body.client_id !== undefined && body.client_id !== client.id) {
      throw new TesseraError("invalid_request", "client_id differs from the assertion's issuer");
    }
    return { client, method: "assertion", grantedScopes: client.scopes };
  }
  if (body.grant_type !== "client_credentials" || body.client_id === undefined) {
    throw new TesseraError(
      "invalid_request",
      "client_secret and otp_code need grant_type client_credentials and a client_id",
    );
  }
  await input.countClient(body.client_id);
  const proof =
    body.client_secret !== undefined
      ? { method: "client_secret" as const, clientId: body.client_id, secret: body.client_secret }
      : { method: "otp" as const, clientId: body.client_id, code: body.otp_code ?? "" };
  const client = await stepUp(ctx, { tenant, ip, proof });
  return { client, method: proof.method, grantedScopes: client.scopes };
}
