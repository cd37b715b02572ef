import { join } from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { Ajv2020 } from "ajv/dist/2020.js";
import BetterSqlite3 from "better-sqlite3";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  basic,
  bearer,
  type Harness,
  sessionOf,
  startHarness,
  USING_POSTGRES,
} from "../../test/support/harness.js";
import { clientBasic, formOf, postToken } from "../../test/support/oauth.js";
import {
  addClient,
  issueLong,
  issueShort,
  listTokens,
  postLong,
  postShort,
  revokeToken,
  secretBody,
  type TestClient,
} from "../../test/support/token-api.js";

// What the server answers is what `/openapi.json` says it answers: real
// requests, for the happy path and each kind of failure of every route,
// and each answer held against the document: its status is declared for
// the route, its media type is one the status declares, its body validates
// against that media type's schema, and the headers the status declares
// are there.

interface DeclaredResponse {
  readonly headers?: Record<string, unknown>;
  readonly content?: Record<string, { readonly schema: object }>;
}

interface DereferencedDocument {
  readonly paths: Record<
    string,
    Record<string, { readonly responses: Record<string, DeclaredResponse> }>
  >;
}

/** Headers a status declares but that only some of its answers carry. */
const SOMETIMES = new Set(["www-authenticate"]);

const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });

let h: Harness;
let document: DereferencedDocument;
let client: TestClient;

beforeAll(async () => {
  h = await startHarness();
  const served = await h.app.inject({ method: "GET", url: "/openapi.json" });
  document = (await SwaggerParser.dereference(served.json())) as unknown as DereferencedDocument;
  client = await addClient(h);
  await h.addUser("alice");
  await h.addUser("root", ["admin", "impersonate"]);
});
afterAll(async () => {
  await h?.close();
});

/**
 * Holds one answer against the document's description of
 * `method path` (`path` as the document writes it: `/auth/tokens/{tokenId}/revoke`).
 */
function expectDocumented(
  method: string,
  path: string,
  response: LightMyRequestResponse,
  expectedStatus: number,
): void {
  expect(response.statusCode, response.body).toBe(expectedStatus);
  const route = `${method} ${path} ${response.statusCode}`;
  const declared =
    document.paths[path]?.[method.toLowerCase()]?.responses[String(response.statusCode)];
  expect(declared, `${route} is not declared`).toBeDefined();
  for (const name of Object.keys(declared?.headers ?? {})) {
    if (!SOMETIMES.has(name.toLowerCase())) {
      expect(response.headers, `${route} lacks ${name}`).toHaveProperty(name.toLowerCase());
    }
  }
  const content = declared?.content;
  if (content === undefined) {
    expect(response.body, `${route} declares no body`).toBe("");
    return;
  }
  const mediaType =
    String(response.headers["content-type"] ?? "")
      .split(";")[0]
      ?.trim() ?? "";
  const schema = content[mediaType]?.schema;
  expect(schema, `${route} does not declare ${mediaType}`).toBeDefined();
  if (schema !== undefined && mediaType.endsWith("json")) {
    const validate = ajv.compile(schema);
    const valid = validate(response.json());
    expect(valid, `${route}: ${ajv.errorsText(validate.errors)} in ${response.body}`).toBe(true);
  }
}

function json(method: "POST" | "DELETE", url: string, payload: string, headers = {}) {
  return h.app.inject({
    method,
    url,
    headers: { "content-type": "application/json", "x-api-key": h.apiKey, ...headers },
    payload,
  });
}

const HUGE = JSON.stringify({ name: "x".repeat(100 * 1024) });

