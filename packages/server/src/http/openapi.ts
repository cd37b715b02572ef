import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/**
 * `GET /openapi.json`: an OpenAPI 3 document generated from the route
 * schemas of every tagged route (the token API, the session API and
 * OAuth), so it describes exactly what the server validates and returns
 * (OAuth's form bodies are described there and read by the routes
 * themselves). The security schemes carry spec 004's names, and OAuth's
 * client authentication by HTTP Basic (RFC 6749 §2.3.1).
 */
async function openApi(app: FastifyInstance, options: { readonly publicUrl: string }) {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Tessera",
        description:
          "Token authentication server: the token API (spec 004), the session API, and OAuth 2.0 (RFC 6749 token endpoint, RFC 8414 and OpenID Connect discovery).",
        version: "0.1.0",
      },
      servers: [{ url: options.publicUrl }],
      components: {
        securitySchemes: {
          ClientKey: { type: "apiKey", in: "header", name: "X-API-Key" },
          LongTokenAuth: { type: "http", scheme: "bearer", description: "A long-term token" },
          ClientSecretBasic: {
            type: "http",
            scheme: "basic",
            description:
              "client_secret_basic: the client id and secret, each form-url-encoded (RFC 6749 §2.3.1)",
          },
          ShortTokenAuth: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "JWT",
            description: "A short-term token",
          },
          OperationsBasic: {
            type: "http",
            scheme: "basic",
            description: "The operations API (spec 002): a user's username and password",
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
    hideUntagged: true,
    // Components are named by their `$id` (`Problem`, `AddUserRequest`), and
    // `const` stays `const` (OpenAPI 3.1 is JSON Schema 2020-12).
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === "string" ? json.$id : `def-${i}`,
    },
    convertConstToEnum: false,
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}

export const openApiDocument = fp(openApi, { name: "tessera-openapi" });
