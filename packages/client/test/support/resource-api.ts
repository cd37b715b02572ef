import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  bearerAuthMiddleware,
  type ConnectMiddleware,
  type ConnectRequest,
  createAccessTokenVerifier,
} from "../../src/index.js";

/** The audience of the deploy API, as its clients are allowed it. */
export const DEPLOY_AUDIENCE = "https://deploy.example.com";
/** The audience of the reports API. */
export const REPORTS_AUDIENCE = "https://reports.example.com";

/**
 * A request the API let through: its route, and the verified token, its id,
 * subject and session, kept so the suite can ask Tessera about it afterwards.
 */
export interface Admitted {
  readonly route: string;
  readonly token: string;
  readonly jti: string;
  readonly subject: string;
  readonly sid: string | undefined;
}

/** The third-party services the recipes call, each verifying its tokens with the SDK. */
export interface ResourceApi {
  readonly url: string;
  /** Every request let through, in order. */
  readonly admitted: readonly Admitted[];
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of request) {
    text += String(chunk);
  }
  return text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/**
 * A deploy, reports and profile API on Node's own server, as a third party
 * runs one: each route lets a request through only with a token the SDK's
 * `bearerAuthMiddleware` verified for it. `POST /deploy` and `GET /status`
 * take the token API's short-term tokens for the deploy audience with
 * `deploy:staging`; `GET /reports` an OAuth client's token for the reports
 * audience with `reports:read`; `GET /profile` a user's session access token
 * for the web app's client id.
 */
export async function startResourceApi(
  issuer: string,
  webAppClientId: string,
): Promise<ResourceApi> {
  const deploy = createAccessTokenVerifier({
    issuer,
    audience: DEPLOY_AUDIENCE,
    typ: "automation+jwt",
    requiredScopes: ["deploy:staging"],
  });
  const routes: Record<string, ConnectMiddleware> = {
    "POST /deploy": bearerAuthMiddleware(deploy),
    "GET /status": bearerAuthMiddleware(deploy),
    "GET /reports": bearerAuthMiddleware(
      createAccessTokenVerifier({
        issuer,
        audience: REPORTS_AUDIENCE,
        kinds: ["client_access_token"],
        requiredScopes: ["reports:read"],
      }),
    ),
    "GET /profile": bearerAuthMiddleware(
      createAccessTokenVerifier({ issuer, audience: webAppClientId, kinds: ["access_token"] }),
    ),
  };
  const admitted: Admitted[] = [];
  const server: Server = createServer((req, res) => {
    const route = `${req.method} ${req.url}`;
    const middleware = routes[route];
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (middleware === undefined) {
      reply(404, { error: "not_found" });
      return;
    }
    const request: ConnectRequest = req;
    middleware(request, res, (error) => {
      const auth = request.auth;
      if (error !== undefined || auth === undefined) {
        reply(500, { error: "server_error" });
        return;
      }
      const token = (req.headers.authorization ?? "").replace(/^bearer\s+/i, "");
      admitted.push({
        route,
        token,
        jti: auth.claims.jti,
        subject: auth.subject,
        sid: auth.claims.sid,
      });
      if (route === "POST /deploy") {
        bodyOf(req).then(
          (body) => reply(200, { deployed: body.version, by: auth.subject }),
          () => reply(400, { error: "invalid_request" }),
        );
      } else if (route === "GET /status") {
        reply(200, { ok: true, by: auth.subject });
      } else if (route === "GET /reports") {
        reply(200, { reports: ["2026-q3"], by: auth.subject });
      } else {
        reply(200, { username: auth.claims.username });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    admitted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
