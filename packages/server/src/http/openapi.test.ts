import SwaggerParser from "@apidevtools/swagger-parser";
import {
  BaseResolver,
  createConfig,
  lintDocument,
  makeDocumentFromString,
} from "@redocly/openapi-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../test/support/harness.js";
import { servedRoutes } from "./served-routes.js";

// `/openapi.json` is what generated clients are made from: it must be a
// valid OpenAPI 3.1 document by two independent validators, name things as
// spec 004's generated client does, and describe every route, status,
// media type, header and credential the server really has.

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
  readonly schema: { readonly type?: string };
}

interface Response {
  readonly headers?: Record<string, unknown>;
  readonly content?: Record<string, { readonly schema: { readonly $ref?: string } }>;
}

interface Operation {
  readonly operationId: string;
  readonly tags: string[];
  readonly security?: Record<string, string[]>[];
  readonly parameters?: Parameter[];
  readonly requestBody?: {
    readonly required: boolean;
    readonly content: Record<string, { readonly schema: { readonly $ref?: string } }>;
  };
  readonly responses: Record<string, Response>;
}

interface Document {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: {
    readonly schemas: Record<string, unknown>;
    readonly securitySchemes: Record<string, { type: string; scheme?: string; name?: string }>;
  };
}

let h: Harness;
let document: Document;

beforeAll(async () => {
  h = await startHarness();
  const response = await h.app.inject({ method: "GET", url: "/openapi.json" });
  expect(response.statusCode).toBe(200);
  document = response.json<Document>();
});
afterAll(async () => {
  await h.close();
});

function operation(path: string, method: string): Operation {
  const found = document.paths[path]?.[method];
  if (found === undefined) {
    throw new Error(`${method.toUpperCase()} ${path} is not in the document`);
  }
  return found;
}

/** Fastify's `/a/:id/b` as OpenAPI's `/a/{id}/b`. */
const openApiPath = (url: string) => url.replace(/:(\w+)/g, "{$1}");