describe("the token API answers as documented", () => {
  it("POST /auth/tokens/long", async () => {
    const path = "/auth/tokens/long";
    expectDocumented("POST", path, await postLong(h, secretBody(client)), 201);
    expectDocumented("POST", path, await postLong(h, {}), 400);
    expectDocumented(
      "POST",
      path,
      await postLong(h, secretBody(client), { "x-api-key": "x" }),
      401,
    );
    expectDocumented(
      "POST",
      path,
      await postLong(h, secretBody({ ...client, secret: "tsr_cs_wrong" })),
      401,
    );
    expectDocumented(
      "POST",
      path,
      await postLong(h, secretBody(client, { rotate_token_id: "nope" })),
      404,
    );
    expectDocumented("POST", path, await json("POST", path, HUGE), 413);
    expectDocumented(
      "POST",
      path,
      await json("POST", path, "grant_type=client_credentials", {
        "content-type": "application/x-www-form-urlencoded",
      }),
      415,
    );
  });

  it("POST /auth/tokens/short, with a body and without", async () => {
    const long = await issueLong(h, client);
    const path = "/auth/tokens/short";
    expectDocumented("POST", path, await postShort(h, long.token), 201);
    expectDocumented("POST", path, await postShort(h, long.token, { ttl_seconds: 120 }), 201);
    expectDocumented("POST", path, await postShort(h, long.token, { ttl_seconds: 1 }), 400);
    expectDocumented("POST", path, await postShort(h, undefined), 401);
    expectDocumented("POST", path, await postShort(h, long.token, { scopes: ["admin"] }), 403);
  });

  it("POST /auth/tokens/{tokenId}/revoke and GET /auth/tokens", async () => {
    const long = await issueLong(h, client);
    const short = await issueShort(h, long.token);
    const revoke = "/auth/tokens/{tokenId}/revoke";
    expectDocumented("GET", "/auth/tokens", await listTokens(h, long.token, "limit=2"), 200);
    expectDocumented(
      "GET",
      "/auth/tokens",
      await listTokens(h, long.token, "include_ended=true"),
      200,
    );
    expectDocumented("GET", "/auth/tokens", await listTokens(h, long.token, "limit=0"), 400);
    expectDocumented("GET", "/auth/tokens", await listTokens(h, undefined), 401);
    expectDocumented("POST", revoke, await revokeToken(h, long.token, short.token_id), 204);
    expectDocumented("POST", revoke, await revokeToken(h, long.token, short.token_id), 204);
    expectDocumented("POST", revoke, await revokeToken(h, long.token, "tok_unknown"), 404);
    expectDocumented("POST", revoke, await revokeToken(h, long.token, "x".repeat(65)), 400);
    expectDocumented("POST", revoke, await revokeToken(h, undefined, short.token_id), 401);
  });
});

describe("the session API answers as documented", () => {
  it("POST /auth/token: login in the body and by Basic, refresh, and its failures", async () => {
    const path = "/auth/token";
    const login = await h.login("alice");
    expectDocumented("POST", path, login, 200);
    expectDocumented(
      "POST",
      path,
      await h.app.inject({
        method: "POST",
        url: path,
        headers: { "x-api-key": h.apiKey, authorization: basic("alice") },
      }),
      200,
    );
    expectDocumented("POST", path, await h.send("POST", path, sessionOf(login)), 200);
    expectDocumented("POST", path, await h.login("alice", "wrong password"), 401);
    expectDocumented("POST", path, await h.send("POST", path, {}), 400);
    expectDocumented("POST", path, await json("POST", path, HUGE), 413);
    expectDocumented(
      "POST",
      path,
      await json("POST", path, "username=alice", { "content-type": "text/plain" }),
      415,
    );
  });

  it("DELETE /auth/token", async () => {
    const session = sessionOf(await h.login("alice"));
    expectDocumented("DELETE", "/auth/token", await h.send("DELETE", "/auth/token", session), 200);
    expectDocumented("DELETE", "/auth/token", await h.send("DELETE", "/auth/token", {}), 400);
  });

  it("POST /auth/impersonate", async () => {
    const path = "/auth/impersonate";
    const root = sessionOf(await h.login("root"));
    const alice = sessionOf(await h.login("alice"));
    const as = (session: typeof root) => ({
      authorization: session.session.authorization,
      accesstoken: session.session.accessToken,
    });
    expectDocumented(
      "POST",
      path,
      await h.send("POST", path, { username: "alice" }, as(root)),
      200,
    );
    expectDocumented("POST", path, await h.send("POST", path, { username: "alice" }), 401);
    expectDocumented(
      "POST",
      path,
      await h.send("POST", path, { username: "root" }, as(alice)),
      403,
    );
    expectDocumented("POST", path, await h.send("POST", path, {}, as(root)), 400);
  });
});

