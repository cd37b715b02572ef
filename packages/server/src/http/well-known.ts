import type { FastifyInstance, FastifyReply } from "fastify";
import type { JWK } from "jose";
import type { CoreContext } from "../core/context.js";
import { TesseraError } from "../core/errors.js";
import { isTenantId, type TenantId } from "../core/ids.js";
import type { JwkSet } from "../core/keyring.js";
import {
  answer,
  type ErrorDialect,
  errorAnswers,
  RETRY_AFTER_HEADER,
  ref,
} from "./openapi-responses.js";

/** The public members of a JWK that the JWKS may carry (RFC 7517 §4, RFC 7518 §6). */
const PUBLIC_MEMBERS = ["kty", "kid", "alg", "use", "crv", "x", "y", "n", "e"] as const;

export const jwkSetResponse = {
  $id: "JsonWebKeySet",
  type: "object",
  description:
    "The tenant's public signing keys (RFC 7517 §5): the active key, the next one (published before it signs) and retired ones (until the tokens they signed expire).",
  required: ["keys"],
  properties: {
    keys: {
      type: "array",
      items: {
        type: "object",
        required: ["kty", "kid", "alg", "use"],
        // The same members the route copies (publicMembers).
        properties: Object.fromEntries(
          PUBLIC_MEMBERS.map((member) => [member, { type: "string" }]),
        ),
      },
    },
  },
};

/** Where a path that no dialect owns answers errors: `{status: "error", message}`. */
const PLAIN_ERRORS: ErrorDialect = {
  mediaType: "application/json",
  schemaId: "SessionError",
  challenges: false,
};

const jwksAnswer = answer("The JWK set", "application/json", ref("JsonWebKeySet"), {
  "Cache-Control": { type: "string", description: "public, max-age=300" },
});

/**
 * JWKS (RFC 7517): `/.well-known/jwks.json` for the default tenant, and
 * `/tenants/{id}/.well-known/jwks.json` for any tenant, matching the per-tenant
 * issuer `<public url>/tenants/{id}`.
 */
export async function wellKnownRoutes(
  app: FastifyInstance,
  options: { ctx: CoreContext; defaultTenant: string },
): Promise<void> {
  const { ctx } = options;
  // Tenants are never deleted: once seen, a tenant needs no second look-up.
  const knownTenants = new Set<TenantId>();
  // The keyring hands out one JwkSet object for as long as it caches the
  // tenant's keys, so each is serialized once, not once per request.
  const serialized = new WeakMap<JwkSet, string>();
  const serve = async (tenantId: TenantId, reply: FastifyReply) => {
    if (!knownTenants.has(tenantId)) {
      if ((await ctx.store.tenants.get(tenantId)) === undefined) {
        throw new TesseraError("not_found", "No such tenant");
      }
      knownTenants.add(tenantId);
    }
    const jwks = await ctx.keyring.jwks(tenantId);
    let body = serialized.get(jwks);
    if (body === undefined) {
      body = JSON.stringify({ keys: jwks.keys.map(publicMembers) });
      serialized.set(jwks, body);
    }
    // A string with its content type is sent as it is, past the serializer.
    return reply
      .header("cache-control", "public, max-age=300")
      .type("application/json; charset=utf-8")
      .send(body);
  };
  const schema = {
    tags: ["keys"],
    security: [],
    response: { 200: jwksAnswer, ...errorAnswers(PLAIN_ERRORS, 500, 503) },
  };
  app.get(
    "/.well-known/jwks.json",
    { schema: { ...schema, operationId: "getJwks", summary: "The default tenant's JWK set" } },
    async (_request, reply) => serve(options.defaultTenant as TenantId, reply),
  );
  app.get<{ Params: { tenantId: string } }>(
    "/tenants/:tenantId/.well-known/jwks.json",
    {
      schema: {
        ...schema,
        operationId: "getTenantJwks",
        summary: "A tenant's JWK set",
        params: {
          type: "object",
          properties: { tenantId: { type: "string" } },
          required: ["tenantId"],
        },
        response: { ...schema.response, ...errorAnswers(PLAIN_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      if (!isTenantId(request.params.tenantId)) {
        throw new TesseraError("not_found", "No such tenant");
      }
      return serve(request.params.tenantId, reply);
    },
  );
}

/** The JWK with only its public members: no private member can reach the JWKS. */
function publicMembers(jwk: JWK): Partial<JWK> {
  const kept: Record<string, unknown> = {};
  for (const member of PUBLIC_MEMBERS) {
    if (jwk[member] !== undefined) {
      kept[member] = jwk[member];
    }
  }
  return kept;
}

const HEALTH = {
  type: "object",
  properties: { status: { type: "string", enum: ["ok"] } },
  required: ["status"],
} as const;

const READINESS_SCHEMA = {
  operationId: "getReadiness",
  summary: "Readiness: the store answers",
  tags: ["health"],
  security: [],
  response: {
    200: answer("Ready", "application/json", {
      type: "object",
      properties: {
        status: { type: "string", enum: ["ready"] },
        cache: {
          type: "object",
          description:
            "Whether rate limits are shared through Redis (`degraded` while it is lost, limits then held by this instance alone).",
          properties: {
            backend: { type: "string", enum: ["memory", "redis"] },
            degraded: { type: "boolean" },
            outages: { type: "integer", description: "Times Redis was lost since start." },
          },
          required: ["backend", "degraded", "outages"],
        },
      },
      required: ["status", "cache"],
    }),
    503: answer(
      "The store does not answer",
      "application/json",
      {
        type: "object",
        properties: { status: { type: "string", enum: ["unavailable"] } },
        required: ["status"],
      },
      RETRY_AFTER_HEADER,
    ),
  },
};

/**
 * `GET /healthz` (the process answers) and `GET /readyz` (the store answers
 * too; the body also says whether rate limits are shared through Redis or
 * degraded to this instance).
 */
export async function healthRoutes(
  app: FastifyInstance,
  options: { ctx: CoreContext },
): Promise<void> {
  app.get(
    "/healthz",
    {
      schema: {
        operationId: "getHealth",
        summary: "Liveness: the process answers",
        tags: ["health"],
        security: [],
        response: { 200: answer("Alive", "application/json", HEALTH) },
      },
    },
    async () => ({ status: "ok" }),
  );
  app.get("/readyz", { schema: READINESS_SCHEMA }, async (request, reply) => {
    try {
      await options.ctx.store.ping();
      // A degraded cache still serves (limits hold per instance): ready, and said so.
      return { status: "ready", cache: options.ctx.cache.status() };
    } catch (error) {
      request.log.warn({ err: error }, "store not reachable");
      return reply.status(503).header("retry-after", "1").send({ status: "unavailable" });
    }
  });
}
