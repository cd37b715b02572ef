import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AccessTokenVerifier,
  bearerAuthHook,
  bearerAuthMiddleware,
  type ConnectRequest,
  createAccessTokenVerifier,
  type VerifiedAccessToken,
} from "../src/index.js";
import { closedPort } from "./support/closed-port.js";
import { type Client, oauthToken, RESOURCE } from "./support/issue.js";
import { addClient } from "./support/provision.js";
import { startTessera, type Tessera } from "./support/tessera.js";

declare module "fastify" {
  interface FastifyRequest {
    auth?: VerifiedAccessToken;
  }
}

let tessera: Tessera;
let bot: Client;
/** How far the resource servers' clock runs ahead of the real one. */
let skewMs = 0;
let verifier: AccessTokenVerifier;
/** One whose issuer's keys cannot be fetched. */
let stranded: AccessTokenVerifier;
let fastify: FastifyInstance;
let plain: Server;
const base: Record<"fastify" | "plain", string> = { fastify: "", plain: "" };

/** The claims a route answers with: what the middleware put on the request. */
function answer(auth: VerifiedAccessToken | undefined) {
  return { kind: auth?.kind, sub: auth?.subject, scopes: auth?.scopes };
}

beforeAll(async () => {
  tessera = await startTessera();
  bot = addClient(tessera, "reports-bot", [
    "--scopes",
    "reports:read,reports:write",
    "--audience",
    RESOURCE,
  ]);
  verifier = createAccessTokenVerifier({
    issuer: tessera.issuer,
    audience: RESOURCE,
    clock: { now: () => Date.now() + skewMs },
  });
  stranded = createAccessTokenVerifier({
    issuer: tessera.issuer,
    audience: RESOURCE,
    jwksUri: `http://127.0.0.1:${await closedPort()}/.well-known/jwks.json`,
  });

  fastify = Fastify();
  fastify.decorateRequest("auth", undefined);
  fastify.get("/reports", { onRequest: bearerAuthHook(verifier) }, async (request) =>
    answer(request.auth),
  );
  fastify.post(
    "/reports",
    { preHandler: bearerAuthHook(verifier, { requiredScopes: ["reports:write"] }) },
    async (request) => answer(request.auth),
  );
  fastify.get("/stranded", { onRequest: bearerAuthHook(stranded) }, async () => ({}));
  base.fastify = await fastify.listen({ host: "127.0.0.1", port: 0 });

  // An Express-style stack on Node's own server: middleware, then the route.
  const routes = {
    "GET /reports": bearerAuthMiddleware(verifier),
    "POST /reports": bearerAuthMiddleware(verifier, { requiredScopes: ["reports:write"] }),
    "GET /stranded": bearerAuthMiddleware(stranded),
  } as const;
  plain = createServer((req, res) => {
    const middleware = routes[`${req.method} ${req.url}` as keyof typeof routes];
    const request: ConnectRequest = req;
    middleware(request, res, (error) => {
      res.statusCode = error === undefined ? 200 : 500;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(answer(request.auth)));
    });
  });
  await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
  base.plain = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await fastify.close();
  await new Promise((resolve) => plain.close(resolve));
  await tessera.stop();
});

function clientCredentials(scope: string): Promise<string> {
  return oauthToken(tessera, bot, { grant_type: "client_credentials", resource: RESOURCE, scope });
}

function call(server: keyof typeof base, route: string, authorization?: string): Promise<Response> {
  const [method = "GET", path = "/"] = route.split(" ");
  return fetch(`${base[server]}${path}`, {
    method,
    headers: authorization === undefined ? {} : { authorization },
  });
}

describe.each(["fastify", "plain"] as const)("the %s resource server", (server) => {
  it("200: lets a valid token through, with its claims on the request", async () => {
    const token = await clientCredentials("reports:read reports:write");
    const read = await call(server, "GET /reports", `Bearer ${token}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({
      kind: "client_access_token",
      sub: bot.id,
      scopes: ["reports:read", "reports:write"],
    });
    const write = await call(server, "POST /reports", `bearer ${token}`);
    expect(write.status).toBe(200);
  });

  it("401 with a bare challenge without a token, or with another scheme", async () => {
    for (const authorization of [undefined, "Basic YWxpY2U6cGFzc3dvcmQ="]) {
      const response = await call(server, "GET /reports", authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe("Bearer");
    }
  });

  it("400 invalid_request for a Bearer header without a well-formed token", async () => {
    const response = await call(server, "GET /reports", "Bearer two words");
    expect(response.status).toBe(400);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_request"/);
  });

  it("401 invalid_token for a forged, an expired and a wrong-audience token", async () => {
    const token = await clientCredentials("reports:read");
    const { privateKey } = await generateKeyPair("ES256");
    const forged = await new SignJWT(decodeJwt(token))
      .setProtectedHeader({ ...decodeProtectedHeader(token), alg: "ES256" })
      .sign(privateKey);
    // Minted for the issuer, its default audience, not for this resource server.
    const elsewhere = await oauthToken(tessera, bot, { grant_type: "client_credentials" });
    for (const bad of [forged, elsewhere]) {
      const response = await call(server, "GET /reports", `Bearer ${bad}`);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe(
        'Bearer error="invalid_token", error_description="The access token is invalid"',
      );
      const body = await response.text();
      expect(body).not.toContain(bad.split(".")[2]);
      expect(JSON.parse(body)).toEqual({
        error: "invalid_token",
        error_description: "The access token is invalid",
      });
    }
    skewMs = 2 * 3_600_000;
    try {
      const expired = await call(server, "GET /reports", `Bearer ${token}`);
      expect(expired.status).toBe(401);
      expect(expired.headers.get("www-authenticate")).toBe(
        'Bearer error="invalid_token", error_description="The access token has expired"',
      );
    } finally {
      skewMs = 0;
    }
  });

  it("403 insufficient_scope, naming the scope the route requires", async () => {
    const token = await clientCredentials("reports:read");
    const response = await call(server, "POST /reports", `Bearer ${token}`);
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toBe(
      'Bearer error="insufficient_scope", error_description="The access token lacks a scope this request requires", scope="reports:write"',
    );
  });

  it("503 when the issuer's keys cannot be fetched", async () => {
    const token = await clientCredentials("reports:read");
    const response = await call(server, "GET /stranded", `Bearer ${token}`);
    expect(response.status).toBe(503);
    expect(response.headers.get("www-authenticate")).toBeNull();
    expect(await response.json()).toMatchObject({ error: "temporarily_unavailable" });
  });
});
