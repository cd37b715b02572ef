import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/**
 * `GET /openapi.json`: an OpenAPI 3 document generated from the route
 * schemas of every tagged route (the token API and the session API), so
 * it describes exactly what the server validates and returns. The security
 * schemes carry spec 004's names.
 */
async function openApi(app: FastifyInstance, options: { readonly publicUrl: string }) {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Tessera",
        description: "Token authentication server: the token API (spec 004) and the session API.",
        version: "0.1.0",
      },
      servers: [{ url: options.publicUrl }],
      components: {
        securitySchemes: {
          ClientKey: { type: "apiKey", in: "header", name: "X-API-Key" },
          LongTokenAuth: { type: "http", scheme: "bearer", description: "A long-term token" },
          ShortTokenAuth: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "JWT",
            description: "A short-term token",
          },
        },
      },
    },
    hideUntagged: true,
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}

export const openApiDocument = fp(openApi, { name: "tessera-openapi" });
