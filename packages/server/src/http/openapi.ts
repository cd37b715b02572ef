import swagger from "@fastify/swagger";
import type { FastifyInstance, FastifySchema } from "fastify";
import fp from "fastify-plugin";

/**
 * A route's schema, with what only the document needs to know.
 *
 * - `documentedHeaders`: request headers the route reads itself, in its
 *   dialect's words; had fastify validated them, a missing `AccessToken`
 *   would be a 400 in fastify's words instead of the session API's 401
 *   (spec 003).
 * - `optionalBody`: the route serves a request without a body (fastify
 *   validates a missing body as none, so the document would otherwise call
 *   it required).
 */
export interface DocumentedSchema extends FastifySchema {
  readonly documentedHeaders?: {
    readonly type: "object";
    readonly properties: Readonly<Record<string, object>>;
    readonly required?: readonly string[];
  };
  readonly optionalBody?: boolean;
}

/** A route schema with its documentation-only parts, as fastify takes it. */
export function documented(schema: DocumentedSchema): FastifySchema {
  return schema;
}

/** Marks an operation whose body is optional, for {@link finishDocument}. */
const OPTIONAL_BODY = "x-tessera-optional-body";

/** The document's view of a route: its documented headers as its `headers`. */
function documentedView(schema: DocumentedSchema | undefined): FastifySchema | undefined {
  if (schema === undefined) {
    return schema;
  }
  const { documentedHeaders, optionalBody, ...rest } = schema;
  return {
    ...rest,
    ...(documentedHeaders === undefined ? {} : { headers: documentedHeaders }),
    ...(optionalBody === true ? { [OPTIONAL_BODY]: true } : {}),
  };
}

interface DocumentOperation {
  [OPTIONAL_BODY]?: boolean;
  requestBody?: { required?: boolean };
}

/** What @fastify/swagger cannot say: optional request bodies. */
function finishDocument<T extends { paths?: object }>(document: T): T {
  for (const path of Object.values(document.paths ?? {}) as Record<string, DocumentOperation>[]) {
    for (const operation of Object.values(path)) {
      if (operation[OPTIONAL_BODY] === true) {
        delete operation[OPTIONAL_BODY];
        if (operation.requestBody !== undefined) {
          operation.requestBody.required = false;
        }
      }
    }
  }
  return document;
}

/** Every tag, in the order the document lists them. */
const TAGS = [
  {
    name: "Auth",
    description:
      "The token API for automation (spec 004): long-term tokens with step-up authentication, short-term tokens, revocation.",
  },
  {
    name: "session",
    description: "The session API (spec 000, 001, 003): log in, refresh, log out, impersonate.",
  },
  {
    name: "operations",
    description: 'HarperDB\'s operations API (spec 002): `POST /` with `{"operation": ...}`.',
  },
  {
    name: "oauth",
    description:
      "OAuth 2.0: token endpoint (RFC 6749, 7523, 8693), introspection (RFC 7662), revocation (RFC 7009), metadata (RFC 8414, OpenID Connect Discovery).",
  },
  { name: "keys", description: "Signing keys as JWK sets (RFC 7517), per tenant." },
  { name: "health", description: "Liveness and readiness probes." },
  {
    name: "admin",
    description:
      "The admin API (`/admin/v1`): tenants, users, roles, sessions, clients, keys and the audit trail, for the CLI and the console. Bearer access token of a user with `admin` (or `admin:read`), or of a client with the scope `admin:read` or `admin:write`.",
  },
];

/**
 * `GET /openapi.json`: an OpenAPI 3.1 document generated from the route
 * schemas of every tagged route, so it describes exactly what the server
 * validates and returns. Named schemas (`app.addSchema` with an `$id`) are
 * its components under that `$id`, so generated clients get the spec's
 * model names (`LongTokenRequest`), stable whatever routes are added. The
 * security schemes carry the specs' names: spec 004's `ClientKey`,
 * `LongTokenAuth`, `ShortTokenAuth`; spec 001's `ApiKeyAuth`, `BasicAuth`.
 */
async function openApi(app: FastifyInstance, options: { readonly publicUrl: string }) {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Tessera",
        description:
          "Token authentication server: the token API (spec 004), the session API (spec 000, 001, 003), HarperDB's operations API (spec 002), and OAuth 2.0.",
        version: "0.1.0",
        license: { name: "Apache-2.0", identifier: "Apache-2.0" },
      },
      servers: [{ url: options.publicUrl }],
      // No credential unless an operation names one: discovery, keys and health are public.
      security: [],
      tags: TAGS,
      components: {
        securitySchemes: {
          ClientKey: {
            type: "apiKey",
            in: "header",
            name: "X-API-Key",
            description: "The API key of a client of the tenant (spec 004)",
          },
          LongTokenAuth: {
            type: "http",
            scheme: "bearer",
            description: "A long-term token (`tsr_lt_…`)",
          },
          ShortTokenAuth: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "JWT",
            description: "A short-term token",
          },
          ApiKeyAuth: {
            type: "apiKey",
            in: "header",
            name: "X-API-Key",
            description: "The customer's API key (spec 001)",
          },
          BasicAuth: {
            type: "http",
            scheme: "basic",
            description: "A user's username and password, when not in the body (spec 001)",
          },
          IdTokenAuth: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "JWT",
            description:
              "The caller's ID token (`session.authorization`) in `Authorization`, with or without `Bearer ` (spec 003)",
          },
          ClientSecretBasic: {
            type: "http",
            scheme: "basic",
            description:
              "client_secret_basic: the client id and secret, each form-url-encoded (RFC 6749 §2.3.1)",
          },
          OperationsBasic: {
            type: "http",
            scheme: "basic",
            description: "The operations API (spec 002): a user's username and password",
          },
          AdminToken: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "JWT",
            description:
              "An access token of a user whose permissions include `admin` (or `admin:read` to read only), or a client credentials token with the scope `admin:write` or `admin:read`. The roles listed per operation say which it needs.",
          },
          OperationToken: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "JWT",
            description:
              "The operations API (spec 002): an operation token (for refresh_operation_token, its refresh token)",
          },
        },
      },
    },
    transform: ({ schema, url }) => ({ schema: documentedView(schema) ?? schema, url }),
    hideUntagged: true,
    // Components are named by their `$id` (`Problem`, `AddUserRequest`), and
    // `const` stays `const` (OpenAPI 3.1 is JSON Schema 2020-12).
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === "string" ? json.$id : `def-${i}`,
    },
    convertConstToEnum: false,
  });
  let document: object | undefined;
  app.get("/openapi.json", { schema: { hide: true } }, async () => {
    document ??= finishDocument(structuredClone(app.swagger()));
    return document;
  });
}

export const openApiDocument = fp(openApi, { name: "tessera-openapi" });
