import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../../test/support/harness.js";

/** `/openapi.json` describes the OAuth endpoints, the token endpoint with its form body. */

interface Operation {
  readonly operationId: string;
  readonly tags: string[];
  readonly security?: Record<string, string[]>[];
  readonly requestBody?: { content: Record<string, { schema: { properties: object } }> };
  readonly responses: Record<string, unknown>;
}

let h: Harness;
let paths: Record<string, Record<string, Operation>>;
let schemes: Record<string, { type: string; scheme?: string }>;

beforeAll(async () => {
  h = await startHarness();
  const response = await h.app.inject({ method: "GET", url: "/openapi.json" });
  expect(response.statusCode, response.body).toBe(200);
  // Named schemas are components; the checks read them where they are used.
  const document = (await SwaggerParser.dereference(response.json())) as unknown as {
    paths: typeof paths;
    components: { securitySchemes: typeof schemes };
  };
  paths = document.paths;
  schemes = document.components.securitySchemes;
});
afterAll(async () => {
  await h.close();
});

describe("the OpenAPI document's OAuth part", () => {
  it.each([
    ["/.well-known/oauth-authorization-server/tenants/{tenantId}", "get"],
    ["/tenants/{tenantId}/.well-known/openid-configuration", "get"],
    ["/tenants/{tenantId}/oauth/token", "post"],
    ["/oauth/token", "post"],
    ["/tenants/{tenantId}/oauth/introspect", "post"],
    ["/oauth/introspect", "post"],
    ["/tenants/{tenantId}/oauth/revoke", "post"],
    ["/oauth/revoke", "post"],
  ])("describes %s", (path, method) => {
    expect(paths[path]?.[method]?.tags).toEqual(["oauth"]);
  });

  it.each(["/tenants/{tenantId}/oauth/token", "/oauth/token"])(
    "gives %s a form body, Basic or body authentication, and its error answers",
    (path) => {
      const operation = paths[path]?.post;
      const content = operation?.requestBody?.content ?? {};
      expect(Object.keys(content)).toEqual(["application/x-www-form-urlencoded"]);
      expect(
        Object.keys(content["application/x-www-form-urlencoded"]?.schema.properties ?? {}),
      ).toEqual(
        expect.arrayContaining([
          "grant_type",
          "scope",
          "resource",
          "client_id",
          "client_secret",
          "client_assertion_type",
          "client_assertion",
          "assertion",
          "username",
          "password",
        ]),
      );
      expect(operation?.security).toEqual([{}, { ClientSecretBasic: [] }]);
      expect(Object.keys(operation?.responses ?? {})).toEqual(
        expect.arrayContaining(["200", "400", "401", "429"]),
      );
    },
  );

  it.each(["/tenants/{tenantId}/oauth/introspect", "/tenants/{tenantId}/oauth/revoke"])(
    "gives %s a form body with the token",
    (path) => {
      const content = paths[path]?.post?.requestBody?.content ?? {};
      expect(Object.keys(content)).toEqual(["application/x-www-form-urlencoded"]);
      expect(content["application/x-www-form-urlencoded"]?.schema.properties).toHaveProperty(
        "token",
      );
    },
  );

  it.each(["/tenants/{tenantId}/oauth/introspect", "/oauth/introspect"])(
    "gives %s an answer as JSON (RFC 7662) or as a signed JWT (RFC 9701)",
    (path) => {
      const ok = paths[path]?.post?.responses["200"] as { content?: Record<string, unknown> };
      expect(Object.keys(ok.content ?? {})).toEqual([
        "application/json",
        "application/token-introspection+jwt",
      ]);
    },
  );

  it("defines HTTP Basic for client_secret_basic", () => {
    expect(schemes.ClientSecretBasic).toMatchObject({ type: "http", scheme: "basic" });
  });
});