describe("the document is valid", () => {
  it("by @apidevtools/swagger-parser, as OpenAPI 3.1", async () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it("by Redocly's recommended rules, without an error or a warning", async () => {
    const config = await createConfig({
      extends: ["recommended"],
      // Health and key sets answer no client error: there is no 4XX to declare.
      rules: { "operation-4xx-response": "off" },
    });
    const problems = await lintDocument({
      document: makeDocumentFromString(JSON.stringify(document), "/openapi.json"),
      config,
      externalRefResolver: new BaseResolver(),
    });
    expect(
      problems.map(
        (problem) => `${problem.ruleId}: ${problem.message} ${problem.location[0]?.pointer}`,
      ),
    ).toEqual([]);
  });

  it("defines every security scheme an operation names", () => {
    for (const methods of Object.values(document.paths)) {
      for (const { security = [] } of Object.values(methods)) {
        for (const scheme of security.flatMap(Object.keys)) {
          expect(document.components.securitySchemes).toHaveProperty(scheme);
        }
      }
    }
  });
});

describe("the document describes every route the server serves", () => {
  it("lists each method of each route, but the document itself", () => {
    const served = servedRoutes(h.app)
      .filter(({ url }) => url !== "/openapi.json")
      .map(({ method, url }) => `${method} ${openApiPath(url)}`);
    const described = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(served.length).toBeGreaterThan(20);
    expect(described.sort()).toEqual(served.sort());
  });

  it("gives every operation a unique operationId and a tag", () => {
    const ids = Object.values(document.paths).flatMap((methods) =>
      Object.values(methods).map((described) => described.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
    for (const methods of Object.values(document.paths)) {
      for (const described of Object.values(methods)) {
        expect(described.tags).toHaveLength(1);
      }
    }
  });
});

describe("the token API as spec 004's generated client names it", () => {
  it.each([
    ["/auth/tokens/long", "post", "issueLongTermToken"],
    ["/auth/tokens/short", "post", "issueShortTermToken"],
    ["/auth/tokens/{tokenId}/revoke", "post", "revokeToken"],
    ["/auth/tokens", "get", "listTokens"],
  ])("%s is %s, %s, tagged Auth", (path, method, operationId) => {
    expect(operation(path, method)).toMatchObject({ operationId, tags: ["Auth"] });
  });

  it.each([
    ["/auth/tokens/long", "LongTokenRequest", "201", "LongTokenResponse"],
    ["/auth/tokens/short", "ShortTokenRequest", "201", "ShortTokenResponse"],
  ])("%s takes %s and answers %s %s, as named components", (path, request, status, answer) => {
    const described = operation(path, "post");
    expect(described.requestBody?.content["application/json"]?.schema.$ref).toBe(
      `#/components/schemas/${request}`,
    );
    expect(described.responses[status]?.content?.["application/json"]?.schema.$ref).toBe(
      `#/components/schemas/${answer}`,
    );
  });

  it("makes issueShortTermToken's body optional and issueLongTermToken's required", () => {
    expect(operation("/auth/tokens/short", "post").requestBody?.required).toBe(false);
    expect(operation("/auth/tokens/long", "post").requestBody?.required).toBe(true);
  });

  it("declares the X-Token-Id header of the 201", () => {
    expect(operation("/auth/tokens/long", "post").responses["201"]?.headers).toHaveProperty(
      "X-Token-Id",
    );
  });

  it.each([
    ["/auth/tokens/long", "post", ["400", "401", "403", "413", "415", "429", "503"]],
    ["/auth/tokens/short", "post", ["400", "401", "413", "415", "429", "503"]],
    ["/auth/tokens/{tokenId}/revoke", "post", ["400", "401", "404", "429", "503"]],
    ["/auth/tokens", "get", ["400", "401", "429", "503"]],
  ])("%s declares its errors as application/problem+json: %j", (path, method, statuses) => {
    const { responses } = operation(path, method);
    for (const status of statuses) {
      expect(Object.keys(responses[status]?.content ?? {}), status).toEqual([
        "application/problem+json",
      ]);
    }
    expect(responses["429"]?.headers).toHaveProperty("Retry-After");
    expect(responses["503"]?.headers).toHaveProperty("Retry-After");
    expect(responses["401"]?.headers).toHaveProperty("WWW-Authenticate");
  });

  it("types listTokens' limit as an integer and include_ended as a boolean", () => {
    const parameters = operation("/auth/tokens", "get").parameters ?? [];
    expect(parameters.find(({ name }) => name === "limit")?.schema.type).toBe("integer");
    expect(parameters.find(({ name }) => name === "include_ended")?.schema.type).toBe("boolean");
  });

  it("keeps spec 004's security scheme names", () => {
    expect(operation("/auth/tokens/long", "post").security).toEqual([
      { ClientKey: [] },
      { ClientKey: [], ShortTokenAuth: [] },
    ]);
    expect(operation("/auth/tokens/short", "post").security).toEqual([{ LongTokenAuth: [] }]);
    expect(operation("/auth/tokens/{tokenId}/revoke", "post").security).toEqual([
      { LongTokenAuth: [] },
      { ShortTokenAuth: [] },
    ]);
  });
});

describe("the session API", () => {
  it("logs in with the body or HTTP Basic, under the API key", () => {
    expect(operation("/auth/token", "post").security).toEqual([
      { ApiKeyAuth: [] },
      { ApiKeyAuth: [], BasicAuth: [] },
    ]);
    expect(document.components.securitySchemes.BasicAuth).toMatchObject({
      type: "http",
      scheme: "basic",
    });
  });

  it("names its bodies and its error", () => {
    const login = operation("/auth/token", "post");
    expect(login.requestBody?.content["application/json"]?.schema.$ref).toBe(
      "#/components/schemas/SessionTokenRequest",
    );
    expect(login.responses["200"]?.content?.["application/json"]?.schema.$ref).toBe(
      "#/components/schemas/SessionTokenResponse",
    );
    expect(login.responses["401"]?.content?.["application/json"]?.schema.$ref).toBe(
      "#/components/schemas/SessionError",
    );
  });

  it("declares impersonate's Authorization (the ID token) and AccessToken headers", () => {
    const impersonate = operation("/auth/impersonate", "post");
    expect(impersonate.security).toEqual([{ ApiKeyAuth: [], IdTokenAuth: [] }]);
    expect(document.components.securitySchemes.IdTokenAuth).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
    expect(impersonate.parameters).toEqual([
      expect.objectContaining({ name: "AccessToken", in: "header", required: true }),
    ]);
  });
});

describe("keys and discovery", () => {
  it.each(["/.well-known/jwks.json", "/tenants/{tenantId}/.well-known/jwks.json"])(
    "describes %s as a JWK set",
    (path) => {
      expect(
        operation(path, "get").responses["200"]?.content?.["application/json"]?.schema.$ref,
      ).toBe("#/components/schemas/JsonWebKeySet");
    },
  );

  it.each([
    "/.well-known/oauth-authorization-server/tenants/{tenantId}",
    "/tenants/{tenantId}/.well-known/openid-configuration",
  ])("describes %s as the metadata document", (path) => {
    expect(
      operation(path, "get").responses["200"]?.content?.["application/json"]?.schema.$ref,
    ).toBe("#/components/schemas/AuthorizationServerMetadata");
  });
});