describe("OAuth answers as documented", () => {
  const tokenPath = "/tenants/{tenantId}/oauth/token";

  it("the token endpoint", async () => {
    const auth = { authorization: clientBasic(client.id, client.secret) };
    expectDocumented(
      "POST",
      tokenPath,
      await postToken(h, { grant_type: "client_credentials" }, auth),
      200,
    );
    expectDocumented(
      "POST",
      "/oauth/token",
      await postToken(h, { grant_type: "client_credentials" }, auth, "/oauth/token"),
      200,
    );
    expectDocumented("POST", tokenPath, await postToken(h, { grant_type: "nope" }, auth), 400);
    expectDocumented(
      "POST",
      tokenPath,
      await postToken(
        h,
        { grant_type: "client_credentials" },
        { authorization: clientBasic(client.id, "tsr_cs_wrong") },
      ),
      401,
    );
    expectDocumented(
      "POST",
      tokenPath,
      await postToken(h, { grant_type: "client_credentials" }, auth, "/tenants/nope/oauth/token"),
      404,
    );
    expectDocumented(
      "POST",
      tokenPath,
      await postToken(h, formOf({ grant_type: "x".repeat(100 * 1024) }), auth),
      413,
    );
  });

  it("introspection and revocation", async () => {
    const auth = { authorization: clientBasic(client.id, client.secret) };
    const issued = await postToken(h, { grant_type: "client_credentials" }, auth);
    const token = issued.json<{ access_token: string }>().access_token;
    const introspect = "/tenants/{tenantId}/oauth/introspect";
    const revoke = "/tenants/{tenantId}/oauth/revoke";
    const at = (endpoint: string) => `/tenants/default/oauth/${endpoint}`;
    expectDocumented(
      "POST",
      introspect,
      await postToken(h, { token }, auth, at("introspect")),
      200,
    );
    expectDocumented(
      "POST",
      introspect,
      await postToken(
        h,
        { token },
        { ...auth, accept: "application/token-introspection+jwt" },
        at("introspect"),
      ),
      200,
    );
    expectDocumented("POST", introspect, await postToken(h, {}, auth, at("introspect")), 400);
    expectDocumented("POST", revoke, await postToken(h, { token }, auth, at("revoke")), 200);
    expectDocumented("POST", revoke, await postToken(h, { token }, {}, at("revoke")), 401);
    expectDocumented(
      "POST",
      introspect,
      await postToken(h, { token }, auth, at("introspect")),
      200,
    );
  });

  it("metadata, key sets and health", async () => {
    const get = (url: string) => h.app.inject({ method: "GET", url });
    for (const [path, url] of [
      [
        "/.well-known/oauth-authorization-server/tenants/{tenantId}",
        "/.well-known/oauth-authorization-server/tenants/default",
      ],
      [
        "/tenants/{tenantId}/.well-known/openid-configuration",
        "/tenants/default/.well-known/openid-configuration",
      ],
      ["/tenants/{tenantId}/.well-known/jwks.json", "/tenants/default/.well-known/jwks.json"],
    ] as const) {
      expectDocumented("GET", path, await get(url), 200);
      expectDocumented("GET", path, await get(url.replace("default", "nope")), 404);
    }
    expectDocumented("GET", "/.well-known/jwks.json", await get("/.well-known/jwks.json"), 200);
    expectDocumented("GET", "/healthz", await get("/healthz"), 200);
    expectDocumented("GET", "/readyz", await get("/readyz"), 200);
  });
});

describe("budgets and outages answer as documented", () => {
  it("429 on the token API and OAuth, with Retry-After and RateLimit-*", async () => {
    const limited = await startHarness({ TESSERA_TOKEN_API_REQUESTS_PER_MINUTE_PER_IP: "1" });
    try {
      const auth = { authorization: clientBasic(client.id, client.secret) };
      await postToken(limited, { grant_type: "client_credentials" }, auth);
      expectDocumented(
        "POST",
        "/tenants/{tenantId}/oauth/token",
        await postToken(limited, { grant_type: "client_credentials" }, auth),
        429,
      );
      expectDocumented("POST", "/auth/tokens/long", await postLong(limited, {}), 429);
      expectDocumented("POST", "/auth/tokens/short", await postShort(limited, "x"), 429);
      expectDocumented("GET", "/auth/tokens", await listTokens(limited, "x"), 429);
    } finally {
      await limited.close();
    }
  });

  // SQLite's lock stands for an outage; PostgreSQL's have their own tests.
  it.skipIf(USING_POSTGRES)("503 with Retry-After while the store cannot answer", async () => {
    const busy = await startHarness({ TESSERA_SQLITE_BUSY_TIMEOUT_MS: "50" });
    const other = new BetterSqlite3(join(busy.dataDir, "tessera.db"));
    try {
      await busy.addUser("alice");
      const longClient = await addClient(busy);
      other.pragma("busy_timeout = 0");
      other.exec("BEGIN EXCLUSIVE");
      expectDocumented("POST", "/auth/token", await busy.login("alice"), 503);
      expectDocumented(
        "POST",
        "/auth/tokens/long",
        await postLong(busy, secretBody(longClient)),
        503,
      );
      expectDocumented(
        "POST",
        "/tenants/{tenantId}/oauth/token",
        await postToken(
          busy,
          { grant_type: "client_credentials" },
          { authorization: clientBasic(longClient.id, longClient.secret) },
        ),
        503,
      );
    } finally {
      other.exec("ROLLBACK");
      other.close();
      await busy.close();
    }
  });
});

describe("operations on other credentials", () => {
  it("a Bearer token of the wrong kind is a 401 on the token API", async () => {
    const session = sessionOf(await h.login("alice"));
    expectDocumented(
      "GET",
      "/auth/tokens",
      await h.app.inject({
        method: "GET",
        url: "/auth/tokens",
        headers: { authorization: bearer(session.session.accessToken) },
      }),
      401,
    );
  });
});
